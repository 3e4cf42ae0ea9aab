using Follow.Apply;
using Follow.Connections;
using Follow.Decode;
using Follow.Diagnostics;
using Follow.Model;
using Follow.Planning;
using Follow.Snapshot;
using Follow.State;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Follow.Pipeline;

/// <summary>
/// The stream: decode → hand-over bounded by count and bytes → enrich and apply, until the sentinel's endpos, by
/// <see cref="ApplyRules"/>. The source is told only what the target committed.
/// </summary>
public sealed partial class StreamRunner(
    DistributionPlan plan, Catalog catalog, ConnectionInfo source, ConnectionInfo target, string slotName, ILogger logger)
{
    private static readonly TimeSpan IdleCheck = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan SettleCheck = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan SlotWatch = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan HoldCheck = TimeSpan.FromMilliseconds(50);

    // The hand-over from decode to apply: records, and the bytes they hold (a 1,000,000-row transaction of wide
    // rows must not fill the follower's memory). The estimate counts strings and lists; a record takes about twice
    // that on the heap (MemoryTests: 16 MB of estimate peaked at 138-156 MB RSS, 4 MB at 125 MB). Narrow rows stay
    // bound by the count, which the grouped apply into Citus needs deep.
    private const int HandOverCount = 10_000;
    private const long HandOverBytes = 4 << 20;

    /// <summary>Where the stream is, for the worker's status and probes; optional.</summary>
    public FollowStatus? Status { get; init; }

    public FollowMetrics? Metrics { get; init; }

    // The cache counts already reported.
    private long _reportedHits;
    private long _reportedMisses;

    // When the stream has nothing to hand over, the group waits this long for more before it commits: a backlog
    // that the decoder delivers a little slower than the applier takes it then still goes in large groups.
    private static readonly TimeSpan GroupLinger = TimeSpan.FromMilliseconds(5);

    // Tables a resumed copy took at a later point than the stream's start, by their name in follow.job (rule 6).
    private TableCopyPoints _copyPoints = TableCopyPoints.None;

    // Foreign keys between tables copied at different points, made once the stream has passed the later one.
    private List<HeldForeignKey> _held = [];

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        NpgsqlLogSequenceNumber start;
        await using (var state = await target.OpenAsync("follow", ExitCode.TargetFailure, cancellationToken))
        {
            var sentinel = await SentinelState.ReadAsync(state, cancellationToken);
            var run = await CopyRuns.LatestFinishedAsync(state, cancellationToken)
                ?? throw new BadInputException("the target has no finished copy to stream from (follow.run); run follow clone first, or follow clone --follow");
            await ReadCopyPointsAsync(state, sentinel, cancellationToken);
            start = sentinel.ReplayLsn is { } replay && replay > run ? replay : run;
            if (sentinel.StartPos is null) await SentinelState.SetStartPosAsync(state, run, cancellationToken);
            var indexes = await LookupIndexes.EnsureAsync(plan, state, cancellationToken);
            if (indexes > 0) Log.LookupIndexesCreated(logger, indexes);
        }

        await WaitForSlotAsync(cancellationToken);
        await using var applier = await StreamApplier.OpenAsync(plan, target, cancellationToken);
        if (applier.Applied is { } applied && applied > start) start = applied;
        if (applier.Applied is { } already) Status?.Applied(already);
        _reportedHits = applier.CacheHits;
        _reportedMisses = applier.CacheMisses;
        await using var replication = await ReplicationStream.OpenAsync(source, slotName, cancellationToken);
        if (applier.PreloadedKeys > 0) Log.KeysPreloaded(logger, applier.PreloadedKeys);
        Log.Streaming(logger, slotName, start.ToString());
        Status?.Enter(FollowPhase.Streaming);

        var handOver = new HandOver<ChangeRecord>(HandOverCount, HandOverBytes, r => r.EstimatedBytes);
        using var stopDecoding = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var decoding = Task.Run(async () =>
        {
            try
            {
                await foreach (var record in replication.ReadAsync(start, stopDecoding.Token)) await handOver.WriteAsync(record, stopDecoding.Token);
                handOver.Complete();
            }
            catch (OperationCanceledException) when (stopDecoding.IsCancellationRequested)
            {
                handOver.Complete();
            }
            catch (Exception ex)
            {
                // The first real error stops the pipeline; the applier reports it once.
                handOver.Complete(ex);
            }
        }, CancellationToken.None);

        var watching = WatchSlotAsync(stopDecoding.Token);
        try
        {
            await ApplyUntilEndposAsync(handOver, replication, applier, cancellationToken);
        }
        finally
        {
            await stopDecoding.CancelAsync();
            await decoding;
            await watching;
        }
    }

    private async Task ApplyUntilEndposAsync(
        HandOver<ChangeRecord> reader, ReplicationStream replication, StreamApplier applier, CancellationToken cancellationToken)
    {
        await using var state = await target.OpenAsync("follow sentinel", ExitCode.TargetFailure, cancellationToken);
        var sentinel = await SentinelState.ReadAsync(state, cancellationToken);
        var lastRead = DateTime.MinValue;
        var skipping = false;
        var commitLsn = default(NpgsqlLogSequenceNumber);
        long idleMessages = -1;
        // A Begin read before holding at a pause point, decided again once the follower is let go.
        ChangeRecord? heldBack = null;
        while (true)
        {
            if (_lost is { } lost) throw lost;
            if (applier.HasCommitted) await ReportCommittedAsync(applier, replication, cancellationToken);
            if (_held.Count > 0 && applier.Applied is { } passed && _held[0].ValidAfter <= passed && !applier.InSourceTransaction)
            {
                await FlushAsync(applier, replication, cancellationToken);
                await MakeHeldForeignKeysAsync(passed, cancellationToken);
            }
            if (DateTime.UtcNow - lastRead > IdleCheck)
            {
                sentinel = await SentinelState.ReadExistingAsync(state, cancellationToken);
                lastRead = DateTime.UtcNow;
            }
            if (ApplyRules.ReachedEndpos(applier.Applied, sentinel.EndPos, applier.InSourceTransaction))
            {
                await FlushAsync(applier, replication, cancellationToken);
                Log.EndposReached(logger, sentinel.EndPos.ToString()!, applier.Applied.ToString()!);
                return;
            }
            if (!sentinel.Apply && !applier.InSourceTransaction)
            {
                await FlushAsync(applier, replication, cancellationToken);
                await Task.Delay(IdleCheck, cancellationToken);
                continue;
            }

            ChangeRecord? record = heldBack;
            heldBack = null;
            if (record is null && !reader.TryRead(out record))
            {
                if (applier.Pending > 0 && !applier.InSourceTransaction && applier.Pending < applier.GroupSize
                    && await WaitToReadAsync(reader, GroupLinger, cancellationToken))
                {
                    continue;
                }
                await FlushAsync(applier, replication, cancellationToken);
                var messages = replication.MessagesRead;
                var received = replication.LastReceivedLsn;
                var settled = !applier.InSourceTransaction && !replication.InTransaction && messages == idleMessages && reader.Count == 0;
                if (ApplyRules.IdlePastEndpos(sentinel.EndPos, received, settled))
                {
                    Log.IdlePastEndpos(logger, sentinel.EndPos.ToString()!, received.ToString());
                    return;
                }
                if (ApplyRules.IdleAtPause(sentinel.PauseLsn, received, settled))
                {
                    sentinel = await HoldAsync(state, sentinel.PauseLsn!.Value, cancellationToken);
                    applier.ForgetKeys();
                    lastRead = DateTime.UtcNow;
                    continue;
                }
                if (settled && received > replication.LastFlushedLsn)
                {
                    // Only unpublished tables were written: nothing is in flight, so the slot may let go of that WAL.
                    await replication.AcknowledgeAsync(received, cancellationToken);
                }
                idleMessages = !applier.InSourceTransaction && !replication.InTransaction ? messages : -1;
                Log.Idle(logger, replication.LastReceivedLsn.ToString(), sentinel.EndPos?.ToString() ?? "-", applier.Applied?.ToString() ?? "-",
                    applier.InSourceTransaction, replication.InTransaction, messages);
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                // Past endpos, the second look that confirms the stream is settled need not wait a whole IdleCheck.
                wait.CancelAfter(sentinel.EndPos is { } reached && received >= reached ? SettleCheck : IdleCheck);
                try
                {
                    if (!await reader.WaitToReadAsync(wait.Token)) return;
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                }
                continue;
            }

            switch (record)
            {
                case TransactionBegin begin:
                    commitLsn = begin.CommitLsn;
                    switch (ApplyRules.OnBegin(begin.CommitLsn, applier.Applied, sentinel.EndPos, sentinel.PauseLsn))
                    {
                        case TransactionDecision.Hold:
                            await FlushAsync(applier, replication, cancellationToken);
                            sentinel = await HoldAsync(state, sentinel.PauseLsn!.Value, cancellationToken);
                            applier.ForgetKeys();
                            lastRead = DateTime.UtcNow;
                            heldBack = begin;
                            break;
                        case TransactionDecision.Skip:
                            skipping = true;
                            break;
                        case TransactionDecision.Stop:
                            await FlushAsync(applier, replication, cancellationToken);
                            Log.EndposReached(logger, sentinel.EndPos.ToString()!, applier.Applied?.ToString() ?? "nothing");
                            return;
                        default:
                            skipping = false;
                            Status?.Applying(begin.CommitTime);
                            await applier.BeginAsync(begin, cancellationToken);
                            break;
                    }
                    break;
                case TransactionCommit commit:
                    if (skipping)
                    {
                        skipping = false;
                        break;
                    }
                    applier.End(commit);
                    // A stream with nothing more to hand over commits on the next read (after GroupLinger).
                    if (applier.Pending >= applier.GroupSize) await FlushAsync(applier, replication, cancellationToken, wait: false);
                    break;
                default:
                    if (skipping || _copyPoints.Applied(record, commitLsn) is not { } applied) break;
                    await applier.ApplyAsync(applied, cancellationToken);
                    break;
            }
        }
    }

    /// <summary>
    /// Holds at a pause point, everything before it committed: reports it in the sentinel, then waits until the pause
    /// is cleared or moved. The hand-over fills meanwhile and the decoder waits; the slot keeps the WAL.
    /// </summary>
    private async Task<SentinelState> HoldAsync(NpgsqlConnection state, NpgsqlLogSequenceNumber pause, CancellationToken cancellationToken)
    {
        await SentinelState.SetHeldAsync(state, pause, cancellationToken);
        Log.Holding(logger, pause.ToString());
        while (true)
        {
            if (_lost is { } lost) throw lost;
            await Task.Delay(HoldCheck, cancellationToken);
            var sentinel = await SentinelState.ReadExistingAsync(state, cancellationToken);
            if (sentinel.PauseLsn != pause)
            {
                Log.Released(logger, pause.ToString(), sentinel.PauseLsn?.ToString() ?? "-");
                return sentinel;
            }
        }
    }

    /// <summary>
    /// The tables a resumed copy took after the stream's start, and the foreign keys it held. An endpos before a
    /// table's point would end the stream with that table ahead of the others: refused.
    /// </summary>
    private async Task ReadCopyPointsAsync(NpgsqlConnection state, SentinelState sentinel, CancellationToken cancellationToken)
    {
        if (await CopyPoints.ReadAsync(state, cancellationToken) is { Finished: true } points)
        {
            _copyPoints = new TableCopyPoints(points.AfterStart());
            foreach (var (table, lsn) in _copyPoints.CopiedAt) Log.TableFromItsPoint(logger, table, lsn.ToString());
            if (sentinel.EndPos is { } endpos && _copyPoints.CopiedAt.FirstOrDefault(t => t.Value > endpos) is { Key: not null } ahead)
            {
                throw new BadInputException(
                    $"endpos {endpos} is before {ahead.Value}, where the resumed copy took {ahead.Key}: the target cannot hold the source as of endpos. "
                    + "Set a later endpos (follow sentinel set endpos --current)");
            }
        }
        _held = [.. await HeldForeignKeys.ReadAsync(state, cancellationToken)];
    }

    /// <summary>The held foreign keys whose point the stream has passed: both their tables now hold the same moment.</summary>
    private async Task MakeHeldForeignKeysAsync(NpgsqlLogSequenceNumber passed, CancellationToken cancellationToken)
    {
        await using var connection = await target.OpenAsync("follow", ExitCode.TargetFailure, cancellationToken);
        while (_held.Count > 0 && _held[0].ValidAfter <= passed)
        {
            await HeldForeignKeys.MakeAsync(connection, _held[0], cancellationToken);
            Log.ForeignKeyMade(logger, _held[0].Table, _held[0].Name, passed.ToString());
            _held.RemoveAt(0);
        }
    }

    /// <summary>Whether a record arrives within the time given; false also when the stream ended.</summary>
    private static async Task<bool> WaitToReadAsync(HandOver<ChangeRecord> reader, TimeSpan wait, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(wait);
        try
        {
            return await reader.WaitToReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>
    /// Commits what the applier holds: the COMMIT goes out with its last writes, and <paramref name="wait"/> waits
    /// for the target to run it. Only what the target ran is acknowledged, so the slot keeps everything after it.
    /// </summary>
    private async Task FlushAsync(StreamApplier applier, ReplicationStream replication, CancellationToken cancellationToken, bool wait = true)
    {
        await applier.FlushAsync(cancellationToken, wait);
        await ReportCommittedAsync(applier, replication, cancellationToken);
    }

    private async Task ReportCommittedAsync(StreamApplier applier, ReplicationStream replication, CancellationToken cancellationToken)
    {
        if (applier.TakeCommitted() is not { } done) return;
        Status?.Applied(done.Commit.CommitLsn, done.Changes);
        Metrics?.Committed(done.Transactions, done.Changes, applier.CacheHits - _reportedHits, applier.CacheMisses - _reportedMisses);
        _reportedHits = applier.CacheHits;
        _reportedMisses = applier.CacheMisses;
        await replication.AcknowledgeAsync(done.Commit.EndLsn, cancellationToken);
    }

    /// <summary>
    /// A follower that was just killed leaves its WAL sender, and the slot active, until the server notices; the
    /// slot is waited for rather than the restart refused. A slot the source invalidated (lost) stops Follow.
    /// </summary>
    private async Task WaitForSlotAsync(CancellationToken cancellationToken)
    {
        await using var connection = await source.OpenAsync("follow", ExitCode.SourceFailure, cancellationToken);
        for (var attempt = 0; ; attempt++)
        {
            await using var command = new NpgsqlCommand("SELECT CASE WHEN wal_status = 'lost' THEN NULL ELSE active END FROM pg_replication_slots WHERE slot_name = $1", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = slotName });
            switch (await command.ExecuteScalarAsync(cancellationToken))
            {
                case DBNull:
                    throw SlotLost();
                case null:
                    throw new BadInputException($"the source has no replication slot {slotName}; run follow clone first (or give --slot-name)");
                case false:
                    return;
                case true when attempt >= 40:
                    throw new FollowException($"the replication slot {slotName} is in use by another client; stop it, then run follow follow again", ExitCode.SourceFailure);
            }
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }
    }

    private FollowException SlotLost() => new(
        $"the replication slot {slotName} was invalidated (wal_status lost): the source removed WAL the stream had not read yet, because the slot "
        + "kept more than max_slot_wal_keep_size. The changes since cannot be streamed: the migration must start again from a new clone "
        + "(follow clone --drop-if-exists --follow), with max_slot_wal_keep_size raised or the stream kept closer", ExitCode.SourceFailure);

    // Set by the slot's watch once the source invalidated it; the apply loop stops with it.
    private volatile FollowException? _lost;

    /// <summary>
    /// Looks at the slot's wal_status every few seconds: a WAL sender that already read past the removed WAL goes on
    /// streaming from an invalidated slot, and nothing else would tell.
    /// </summary>
    private async Task WatchSlotAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await source.OpenAsync("follow slot watch", ExitCode.SourceFailure, cancellationToken);
            while (!cancellationToken.IsCancellationRequested)
            {
                await using (var command = new NpgsqlCommand("SELECT wal_status = 'lost' FROM pg_replication_slots WHERE slot_name = $1", connection))
                {
                    command.Parameters.Add(new NpgsqlParameter { Value = slotName });
                    if (await command.ExecuteScalarAsync(cancellationToken) is true)
                    {
                        _lost = SlotLost();
                        return;
                    }
                }
                await Task.Delay(SlotWatch, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException || Retry.IsTransient(ex))
        {
            // Stopping, or a source gone away, which the stream itself reports.
        }
    }

    /// <summary>After endpos: the target's sequences take the source's values, and the sentinel records the end.</summary>
    public async Task FinishAsync(CancellationToken cancellationToken)
    {
        Status?.Enter(FollowPhase.Finishing);
        await using var sourceConnection = await source.OpenAsync("follow", ExitCode.SourceFailure, cancellationToken);
        await using var targetConnection = await target.OpenAsync("follow", ExitCode.TargetFailure, cancellationToken);
        var count = await SequenceSync.RunAsync(catalog, sourceConnection, targetConnection, cancellationToken);
        // At endpos every table holds the source as of endpos, which is past every copy's point (checked at start).
        foreach (var key in await HeldForeignKeys.ReadAsync(targetConnection, cancellationToken))
        {
            await HeldForeignKeys.MakeAsync(targetConnection, key, cancellationToken);
            Log.ForeignKeyMade(logger, key.Table, key.Name, "endpos");
        }
        await SentinelState.SetDoneAsync(targetConnection, cancellationToken);
        await MigrationRecord.SetPhaseAsync(targetConnection, RecordedPhase.Done, cancellationToken);
        Log.Done(logger, count);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4111, Level = LogLevel.Debug, Message = "read {Count} keys of the smaller distributed tables into the key cache")]
        public static partial void KeysPreloaded(ILogger logger, int count);

        [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "streaming from slot {Slot} at {Lsn}")]
        public static partial void Streaming(ILogger logger, string slot, string lsn);

        [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "endpos {Endpos} reached: applied up to {Applied}")]
        public static partial void EndposReached(ILogger logger, string endpos, string applied);

        [LoggerMessage(EventId = 4103, Level = LogLevel.Information, Message = "idle past endpos {Endpos} (source WAL at {Received}): everything up to it is applied")]
        public static partial void IdlePastEndpos(ILogger logger, string endpos, string received);

        [LoggerMessage(EventId = 4104, Level = LogLevel.Debug, Message = "idle: received {Received}, endpos {Endpos}, applied {Applied}, applying {Applying}, decoding {Decoding}, {Messages} messages")]
        public static partial void Idle(ILogger logger, string received, string endpos, string applied, bool applying, bool decoding, long messages);

        [LoggerMessage(EventId = 4105, Level = LogLevel.Information, Message = "created {Count} look-up indexes on the target's replica identity columns (follow stream cleanup drops them)")]
        public static partial void LookupIndexesCreated(ILogger logger, int count);

        [LoggerMessage(EventId = 4107, Level = LogLevel.Information, Message = "holding at pause point {Pause}: every transaction committed before it is applied")]
        public static partial void Holding(ILogger logger, string pause);

        [LoggerMessage(EventId = 4108, Level = LogLevel.Information, Message = "let go from pause point {Pause} (pause now {Now})")]
        public static partial void Released(ILogger logger, string pause, string now);

        [LoggerMessage(EventId = 4109, Level = LogLevel.Information, Message = "{Table} was copied again at {Lsn} by a resumed copy: its changes are applied from there")]
        public static partial void TableFromItsPoint(ILogger logger, string table, string lsn);

        [LoggerMessage(EventId = 4110, Level = LogLevel.Information, Message = "{Table}: made foreign key {Key}, held while its tables were at different points, now that the stream passed {Lsn}")]
        public static partial void ForeignKeyMade(ILogger logger, string table, string key, string lsn);

        [LoggerMessage(EventId = 4106, Level = LogLevel.Information, Message = "stream done: set {Count} sequences to the source's values")]
        public static partial void Done(ILogger logger, int count);
    }
}
