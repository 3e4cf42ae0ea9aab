using Follow.Connections;
using Follow.Decode;
using Follow.Diagnostics;
using Follow.State;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Follow.Pipeline;

/// <summary>
/// A source snapshot whose LSN is known exactly, with the follower holding there: a temporary logical slot's
/// exported snapshot and its consistent point P, and the sentinel's pause point at P (<see cref="ApplyRules"/>, rule
/// 5). The follower is first held where it is (pause point 0/0), so that it cannot pass P while the slot is made.
/// The target then holds exactly the source's transactions committed before P. Disposing lets the follower go on;
/// the slot and its snapshot go with the replication connection.
/// </summary>
public sealed partial class PausePoint : IAsyncDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    private readonly TemporarySnapshot _snapshot;
    private readonly NpgsqlConnection _state;
    private readonly ILogger _logger;

    private PausePoint(TemporarySnapshot snapshot, NpgsqlConnection state, NpgsqlLogSequenceNumber lsn, ILogger logger)
    {
        _snapshot = snapshot;
        _state = state;
        Lsn = lsn;
        _logger = logger;
    }

    /// <summary>The exported snapshot: alive while this pause point is, read with SET TRANSACTION SNAPSHOT.</summary>
    public string Snapshot => _snapshot.Name;

    /// <summary>P: the snapshot sees exactly the transactions whose commit LSN is before it, and so does the target.</summary>
    public NpgsqlLogSequenceNumber Lsn { get; }

    /// <param name="wait">How long the follower may take to reach the pause point.</param>
    public static async Task<PausePoint> TakeAsync(ConnectionInfo source, ConnectionInfo target, TimeSpan wait, ILogger logger, CancellationToken cancellationToken)
    {
        var state = await target.OpenAsync("follow pause", ExitCode.TargetFailure, cancellationToken);
        TemporarySnapshot? snapshot = null;
        var paused = false;
        try
        {
            var sentinel = await SentinelState.TryReadAsync(state, cancellationToken)
                ?? throw new BadInputException($"the target {target.Redacted} has no follow schema: run follow clone --follow first");
            if (sentinel.DoneAt is not null) throw new BadInputException("the stream already reached endpos (follow sentinel get): compare without --live");
            if (!sentinel.Apply) throw new BadInputException("the follower's apply is held (follow sentinel set no-apply), so it cannot reach a pause point: run follow sentinel set apply first");
            if (!await SentinelState.TryClaimPauseAsync(state, cancellationToken))
            {
                var other = (await SentinelState.ReadExistingAsync(state, cancellationToken)).PauseLsn;
                throw new BadInputException(
                    $"the follower is already asked to hold at {other}, by another compare --live or repair; wait for it, or, if none runs, clear it with follow sentinel set resume");
            }
            paused = true;
            await WaitHeldAsync(state, new NpgsqlLogSequenceNumber(0), wait, cancellationToken);

            snapshot = await TemporarySnapshot.CreateAsync(source, cancellationToken);
            var lsn = snapshot.ConsistentPoint;
            await SentinelState.SetPauseAsync(state, lsn, cancellationToken);
            Log.Pausing(logger, lsn.ToString());
            await WaitHeldAsync(state, lsn, wait, cancellationToken);
            Log.Held(logger, lsn.ToString());
            return new PausePoint(snapshot, state, lsn, logger);
        }
        catch
        {
            if (paused) await ClearAsync(state);
            if (snapshot is not null) await snapshot.DisposeAsync();
            await state.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits for the follower to report it holds at <paramref name="pause"/>; refuses when it cannot get there.</summary>
    private static async Task WaitHeldAsync(NpgsqlConnection state, NpgsqlLogSequenceNumber pause, TimeSpan wait, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            var sentinel = await SentinelState.ReadExistingAsync(state, cancellationToken);
            if (sentinel.HeldLsn == pause) return;
            if (sentinel.DoneAt is not null || (sentinel.EndPos is { } end && sentinel.ReplayLsn is { } replay && replay >= end))
            {
                throw new FollowException($"the stream reached endpos {sentinel.EndPos} before the pause point {pause}: compare without --live", ExitCode.BadInput);
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new FollowException(
                    $"the follower did not hold at the pause point {pause} within {wait.TotalSeconds:0} s (it applied up to {sentinel.ReplayLsn?.ToString() ?? "nothing"}): "
                    + "is follow follow (or follow run) streaming to this target? Give it more time with --wait-timeout", ExitCode.TargetFailure);
            }
            await Task.Delay(Poll, cancellationToken);
        }
    }

    /// <summary>Lets the follower go on; a failure here leaves the pause for follow sentinel set resume.</summary>
    private static async Task ClearAsync(NpgsqlConnection state)
    {
        try
        {
            await SentinelState.SetPauseAsync(state, null, CancellationToken.None);
        }
        catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException)
        {
            // The follower holds until an operator clears it; the error that stopped us is the one to report.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ClearAsync(_state);
        Log.Released(_logger, Lsn.ToString());
        await _snapshot.DisposeAsync();
        await _state.DisposeAsync();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4151, Level = LogLevel.Information, Message = "pause point {Lsn}: waiting for the follower to apply every transaction committed before it")]
        public static partial void Pausing(ILogger logger, string lsn);

        [LoggerMessage(EventId = 4152, Level = LogLevel.Information, Message = "the follower holds at pause point {Lsn}")]
        public static partial void Held(ILogger logger, string lsn);

        [LoggerMessage(EventId = 4153, Level = LogLevel.Information, Message = "pause point {Lsn} cleared: the follower goes on")]
        public static partial void Released(ILogger logger, string lsn);
    }
}
