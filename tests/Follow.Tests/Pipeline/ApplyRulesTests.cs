using Follow.Pipeline;
using NpgsqlTypes;

namespace Follow.Tests.Pipeline;

/// <summary>The rules of applying, one row a case.</summary>
public sealed class ApplyRulesTests
{
    private static NpgsqlLogSequenceNumber? Lsn(ulong? value) => value is { } v ? new NpgsqlLogSequenceNumber(v) : null;

    [Theory]
    // A commit at or before the applied LSN was applied by an earlier run.
    [InlineData(100UL, 100UL, null, TransactionDecision.Skip)]
    [InlineData(90UL, 100UL, 500UL, TransactionDecision.Skip)]
    // One after it is applied, with no endpos or at or before endpos.
    [InlineData(101UL, 100UL, null, TransactionDecision.Apply)]
    [InlineData(500UL, 100UL, 500UL, TransactionDecision.Apply)]
    [InlineData(101UL, null, 500UL, TransactionDecision.Apply)]
    // One that commits past endpos, though it began before it (it spans endpos), is left whole to a later run.
    [InlineData(501UL, 100UL, 500UL, TransactionDecision.Stop)]
    [InlineData(501UL, null, 500UL, TransactionDecision.Stop)]
    public void A_transaction_is_decided_by_its_commit_lsn(ulong commit, ulong? applied, ulong? endpos, TransactionDecision expected) =>
        Assert.Equal(expected, ApplyRules.OnBegin(new NpgsqlLogSequenceNumber(commit), Lsn(applied), Lsn(endpos)));

    [Theory]
    [InlineData(500UL, 500UL, false, true)]
    [InlineData(600UL, 500UL, false, true)]
    [InlineData(499UL, 500UL, false, false)]
    [InlineData(500UL, 500UL, true, false)]
    [InlineData(500UL, null, false, false)]
    [InlineData(null, 500UL, false, false)]
    public void The_stream_ends_once_everything_up_to_endpos_is_applied_and_no_transaction_is_open(
        ulong? applied, ulong? endpos, bool inTransaction, bool expected) =>
        Assert.Equal(expected, ApplyRules.ReachedEndpos(Lsn(applied), Lsn(endpos), inTransaction));

    [Theory]
    [InlineData(500UL, 500UL, true, true)]
    [InlineData(500UL, 900UL, true, true)]
    [InlineData(500UL, 499UL, true, false)]
    [InlineData(500UL, 900UL, false, false)]
    [InlineData(null, 900UL, true, false)]
    public void An_idle_stream_ends_at_endpos_and_holds_at_a_pause_point_when_it_is_settled_and_the_source_wal_reached_it(
        ulong? position, ulong received, bool settled, bool expected)
    {
        Assert.Equal(expected, ApplyRules.IdlePastEndpos(Lsn(position), new NpgsqlLogSequenceNumber(received), settled));
        Assert.Equal(expected, ApplyRules.IdleAtPause(Lsn(position), new NpgsqlLogSequenceNumber(received), settled));
    }

    [Theory]
    // Committed before the pause point: in the pause point's snapshot, so applied.
    [InlineData(499UL, 100UL, null, 500UL, TransactionDecision.Apply)]
    // Committed at the pause point: decoded by the pause point's slot, so not in its snapshot; the stream holds before it.
    [InlineData(500UL, 100UL, null, 500UL, TransactionDecision.Hold)]
    [InlineData(501UL, null, null, 500UL, TransactionDecision.Hold)]
    // Applied already, or past an endpos before the pause point: those rules come first.
    [InlineData(90UL, 100UL, null, 50UL, TransactionDecision.Skip)]
    [InlineData(450UL, 100UL, 400UL, 500UL, TransactionDecision.Stop)]
    // The pause point 0/0 holds at once, wherever the stream is.
    [InlineData(101UL, 100UL, null, 0UL, TransactionDecision.Hold)]
    public void A_pause_point_holds_before_the_first_transaction_committed_at_or_after_it(
        ulong commit, ulong? applied, ulong? endpos, ulong pause, TransactionDecision expected) =>
        Assert.Equal(expected, ApplyRules.OnBegin(new NpgsqlLogSequenceNumber(commit), Lsn(applied), Lsn(endpos), Lsn(pause)));
}
