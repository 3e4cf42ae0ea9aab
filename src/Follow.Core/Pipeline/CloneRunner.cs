using Follow.Connections;
using Follow.Diagnostics;
using Follow.Model;
using Follow.Planning;
using Follow.Snapshot;
using Follow.State;
using Follow.TargetSchema;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Follow.Pipeline;

public sealed record CloneOptions(
    SchemaCloneOptions Schema,
    CopyOptions Copy,
    OrphanPolicy Orphans = OrphanPolicy.Refuse,
    string SlotName = "follow");

/// <summary>
/// The clone, in order: checks; publication and slot with an exported snapshot; the schema dump and the orphan
/// count in that snapshot; pre-data and distribution; the parallel copy; post-data; sequences. Everything that can
/// be refused is refused before the target is changed.
/// </summary>
public sealed partial class CloneRunner(
    DistributionPlan plan, Catalog catalog, ConnectionInfo source, ConnectionInfo target, PgTools tools, CloneOptions options, ILogger logger)
{
    /// <summary>Called when the copy's jobs are recorded and about to run, e.g. to start showing their progress.</summary>
    public Action<long>? CopyStarting { get; init; }

    /// <summary>Where the clone is, for the worker's status and probes; optional.</summary>
    public FollowStatus? Status { get; init; }

    public FollowMetrics? Metrics { get; init; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var schema = new SchemaCloner(plan, catalog, source, target, tools, options.Schema, logger);
        try
        {
            Status?.Enter(FollowPhase.Schema);
            await schema.CheckAsync(cancellationToken);
            // Before the slot exists: an endpos set from then on (the operator's cutover) must survive the clone.
            await ResetStreamAsync(cancellationToken);
            var published = schema.Script.Tables.Where(t => catalog.Find(t)?.PartitionOf is null).ToList();
            await using var snapshot = await SlotSnapshot.CreateAsync(source, options.SlotName, options.SlotName, published, cancellationToken);
            Log.SlotCreated(logger, snapshot.SlotName, snapshot.ConsistentPoint.ToString(), snapshot.SnapshotName);

            await RefuseOrphansAsync(snapshot, cancellationToken);
            await using (var connection = await target.OpenAsync("follow", ExitCode.TargetFailure, cancellationToken))
            {
                await Sentinel.SentinelState.SetStartPosAsync(connection, snapshot.ConsistentPoint, cancellationToken);
            }
            await using var copier = new TableCopier(plan, source, target, snapshot.SnapshotName, options.Copy with { Freeze = !schema.TargetIsCitus }, logger)
            {
                Metrics = Metrics,
            };
            copier.PreloadKeyMaps(cancellationToken);
            await schema.DumpAsync(snapshot.SnapshotName, cancellationToken);
            await schema.CreateAsync(cancellationToken);

            await using (var connection = await target.OpenAsync("follow", ExitCode.TargetFailure, cancellationToken))
            {
                await TargetState.EnsureAsync(connection, cancellationToken);
            }
            var (runId, jobs) = await copier.CreateRunAsync(snapshot.SlotName, snapshot.ConsistentPoint, cancellationToken);
            if (!schema.TargetIsCitus) await ForeignKeysBeforeDataAsync(schema, copier, jobs, cancellationToken);
            Log.CopyStarted(logger, runId, jobs.Count, options.Copy.TableJobs);
            Status?.Enter(FollowPhase.Copy);
            CopyStarting?.Invoke(runId);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var sessions = new SessionQueue(options.Schema.IndexJobs);
            var keyed = new HashSet<QualifiedName>();
            var keysStarted = new HashSet<QualifiedName>();
            var moved = plan.Tables.Select(t => t.Name).ToHashSet();
            // A table's foreign keys as soon as it and the tables it references have their keys, beside the index
            // builds of the others, ahead of those.
            async Task KeysAsync(TablePlan table, CancellationToken ct)
            {
                await schema.CreateKeysAsync(table.Name, (work, finishing) => sessions.RunAsync(work, finishing ? 0 : 1, ct), ct);
                List<QualifiedName> ready;
                lock (keyed)
                {
                    keyed.Add(table.Name);
                    ready = [.. moved.Where(t => !keysStarted.Contains(t) && keyed.Contains(t)
                        && schema.ReferencedBy(t).All(r => keyed.Contains(r) || !moved.Contains(r)))];
                    keysStarted.UnionWith(ready);
                }
                await Task.WhenAll(ready.Select(t => sessions.RunAsync(() => schema.CreateForeignKeysAsync(t, ct), 0, ct)));
            }
            await copier.CopyAsync(jobs, cancellationToken);
            Log.CopyDone(logger, runId, clock.Elapsed.TotalSeconds);
            Status?.Enter(FollowPhase.PostData);
            // Keys and indexes once all the data is in: on 2 cores, building them beside the copy gained nothing
            // overall and slowed the copy by a tenth (pgcopydb overlaps them; measured in bench/README.md).
            // Tables that others reference first, so that their keys are there when the others' foreign keys can be
            // checked; then the largest first.
            var referenced = plan.Tables.SelectMany(t => schema.ReferencedBy(t.Name)).ToHashSet();
            var sizes = jobs.GroupBy(j => j.Table).ToDictionary(g => g.Key, g => g.Sum(j => j.EstimatedBytes));
            await Task.WhenAll(sizes.Keys
                .OrderByDescending(t => referenced.Contains(t.Name)).ThenByDescending(t => sizes[t])
                .Select(t => KeysAsync(t, cancellationToken)));

            await schema.FinishAsync(cancellationToken);
            await SyncSequencesAsync(cancellationToken);
            await FinishRunAsync(runId, cancellationToken);
        }
        finally
        {
            schema.Cleanup();
        }
    }

    /// <summary>
    /// Makes the foreign keys that the copy cannot break before their children's rows come, when the parent is
    /// small next to the children they spare a check: the parent is copied first, its key built, the keys made on
    /// the empty children, which are then copied without firing their checks. Checking afterwards costs about 0.5 µs
    /// a child row (measured on 5.6 million clicks and impressions against 336,000 ads), where the children wait
    /// for the parent's copy and key; sizes are compared in bytes, which are known without statistics. Needs a role
    /// that may copy without firing triggers; Citus checks keys on its workers whatever the session says.
    /// </summary>
    private async Task ForeignKeysBeforeDataAsync(SchemaCloner schema, TableCopier copier, IReadOnlyList<CopyJob> jobs, CancellationToken cancellationToken)
    {
        const int childBytesPerParentByte = 4;
        var bytes = jobs.GroupBy(j => j.Table.Name).ToDictionary(g => g.Key, g => g.Sum(j => j.EstimatedBytes));
        var worth = ForeignKeysHeldByCopy.Find(plan, options.Orphans)
            .Where(fk => fk.Source.Table != fk.ReferencedTable)
            .GroupBy(fk => fk.ReferencedTable)
            .Where(g => g.Select(fk => fk.Source.Table).Distinct().Sum(t => bytes.GetValueOrDefault(t))
                >= childBytesPerParentByte * Math.Max(1, bytes.GetValueOrDefault(g.Key)))
            .SelectMany(g => g)
            .ToList();
        if (worth.Count == 0) return;
        await using (var connection = await target.OpenAsync("follow", ExitCode.TargetFailure, cancellationToken))
        {
            if (!await TableCopier.MaySkipTriggersAsync(connection, cancellationToken)) return;
        }
        copier.ForeignKeysBeforeData = worth;
        copier.TableCopied = async (parent, ct) =>
        {
            foreach (var fk in await schema.CreateForeignKeysBeforeDataAsync(worth.Where(fk => fk.ReferencedTable == parent), ct))
            {
                Log.ForeignKeyBeforeData(logger, fk.Source.Table.ToString(), fk.Name, parent.ToString());
            }
        };
    }

    private async Task RefuseOrphansAsync(SlotSnapshot snapshot, CancellationToken cancellationToken)
    {
        IReadOnlyList<OrphanCheck.Orphans> orphans;
        await using (var connection = await TableCopier.OpenInSnapshotAsync(source, snapshot.SnapshotName, options.Copy.WorkMem, cancellationToken))
        {
            orphans = await OrphanCheck.CountAsync(plan, connection, cancellationToken);
        }
        if (orphans.Count == 0) return;
        if (options.Orphans == OrphanPolicy.Refuse)
        {
            await snapshot.DropAsync(source, CancellationToken.None);
            throw OrphanCheck.Refusal(orphans, plan);
        }
        foreach (var o in orphans) Log.OrphansSkipped(logger, o.Table.ToString(), o.Count);
    }

    /// <summary>A new copy starts a new history: the stream starts at its consistent point, with no endpos or progress.</summary>
    private async Task ResetStreamAsync(CancellationToken cancellationToken)
    {
        await using var connection = await target.OpenAsync("follow", ExitCode.TargetFailure, cancellationToken);
        await Sentinel.SentinelState.ResetAsync(connection, cancellationToken);
        await using var origin = new NpgsqlCommand(
            "SELECT pg_replication_origin_drop(roname) FROM pg_replication_origin WHERE roname = $1", connection);
        origin.Parameters.Add(new NpgsqlParameter { Value = await Apply.ChangeApplier.OriginNameAsync(connection, cancellationToken) });
        await origin.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task SyncSequencesAsync(CancellationToken cancellationToken)
    {
        await using var sourceConnection = await source.OpenAsync("follow", ExitCode.SourceFailure, cancellationToken);
        await using var targetConnection = await target.OpenAsync("follow", ExitCode.TargetFailure, cancellationToken);
        var count = await SequenceSync.RunAsync(catalog, sourceConnection, targetConnection, cancellationToken);
        Log.SequencesSynced(logger, count);
    }

    private async Task FinishRunAsync(long runId, CancellationToken cancellationToken)
    {
        await using var connection = await target.OpenAsync("follow", ExitCode.TargetFailure, cancellationToken);
        await using var command = new NpgsqlCommand("UPDATE follow.run SET finished_at = now() WHERE run_id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = runId });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 30, Level = LogLevel.Information, Message = "created slot {Slot} at {Lsn} with snapshot {Snapshot}")]
        public static partial void SlotCreated(ILogger logger, string slot, string lsn, string snapshot);

        [LoggerMessage(EventId = 31, Level = LogLevel.Information, Message = "data phase: run {Run}, {Jobs} jobs, {TableJobs} at a time")]
        public static partial void CopyStarted(ILogger logger, long run, int jobs, int tableJobs);

        [LoggerMessage(EventId = 32, Level = LogLevel.Information, Message = "data phase done: run {Run} in {Seconds:F1} s")]
        public static partial void CopyDone(ILogger logger, long run, double seconds);

        [LoggerMessage(EventId = 33, Level = LogLevel.Warning, Message = "{Table}: {Count} rows without a distribution key are left out (--orphans skip)")]
        public static partial void OrphansSkipped(ILogger logger, string table, long count);

        [LoggerMessage(EventId = 35, Level = LogLevel.Information, Message = "{Table}: foreign key {Key} made once {Parent} was copied, before its own rows, which the copy cannot break: they are not checked again")]
        public static partial void ForeignKeyBeforeData(ILogger logger, string table, string key, string parent);

        [LoggerMessage(EventId = 34, Level = LogLevel.Information, Message = "set {Count} sequences to the source's values")]
        public static partial void SequencesSynced(ILogger logger, int count);
    }
}
