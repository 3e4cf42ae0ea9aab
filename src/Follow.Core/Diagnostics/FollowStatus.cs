using NpgsqlTypes;

namespace Follow.Diagnostics;

/// <summary>Where a migration is, in the order the worker goes through it.</summary>
public enum FollowPhase
{
    Starting,
    Schema,
    Copy,
    PostData,
    Streaming,
    Finishing,
    Done,
    Failed,
}

public static class FollowPhases
{
    /// <summary>The phase as status and logs spell it.</summary>
    public static string Key(this FollowPhase phase) => phase switch
    {
        FollowPhase.PostData => "post-data",
        _ => phase.ToString().ToLowerInvariant(),
    };
}

/// <summary>The source's side of the stream, sampled: its WAL position, what the slot has confirmed, and the lag.</summary>
/// <param name="LagSeconds">PostgreSQL's own measure (pg_stat_replication.flush_lag); null when caught up or not streaming.</param>
public sealed record SlotLag(
    DateTimeOffset SampledAt,
    NpgsqlLogSequenceNumber CurrentLsn,
    NpgsqlLogSequenceNumber? ConfirmedFlushLsn,
    bool Active,
    double? LagSeconds)
{
    /// <summary>The oldest WAL the slot keeps on the source's disk.</summary>
    public NpgsqlLogSequenceNumber? RestartLsn { get; init; }

    /// <summary>reserved, extended, unreserved (the next checkpoint may invalidate the slot) or lost.</summary>
    public string? WalStatus { get; init; }

    /// <summary>WAL that may still be written before the slot is invalidated; null when max_slot_wal_keep_size is unbounded.</summary>
    public long? SafeWalSize { get; init; }

    /// <summary>The source's max_slot_wal_keep_size in bytes; null when unbounded.</summary>
    public long? MaxSlotWalKeepSize { get; init; }

    /// <summary>WAL the slot keeps on the source's disk: the source's position less restart_lsn.</summary>
    public long? RetainedBytes => RestartLsn is { } restart
        ? (ulong)CurrentLsn > (ulong)restart ? (long)((ulong)CurrentLsn - (ulong)restart) : 0
        : null;

    /// <summary>WAL the source wrote that the target has not confirmed yet.</summary>
    public long? LagBytes => ConfirmedFlushLsn is { } confirmed
        ? (ulong)CurrentLsn > (ulong)confirmed ? (long)((ulong)CurrentLsn - (ulong)confirmed) : 0
        : null;
}

/// <summary>
/// What a running migration reports about itself: the phase, the stream's positions and the lag. Written by the
/// runners, read by the HTTP status, the readiness probe, the metrics and the log scopes, from other threads.
/// </summary>
public sealed class FollowStatus
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _clock;
    private FollowPhase _phase = FollowPhase.Starting;
    private DateTimeOffset _phaseSince;
    private string? _error;
    private NpgsqlLogSequenceNumber? _applied;
    private DateTimeOffset? _oldestUnapplied;
    private SlotLag? _slot;
    private long _changesApplied;
    private Interruption? _interruption;

    public FollowStatus(TimeProvider? clock = null)
    {
        _clock = clock ?? TimeProvider.System;
        _phaseSince = _clock.GetUtcNow();
    }

    public FollowPhase Phase
    {
        get { lock (_lock) return _phase; }
    }

    public void Enter(FollowPhase phase, string? error = null)
    {
        lock (_lock)
        {
            if (_phase != phase) _phaseSince = _clock.GetUtcNow();
            _phase = phase;
            _error = error;
        }
    }

    /// <summary>A source transaction is being applied: the lag runs from its commit until the target commits it.</summary>
    public void Applying(DateTimeOffset commitTime)
    {
        lock (_lock) _oldestUnapplied ??= commitTime;
    }

    /// <summary>The target committed everything up to this source LSN, and these changes since the last commit.</summary>
    public void Applied(NpgsqlLogSequenceNumber lsn, long changes = 0)
    {
        lock (_lock)
        {
            _applied = lsn;
            _oldestUnapplied = null;
            _changesApplied += changes;
        }
    }

    /// <summary>A step lost the source or the target; it may be tried again. The last one stays for the status page.</summary>
    public void Interrupted(string error)
    {
        lock (_lock) _interruption = new Interruption(_clock.GetUtcNow(), error);
    }

    public void Sampled(SlotLag slot)
    {
        lock (_lock) _slot = slot;
    }

    public StatusSnapshot Snapshot()
    {
        lock (_lock)
        {
            var now = _clock.GetUtcNow();
            var applying = _oldestUnapplied is { } oldest ? Math.Max(0, (now - oldest).TotalSeconds) : (double?)null;
            return new StatusSnapshot(_phase, _phaseSince, _error, _applied, _slot, applying, _changesApplied, now, _interruption);
        }
    }
}

/// <summary>A lost connection: when, and the error.</summary>
public sealed record Interruption(DateTimeOffset At, string Error);

/// <param name="ApplyingSeconds">Age of the oldest source commit read but not yet committed on the target.</param>
/// <param name="ChangesApplied">Row changes and truncates the target committed since the worker started.</param>
/// <param name="TakenAt">When the snapshot was taken, by the status' clock.</param>
/// <param name="LastInterruption">The last lost connection of the stream, retried or not.</param>
public sealed record StatusSnapshot(
    FollowPhase Phase,
    DateTimeOffset PhaseSince,
    string? Error,
    NpgsqlLogSequenceNumber? AppliedLsn,
    SlotLag? Slot,
    double? ApplyingSeconds,
    long ChangesApplied = 0,
    DateTimeOffset TakenAt = default,
    Interruption? LastInterruption = null)
{
    public long? LagBytes => Slot?.LagBytes;

    /// <summary>Seconds behind the source: what is being applied now, else PostgreSQL's measure, else 0 when caught up.</summary>
    public double? LagSeconds => ApplyingSeconds ?? Slot?.LagSeconds ?? (Slot is null ? null : 0);
}
