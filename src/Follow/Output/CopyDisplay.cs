using Follow.Connections;
using Follow.Diagnostics;
using Follow.Pipeline;
using Follow.Progress;
using Microsoft.Extensions.Logging;

namespace Follow.Cli.Output;

/// <summary>
/// The copy's progress while a clone runs, read from follow.job as <c>follow list progress</c> reads it: bars in a
/// terminal, a log line per table every 10 s elsewhere. Started by the clone once its jobs exist; disposing stops it.
/// </summary>
public sealed class CopyDisplay(ConnectionInfo target, TextWriter output, bool interactive, ILogger logger) : ICopyWatcher
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _running;

    public void Start(long runId) =>
        _running = new CopyProgressRenderer(ReadJobsAsync, output, interactive, logger).RunAsync(_stop.Token);

    private async Task<IReadOnlyList<JobProgress>> ReadJobsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await target.OpenAsync("follow progress", ExitCode.TargetFailure, cancellationToken);
        return (await ProgressReader.ReadAsync(connection, cancellationToken)).Jobs;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_running is not null) await _running;
        _stop.Dispose();
    }
}
