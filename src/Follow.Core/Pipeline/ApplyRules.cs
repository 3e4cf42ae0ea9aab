using NpgsqlTypes;

namespace Follow.Pipeline;

/// <summary>What the stream does with a transaction, decided at its Begin from its commit LSN.</summary>
public enum TransactionDecision
{
    /// <summary>Applied, whole, in one target transaction with the others of its group.</summary>
    Apply,

    /// <summary>An earlier run applied it already.</summary>
    Skip,

    /// <summary>It commits past endpos: the stream ends before it, and it is left whole to a later run.</summary>
    Stop,

    /// <summary>It commits at or past the pause point: the stream holds before it, and applies it once let go.</summary>
    Hold,
}

/// <summary>
/// The rules of applying, as pgcopydb writes them down:
/// (1) a transaction whose commit LSN is at or before the applied LSN was applied already and is skipped;
/// (2) a transaction is applied exactly when its commit LSN is at or before endpos;
/// (3) a transaction is never split: one that spans endpos (begins before it, commits after it) is decided by its
///     commit, so this run ends before it and a later run applies it whole;
/// (4) with nothing in flight and the source's WAL past endpos, seen settled, the stream is done;
/// (5) a pause point P is a slot's consistent point, and the slot's exported snapshot sees exactly the transactions
///     whose commit record starts before P (one whose commit LSN is P is decoded by that slot, so the snapshot does not
///     see it): the stream applies exactly those, holds before the first transaction committed at or after P, and
///     holds, idle, once the source's WAL is seen settled at or past P (no commit before P can still arrive). Endpos
///     comes first: a stream whose endpos is before P ends there.
/// (6) a table copied at a later point than where the stream starts (a resumed copy) takes only the changes of
///     transactions that commit at or after its point: its copy holds every one committed before (PostgreSQL's
///     table synchronisation applies a table's changes when its sync LSN is at or before the commit's final LSN).
/// The source is told only what the target committed (the applier's part).
/// </summary>
public static class ApplyRules
{
    public static TransactionDecision OnBegin(
        NpgsqlLogSequenceNumber commitLsn, NpgsqlLogSequenceNumber? applied, NpgsqlLogSequenceNumber? endpos, NpgsqlLogSequenceNumber? pause = null) =>
        applied is { } done && commitLsn <= done ? TransactionDecision.Skip
        : endpos is { } end && commitLsn > end ? TransactionDecision.Stop
        : pause is { } hold && commitLsn >= hold ? TransactionDecision.Hold
        : TransactionDecision.Apply;

    /// <summary>Idle and settled, with the source's WAL at or past the pause point: every commit before it is applied.</summary>
    public static bool IdleAtPause(NpgsqlLogSequenceNumber? pause, NpgsqlLogSequenceNumber received, bool settled) =>
        settled && pause is { } hold && received >= hold;

    /// <summary>Rule 6: whether a change of a table copied at <paramref name="copiedAt"/> (null: at the stream's start) is applied.</summary>
    public static bool AppliesToTable(NpgsqlLogSequenceNumber commitLsn, NpgsqlLogSequenceNumber? copiedAt) =>
        copiedAt is not { } at || commitLsn >= at;

    /// <summary>Everything up to endpos is applied and no transaction is open: the stream ends.</summary>
    public static bool ReachedEndpos(NpgsqlLogSequenceNumber? applied, NpgsqlLogSequenceNumber? endpos, bool inTransaction) =>
        !inTransaction && endpos is { } end && applied is { } done && done >= end;

    /// <summary>
    /// Idle: nothing to apply, no transaction open on either side, the same message count seen twice (a Begin read
    /// in between would show), and the source's WAL position at or past endpos.
    /// </summary>
    public static bool IdlePastEndpos(NpgsqlLogSequenceNumber? endpos, NpgsqlLogSequenceNumber received, bool settled) =>
        settled && endpos is { } end && received >= end;
}
