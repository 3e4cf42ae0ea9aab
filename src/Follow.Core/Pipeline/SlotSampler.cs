using Follow.Connections;
using Follow.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Follow.Pipeline;

/// <summary>
/// Reads the slot from the source every few seconds while a migration runs (for the lag, the status and the metrics)
/// and warns when its retained WAL endangers the source's disk or the slot: <see cref="RetainedWalWatch"/>.
/// </summary>
public sealed partial class SlotSampler(ConnectionInfo source, string slotName, TimeSpan interval, long? maxRetainedWal, ILogger logger)
{
    private readonly RetainedWalWatch _watch = new(maxRetainedWal);

    public Action<SlotLag>? Sampled { get; init; }

    /// <summary>Error texts go through it before they are logged (a connection string's password).</summary>
    public Func<string, string> Scrub { get; init; } = text => text;

    /// <summary>Runs the work with the sampler beside it; the sampler stops when the work ends.</summary>
    public async Task AlongsideAsync(Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sampler = RunAsync(sampling.Token);
        try
        {
            await work(cancellationToken);
        }
        finally
        {
            await sampling.CancelAsync();
            await sampler;
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        // Let the work start first: the sampler must not delay it.
        await Task.Yield();
        NpgsqlConnection? connection = null;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    connection ??= await source.OpenAsync("follow lag", ExitCode.SourceFailure, cancellationToken);
                    if (await SlotLagReader.ReadAsync(connection, slotName, cancellationToken) is { } slot) Observe(slot);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The stream reports a lost source itself; the sampler only tries again.
                    Log.SampleFailed(logger, Scrub(ex.Message));
                    if (connection is not null) await connection.DisposeAsync();
                    connection = null;
                }
                await Task.Delay(interval, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (connection is not null) await connection.DisposeAsync();
        }
    }

    private void Observe(SlotLag slot)
    {
        Sampled?.Invoke(slot);
        foreach (var warning in _watch.Observe(slot))
        {
            if (warning == RetainedWalWarning.SafeWalSizeLow)
            {
                Log.SafeWalSizeLow(logger, slotName, Megabytes(slot.SafeWalSize), Megabytes(slot.MaxSlotWalKeepSize), slot.WalStatus ?? "-");
            }
            else
            {
                Log.RetainedOverLimit(logger, slotName, Megabytes(slot.RetainedBytes), Megabytes(maxRetainedWal));
            }
        }
    }

    private static double Megabytes(long? bytes) => (bytes ?? 0) / (1024.0 * 1024.0);

    private static partial class Log
    {
        [LoggerMessage(EventId = 4501, Level = LogLevel.Debug, Message = "cannot read the slot's lag from the source: {Message}")]
        public static partial void SampleFailed(ILogger logger, string message);

        [LoggerMessage(EventId = 4502, Level = LogLevel.Warning,
            Message = "the slot {Slot} may be invalidated soon: safe_wal_size is {SafeMegabytes:F0} MB, less than a quarter of max_slot_wal_keep_size ({KeepMegabytes:F0} MB; wal_status {WalStatus}); "
                + "an invalidated slot means starting again from a new clone: let the stream catch up, or raise max_slot_wal_keep_size")]
        public static partial void SafeWalSizeLow(ILogger logger, string slot, double safeMegabytes, double keepMegabytes, string walStatus);

        [LoggerMessage(EventId = 4503, Level = LogLevel.Warning,
            Message = "the slot {Slot} keeps {RetainedMegabytes:F1} MB of WAL on the source's disk, more than the max-retained-wal limit ({LimitMegabytes:F1} MB): "
                + "the source's disk fills until the stream catches up")]
        public static partial void RetainedOverLimit(ILogger logger, string slot, double retainedMegabytes, double limitMegabytes);
    }
}
