using System.Threading.Channels;
using Follow.Apply;
using Follow.Connections;
using Follow.Decode;
using Follow.Diagnostics;
using Follow.Model;
using Follow.Planning;
using Follow.Sentinel;
using Follow.Snapshot;
using Microsoft.Extensions.Logging;
using Npgsql;
using Npgsql.Replication;
using NpgsqlTypes;

namespace Follow.Pipeline;

/// <summary>
/// The stream: decode → bounded channel → enrich and apply, until the sentinel's endpos. Rules, as pgcopydb writes
/// them down: (1) a transaction whose commit LSN is at or before the applied LSN was applied already and is
/// skipped; (2) a transaction is applied exactly when its commit LSN is at or before endpos; (3) the source is told
/// only what the target committed; (4) with nothing in flight and the stream idle past endpos, the follower is done.
/// </summary>
public sealed partial class StreamRunner(
    DistributionPlan plan, Catalog catalog, ConnectionInfo source, ConnectionInfo target, string slotName, ILogger logger)
{
    private static readonly TimeSpan IdleCheck = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan SettleCheck = TimeSpan.FromMilliseconds(20);

    // Source transactions grouped into one target transaction at most; a group also ends when the stream has
    // nothing more to hand over, so a quiet stream applies each transaction at once.
    private const int GroupSize = 2000;

    /// <summary>Where the stream is, for the worker's status and probes; optional.</summary>
    public FollowStatus? Status { get; init; }

    public FollowMetrics? Metrics { get; init; }

    // The cache counts already reported.
    private long _reportedHits;
    private long _reportedMisses;

    // When the stream has nothing to hand over, the group waits this long for more before it commits: a backlog
    // that the decoder delivers a little slower than the applier takes it then still goes in large groups.
    private static readonly TimeSpan GroupLinger = TimeSpan.FromMilliseconds(5);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        NpgsqlLogSequenceNumber start;
        await using (var state = await target.OpenAsync("follow", ExitCode.TargetFailure, cancellationToken))
        {
            var run = await LatestRunAsync(state, cancellationToken);
            var sentinel = await SentinelState.ReadAsync(state, cancellationToken);
            start = sentinel.ReplayLsn is { } replay && replay > run ? replay : run;
            if (sentinel.StartPos is null) await SentinelState.SetStartPosAsync(state, run, cancellationToken);
            var indexes = await LookupIndexes.EnsureAsync(plan, state, cancellationToken);
            if (indexes > 0) Log.LookupIndexesCreated(logger, indexes);
        }

        await WaitForSlotAsync(cancellationToken);
        await using var applier = await ChangeApplier.OpenAsync(plan, target, cancellationToken);
        if (applier.Applied is { } applied && applied > start) start = applied;
        if (applier.Applied is { } already) Status?.Applied(already);
        _reportedHits = applier.CacheHits;
        _reportedMisses = applier.CacheMisses;
        await using var replication = new LogicalReplicationConnection(source.WithApplicationName("follow stream").ToNpgsqlConnectionString());
        try
        {
            await replication.Open(cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or IOException)
        {
            throw new FollowException($"cannot open a replication connection to the source {source.Redacted}: {ex.Message}", ExitCode.SourceFailure, ex);
        }
        Log.Streaming(logger, slotName, start.ToString());
        Status?.Enter(FollowPhase.Streaming);

        var decoder = new PgOutputDecoder(replication, slotName, slotName);
        var channel = Channel.CreateBounded<ChangeRecord>(new BoundedChannelOptions(10_000)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = true,
        });
        using var stopDecoding = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var decoding = Task.Run(async () =>
        {
            try
            {
                await foreach (var record in decoder.ReadAsync(start, stopDecoding.Token)) await channel.Writer.WriteAsync(record, stopDecoding.Token);
                channel.Writer.TryComplete();
            }
            catch (OperationCanceledException) when (stopDecoding.IsCancellationRequested)
            {
                channel.Writer.TryComplete();
            }
            catch (Exception ex)
            {
                // The first real error stops the pipeline; the applier reports it once.
                channel.Writer.TryComplete(ex);
            }
        }, CancellationToken.None);

        try
        {
            await ApplyUntilEndposAsync(channel.Reader, decoder, replication, applier, cancellationToken);
        }
        finally
        {
            await stopDecoding.CancelAsync();
            await decoding;
        }
        await FinishAsync(cancellationToken);
    }

    private async Task ApplyUntilEndposAsync(
        ChannelReader<ChangeRecord> reader, PgOutputDecoder decoder, LogicalReplicationConnection replication, ChangeApplier applier,
        CancellationToken cancellationToken)
    {
        await using var state = await target.OpenAsync("follow sentinel", ExitCode.TargetFailure, cancellationToken);
        var sentinel = await SentinelState.ReadAsync(state, cancellationToken);
        var lastRead = DateTime.MinValue;
        var skipping = false;
        long idleMessages = -1;
        while (true)
        {
            if (applier.HasCommitted) await ReportCommittedAsync(applier, replication, cancellationToken);
            if (DateTime.UtcNow - lastRead > IdleCheck)
            {
                sentinel = await SentinelState.ReadExistingAsync(state, cancellationToken);
                lastRead = DateTime.UtcNow;
            }
            if (sentinel.EndPos is { } end && applier.Applied is { } applied && applied >= end && !applier.InSourceTransaction)
            {
                await FlushAsync(applier, replication, cancellationToken);
                Log.EndposReached(logger, end.ToString(), applied.ToString());
                return;
            }
            if (!sentinel.Apply && !applier.InSourceTransaction)
            {
                await FlushAsync(applier, replication, cancellationToken);
                await Task.Delay(IdleCheck, cancellationToken);
                continue;
            }

            if (!reader.TryRead(out var record))
            {
                if (applier.Pending > 0 && !applier.InSourceTransaction && applier.Pending < GroupSize
                    && await WaitToReadAsync(reader, GroupLinger, cancellationToken))
                {
                    continue;
                }
                await FlushAsync(applier, replication, cancellationToken);
                // Idle: nothing to apply. Done when the server's WAL position passed endpos with no transaction in
                // flight, seen twice with no message read in between (a Begin read in the meantime would show).
                var messages = decoder.MessagesRead;
                var received = replication.LastReceivedLsn;
                var settled = !applier.InSourceTransaction && !decoder.InTransaction && messages == idleMessages && reader.Count == 0;
                if (settled && sentinel.EndPos is { } endpos && received >= endpos)
                {
                    Log.IdlePastEndpos(logger, endpos.ToString(), received.ToString());
                    return;
                }
                if (settled && received > replication.LastFlushedLsn)
                {
                    // Only unpublished tables were written: nothing is in flight, so the slot may let go of that WAL.
                    await AcknowledgeAsync(replication, received, cancellationToken);
                }
                idleMessages = !applier.InSourceTransaction && !decoder.InTransaction ? messages : -1;
                Log.Idle(logger, replication.LastReceivedLsn.ToString(), sentinel.EndPos?.ToString() ?? "-", applier.Applied?.ToString() ?? "-",
                    applier.InSourceTransaction, decoder.InTransaction, messages);
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
                    if (applier.AlreadyApplied(begin))
                    {
                        skipping = true;
                        break;
                    }
                    if (sentinel.EndPos is { } endpos && begin.CommitLsn > endpos)
                    {
                        await FlushAsync(applier, replication, cancellationToken);
                        Log.EndposReached(logger, endpos.ToString(), applier.Applied?.ToString() ?? "nothing");
                        return;
                    }
                    skipping = false;
                    Status?.Applying(begin.CommitTime);
                    await applier.BeginAsync(begin, cancellationToken);
                    break;
                case TransactionCommit commit:
                    if (skipping)
                    {
                        skipping = false;
                        break;
                    }
                    applier.End(commit);
                    // A stream with nothing more to hand over commits on the next read (after GroupLinger).
                    if (applier.Pending >= GroupSize) await FlushAsync(applier, replication, cancellationToken, wait: false);
                    break;
                default:
                    if (skipping) break;
                    await applier.ApplyAsync(record, cancellationToken);
                    break;
            }
        }
    }

    /// <summary>Whether a record arrives within the time given; false also when the stream ended.</summary>
    private static async Task<bool> WaitToReadAsync(ChannelReader<ChangeRecord> reader, TimeSpan wait, CancellationToken cancellationToken)
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
    private async Task FlushAsync(ChangeApplier applier, LogicalReplicationConnection replication, CancellationToken cancellationToken, bool wait = true)
    {
        await applier.FlushAsync(cancellationToken, wait);
        await ReportCommittedAsync(applier, replication, cancellationToken);
    }

    private async Task ReportCommittedAsync(ChangeApplier applier, LogicalReplicationConnection replication, CancellationToken cancellationToken)
    {
        if (applier.TakeCommitted() is not { } done) return;
        Status?.Applied(done.Commit.CommitLsn);
        Metrics?.Committed(done.Transactions, done.Changes, applier.CacheHits - _reportedHits, applier.CacheMisses - _reportedMisses);
        _reportedHits = applier.CacheHits;
        _reportedMisses = applier.CacheMisses;
        await AcknowledgeAsync(replication, done.Commit.EndLsn, cancellationToken);
    }

    /// <summary>
    /// Tells the source what the target has committed. When the replication stream has just ended (the source
    /// went away), Npgsql refuses; the acknowledgement is dropped, the decoder's error follows through the channel,
    /// and a restart resumes after the origin's position anyway.
    /// </summary>
    private static async Task AcknowledgeAsync(LogicalReplicationConnection replication, NpgsqlLogSequenceNumber lsn, CancellationToken cancellationToken)
    {
        replication.SetReplicationStatus(lsn);
        try
        {
            await replication.SendStatusUpdate(cancellationToken);
        }
        catch (InvalidOperationException)
        {
        }
    }

    /// <summary>
    /// A follower that was just killed leaves its WAL sender, and the slot active, until the server notices; the
    /// slot is waited for rather than the restart refused.
    /// </summary>
    private async Task WaitForSlotAsync(CancellationToken cancellationToken)
    {
        await using var connection = await source.OpenAsync("follow", ExitCode.SourceFailure, cancellationToken);
        for (var attempt = 0; ; attempt++)
        {
            await using var command = new NpgsqlCommand("SELECT active FROM pg_replication_slots WHERE slot_name = $1", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = slotName });
            switch (await command.ExecuteScalarAsync(cancellationToken))
            {
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

    /// <summary>After endpos: the target's sequences take the source's values, and the sentinel records the end.</summary>
    private async Task FinishAsync(CancellationToken cancellationToken)
    {
        Status?.Enter(FollowPhase.Finishing);
        await using var sourceConnection = await source.OpenAsync("follow", ExitCode.SourceFailure, cancellationToken);
        await using var targetConnection = await target.OpenAsync("follow", ExitCode.TargetFailure, cancellationToken);
        var count = await SequenceSync.RunAsync(catalog, sourceConnection, targetConnection, cancellationToken);
        await using var done = new NpgsqlCommand("UPDATE follow.sentinel SET done_at = now()", targetConnection);
        await done.ExecuteNonQueryAsync(cancellationToken);
        Log.Done(logger, count);
    }

    private static async Task<NpgsqlLogSequenceNumber> LatestRunAsync(NpgsqlConnection target, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT consistent_point FROM follow.run WHERE finished_at IS NOT NULL ORDER BY run_id DESC LIMIT 1", target);
        return await command.ExecuteScalarAsync(cancellationToken) is NpgsqlLogSequenceNumber lsn
            ? lsn
            : throw new BadInputException("the target has no finished copy to stream from (follow.run); run follow clone first, or follow clone --follow");
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 40, Level = LogLevel.Information, Message = "streaming from slot {Slot} at {Lsn}")]
        public static partial void Streaming(ILogger logger, string slot, string lsn);

        [LoggerMessage(EventId = 41, Level = LogLevel.Information, Message = "endpos {Endpos} reached: applied up to {Applied}")]
        public static partial void EndposReached(ILogger logger, string endpos, string applied);

        [LoggerMessage(EventId = 42, Level = LogLevel.Information, Message = "idle past endpos {Endpos} (source WAL at {Received}): everything up to it is applied")]
        public static partial void IdlePastEndpos(ILogger logger, string endpos, string received);

        [LoggerMessage(EventId = 44, Level = LogLevel.Debug, Message = "idle: received {Received}, endpos {Endpos}, applied {Applied}, applying {Applying}, decoding {Decoding}, {Messages} messages")]
        public static partial void Idle(ILogger logger, string received, string endpos, string applied, bool applying, bool decoding, long messages);

        [LoggerMessage(EventId = 45, Level = LogLevel.Information, Message = "created {Count} look-up indexes on the target's replica identity columns (follow stream cleanup drops them)")]
        public static partial void LookupIndexesCreated(ILogger logger, int count);

        [LoggerMessage(EventId = 43, Level = LogLevel.Information, Message = "stream done: set {Count} sequences to the source's values")]
        public static partial void Done(ILogger logger, int count);
    }
}
