using Follow.Connections;
using Follow.Decode;
using Follow.Diagnostics;
using Follow.Model;
using Follow.Planning;
using Follow.Snapshot;
using Follow.State;
using Follow.TargetSchema;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Follow.Pipeline;

/// <summary>
/// The clone's phases, which <see cref="MigrationCoordinator"/> runs in order: schema (checks; publication and slot
/// with an exported snapshot; the schema dump and the orphan count in that snapshot; pre-data and distribution),
/// copy (the parallel copy), post-data (keys, indexes, foreign keys, sequences). Everything that can be refused is
/// refused before the target is changed. The slot's snapshot lives from the schema phase to the end of the copy.
/// </summary>
public sealed partial class ClonePhases(
    DistributionPlan plan, Catalog catalog, ConnectionInfo source, ConnectionInfo target, PgTools tools, CloneOptions options, ILogger logger)
    : IAsyncDisposable
{
    /// <summary>Called when the copy's jobs are recorded and about to run, e.g. to start showing their progress.</summary>
    public Action<long>? CopyStarting { get; init; }

    /// <summary>Where the clone is, for the worker's status and probes; optional.</summary>
    public FollowStatus? Status { get; init; }

    public FollowMetrics? Metrics { get; init; }

    /// <summary>What this clone records of its plan on the target, so that later commands keep to it.</summary>
    public required PlanRecord Record { get; init; }

    /// <summary>The target's record before this clone: an unfinished clone's endpos is kept, a finished one's is not.</summary>
    public MigrationRecord? Recorded { get; init; }

    private SchemaCloner? _schema;
    private IReadOnlyDictionary<QualifiedName, TableCopy> _kept = new Dictionary<QualifiedName, TableCopy>();
    private HashSet<QualifiedName>? _copied;
    private NpgsqlLogSequenceNumber? _copiedAt;
    private SlotSnapshot? _snapshot;
    private TableCopier? _copier;
    private long _runId;
    private IReadOnlyList<CopyJob> _jobs = [];

    private SchemaCloner Schema => _schema ?? throw new InvalidOperationException("the schema phase has not run");

    /// <summary>Checks, the slot and its snapshot, the schema dump, pre-data and distribution, the copy's run and jobs.</summary>
    public async Task SchemaAsync(CancellationToken cancellationToken)
    {
        _schema = new SchemaCloner(plan, catalog, source, target, tools, options.Schema, logger);
        Status?.Enter(FollowPhase.Schema);
        await _schema.CheckAsync(cancellationToken);
        var interrupted = await InterruptedCopyAsync(cancellationToken);
        // Before the slot exists: an endpos set from then on (the operator's cutover) must survive the clone.
        await ResetStreamAsync(cancellationToken);
        if (interrupted is not null)
        {
            _snapshot = await SlotSnapshot.ResumeAsync(source, options.SlotName, options.SlotName, interrupted.StreamFrom, cancellationToken);
            if (_snapshot is null) Log.SlotNotKept(logger, options.SlotName, interrupted.RunId);
        }
        if (_snapshot is null)
        {
            var published = _schema.Script.Tables.Where(t => catalog.Find(t)?.PartitionOf is null).ToList();
            _snapshot = await SlotSnapshot.CreateAsync(source, options.SlotName, options.SlotName, published, cancellationToken);
            Log.SlotCreated(logger, _snapshot.SlotName, _snapshot.ConsistentPoint.ToString(), _snapshot.SnapshotName);
        }
        else
        {
            _kept = KeptTables.Choose(plan, interrupted!);
            _copiedAt = _snapshot.ConsistentPoint;
            _copied = plan.Tables.Select(t => t.Name).Where(t => !_kept.ContainsKey(t)).ToHashSet();
            Log.CopyResumed(logger, interrupted!.RunId, _snapshot.SlotName, _snapshot.StreamFrom.ToString(), _kept.Count, _copied.Count,
                _snapshot.ConsistentPoint.ToString());
            foreach (var (table, kept) in _kept) Log.TableKept(logger, table.ToString(), kept.CopiedIn, kept.Lsn.ToString());
            foreach (var table in _copied) Log.TableCopiedAgain(logger, table.ToString(), _snapshot.ConsistentPoint.ToString());
        }

        await RefuseOrphansAsync(_snapshot, cancellationToken);
        await using (var connection = await target.OpenAsync("follow", ExitCode.TargetFailure, cancellationToken))
        {
            await SentinelState.SetStartPosAsync(connection, _snapshot.StreamFrom, cancellationToken);
        }
        _copier = new TableCopier(plan, source, target, _snapshot.SnapshotName, options.Copy with { Freeze = !_schema.TargetIsCitus, Citus = _schema.TargetIsCitus }, logger)
        {
            Metrics = Metrics,
            Only = _copied,
        };
        _copier.PreloadKeyMaps(cancellationToken);
        await _schema.DumpAsync(_snapshot.SnapshotName, cancellationToken);
        await _schema.CreateAsync(cancellationToken);
        _copier.TablesCreatedEmpty = _schema.TablesCreated;

        await using (var connection = await target.OpenAsync("follow", ExitCode.TargetFailure, cancellationToken))
        {
            await TargetState.EnsureAsync(connection, cancellationToken);
        }
        if (_copied is not null) await _schema.DropForeignKeysAsync(_copied, cancellationToken);
        (_runId, _jobs) = await _copier.CreateRunAsync(_snapshot.SlotName, _snapshot.ConsistentPoint, _snapshot.Resumes ? _snapshot.StreamFrom : null,
            _kept.Values, cancellationToken);
        if (!_schema.TargetIsCitus) await ForeignKeysBeforeDataAsync(_schema, _copier, _jobs, cancellationToken);
    }

    /// <summary>
    /// The copy this clone resumes: the latest run, unfinished, of this clone's slot, with tables completed. Null
    /// when the clone starts over (--drop-if-exists, a first clone, or nothing to keep).
    /// </summary>
    private async Task<CopyPoints?> InterruptedCopyAsync(CancellationToken cancellationToken)
    {
        if (options.Schema.DropIfExists || Recorded is not { Phase: RecordedPhase.Copying }) return null;
        await using var connection = await target.OpenAsync("follow", ExitCode.TargetFailure, cancellationToken);
        await TargetState.EnsureAsync(connection, cancellationToken);
        var latest = await CopyPoints.ReadAsync(connection, cancellationToken);
        return latest is { Finished: false } && latest.SlotName == options.SlotName && latest.Tables.Any(t => t.Completed) ? latest : null;
    }

    /// <summary>
    /// The foreign keys between tables whose rows come from different points, held in follow.held_foreign_key
    /// until the stream has passed the later point; post-data leaves them out.
    /// </summary>
    private async Task HoldForeignKeysAsync(SchemaCloner schema, CancellationToken cancellationToken)
    {
        await using var connection = await target.OpenAsync("follow", ExitCode.TargetFailure, cancellationToken);
        await HeldForeignKeys.ClearAsync(connection, cancellationToken);
        // The snapshot is gone with the copy; its point is not.
        if (_copied is null || _copiedAt is not { } copiedAt) return;
        NpgsqlLogSequenceNumber PointOf(QualifiedName table) => _kept.TryGetValue(table, out var kept) ? kept.Lsn : copiedAt;
        var held = new HashSet<(QualifiedName, string)>();
        foreach (var statement in schema.ForeignKeys)
        {
            if (plan.Find(statement.Table)?.ForeignKeys.FirstOrDefault(k => k.Name == statement.Name) is not { } fk || plan.Find(fk.ReferencedTable) is null) continue;
            var (child, parent) = (PointOf(fk.Source.Table), PointOf(fk.ReferencedTable));
            if (child == parent) continue;
            var after = child > parent ? child : parent;
            await HeldForeignKeys.HoldAsync(connection, statement.Table, statement.Name, statement.Sql, after, cancellationToken);
            Log.ForeignKeyHeld(logger, statement.Table.ToString(), statement.Name, after.ToString());
            held.Add((statement.Table, statement.Name));
        }
        schema.Held = held;
    }

    /// <summary>Every table's rows from the slot's snapshot, in parallel.</summary>
    public async Task CopyAsync(CancellationToken cancellationToken)
    {
        var copier = _copier ?? throw new InvalidOperationException("the schema phase has not run");
        Log.CopyStarted(logger, _runId, _jobs.Count, options.Copy.TableJobs);
        Status?.Enter(FollowPhase.Copy);
        CopyStarting?.Invoke(_runId);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await copier.CopyAsync(_jobs, cancellationToken);
        Log.CopyDone(logger, _runId, clock.Elapsed.TotalSeconds);
        // The snapshot is not needed once every row is read: the slot stays.
        await DisposeSnapshotAsync();
    }

    /// <summary>Keys, indexes and foreign keys once all the data is in; sequences; the run recorded as finished.</summary>
    public async Task PostDataAsync(CancellationToken cancellationToken)
    {
        var schema = Schema;
        Status?.Enter(FollowPhase.PostData);
        await HoldForeignKeysAsync(schema, cancellationToken);
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
        // Keys and indexes once all the data is in: on 2 cores, building them beside the copy gained nothing
        // overall and slowed the copy by a tenth (pgcopydb overlaps them; measured in bench/README.md).
        // Tables that others reference first, so that their keys are there when the others' foreign keys can be
        // checked; then the largest first.
        var referenced = plan.Tables.SelectMany(t => schema.ReferencedBy(t.Name)).ToHashSet();
        var sizes = _jobs.GroupBy(j => j.Table).ToDictionary(g => g.Key, g => g.Sum(j => j.EstimatedBytes));
        foreach (var table in plan.Tables.Where(t => _kept.ContainsKey(t.Name))) sizes[table] = table.Source.SizeBytes;
        await Task.WhenAll(sizes.Keys
            .OrderByDescending(t => referenced.Contains(t.Name)).ThenByDescending(t => sizes[t])
            .Select(t => KeysAsync(t, cancellationToken)));

        await schema.FinishAsync(cancellationToken);
        await SyncSequencesAsync(cancellationToken);
        await FinishRunAsync(_runId, cancellationToken);
    }

    private async Task DisposeSnapshotAsync()
    {
        if (_copier is not null) await _copier.DisposeAsync();
        _copier = null;
        if (_snapshot is not null) await _snapshot.DisposeAsync();
        _snapshot = null;
    }

    public async ValueTask DisposeAsync()
    {
        await DisposeSnapshotAsync();
        _schema?.Cleanup();
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
        // A resumed copy's kept tables are from another snapshot: the copy cannot vouch for keys to them.
        var worth = ForeignKeysHeldByCopy.Find(plan, options.Orphans)
            .Where(fk => fk.Source.Table != fk.ReferencedTable && (_copied is null || (_copied.Contains(fk.Source.Table) && _copied.Contains(fk.ReferencedTable))))
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
            orphans = await OrphanCheck.CountAsync(plan, connection, cancellationToken, _copied);
        }
        if (orphans.Count == 0) return;
        if (options.Orphans == OrphanPolicy.Refuse)
        {
            // A resumed copy keeps its slot and the tables already copied: the next run resumes once the rows are fixed.
            if (!snapshot.Resumes) await snapshot.DropAsync(source, CancellationToken.None);
            throw OrphanCheck.Refusal(orphans, plan);
        }
        foreach (var o in orphans) Log.OrphansSkipped(logger, o.Table.ToString(), o.Count);
    }

    /// <summary>
    /// A new copy: the stream starts at its consistent point, without an earlier stream's progress, and the clone's
    /// plan is recorded. An endpos set while a clone is unfinished (the operator's cutover, while a worker restarts)
    /// is kept: the stream stops there. Only a clone that replaces a finished one starts a new history without it.
    /// </summary>
    private async Task ResetStreamAsync(CancellationToken cancellationToken)
    {
        await using var connection = await target.OpenAsync("follow", ExitCode.TargetFailure, cancellationToken);
        var keepEndpos = Recorded is null or { Phase: RecordedPhase.Copying };
        if (keepEndpos && await SentinelState.TryReadAsync(connection, cancellationToken) is { EndPos: { } endpos })
        {
            Log.EndposKept(logger, endpos.ToString());
        }
        await SentinelState.ResetAsync(connection, keepEndpos, cancellationToken);
        await ReplicationOrigin.DropAsync(connection, cancellationToken);
        await MigrationRecord.RecordAsync(connection, Record, options.SlotName, options.SlotName, cancellationToken);
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
        await CopyRuns.FinishRunAsync(connection, runId, cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "created slot {Slot} at {Lsn} with snapshot {Snapshot}")]
        public static partial void SlotCreated(ILogger logger, string slot, string lsn, string snapshot);

        [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "data phase: run {Run}, {Jobs} jobs, {TableJobs} at a time")]
        public static partial void CopyStarted(ILogger logger, long run, int jobs, int tableJobs);

        [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "data phase done: run {Run} in {Seconds:F1} s")]
        public static partial void CopyDone(ILogger logger, long run, double seconds);

        [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "{Table}: {Count} rows without a distribution key are left out (--orphans skip)")]
        public static partial void OrphansSkipped(ILogger logger, string table, long count);

        [LoggerMessage(EventId = 4005, Level = LogLevel.Information, Message = "{Table}: foreign key {Key} made once {Parent} was copied, before its own rows, which the copy cannot break: they are not checked again")]
        public static partial void ForeignKeyBeforeData(ILogger logger, string table, string key, string parent);

        [LoggerMessage(EventId = 4006, Level = LogLevel.Information, Message = "set {Count} sequences to the source's values")]
        public static partial void SequencesSynced(ILogger logger, int count);

        [LoggerMessage(EventId = 4008, Level = LogLevel.Information, Message = "resuming the interrupted copy of run {Run}: slot {Slot} kept (the stream starts at {Lsn}); {Kept} tables kept, {Copied} copied again from a new snapshot at {Snapshot}")]
        public static partial void CopyResumed(ILogger logger, long run, string slot, string lsn, int kept, int copied, string snapshot);

        [LoggerMessage(EventId = 4009, Level = LogLevel.Information, Message = "{Table}: kept, copied by run {Run}, consistent at {Lsn}: the stream applies its changes from there")]
        public static partial void TableKept(ILogger logger, string table, long run, string lsn);

        [LoggerMessage(EventId = 4010, Level = LogLevel.Information, Message = "{Table}: copied again, consistent at {Lsn}: the stream applies its changes from there")]
        public static partial void TableCopiedAgain(ILogger logger, string table, string lsn);

        [LoggerMessage(EventId = 4011, Level = LogLevel.Information, Message = "{Table}: foreign key {Key} joins tables copied at different points: made once the stream has passed {Lsn}")]
        public static partial void ForeignKeyHeld(ILogger logger, string table, string key, string lsn);

        [LoggerMessage(EventId = 4012, Level = LogLevel.Warning, Message = "the interrupted copy of run {Run} cannot be resumed: slot {Slot} is gone, invalidated or was read from; copying every table from a new slot")]
        public static partial void SlotNotKept(ILogger logger, string slot, long run);

        [LoggerMessage(EventId = 4007, Level = LogLevel.Information, Message = "endpos {Endpos}, set before this clone finished, is kept: the stream stops there")]
        public static partial void EndposKept(ILogger logger, string endpos);
    }
}
