using System.Data;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Follow.Connections;
using Follow.Diagnostics;
using Follow.Model;
using Follow.Planning;
using Microsoft.Extensions.Logging;
using Follow.State;
using Npgsql;
using NpgsqlTypes;

namespace Follow.Snapshot;

/// <param name="Freeze">Write a table copied in one part frozen (plain PostgreSQL targets): later scans then need not set hint bits.</param>
/// <param name="BackfillMemory">Bytes the maps of parent keys may take at once (see <see cref="BackfillKeyMaps"/>); 0 copies every backfilled table through joins.</param>
public sealed record CopyOptions(int TableJobs = 2, long? SplitTablesLargerThan = null, string WorkMem = "256MB", long BackfillMemory = 64L << 20,
    bool Freeze = false, bool Citus = false);

/// <summary>One job of a copy run: a table, or one ctid range of a large table.</summary>
public sealed record CopyJob(long JobId, TablePlan Table, int Part, int Parts, PageRange? Range, long EstimatedRows, long EstimatedBytes);

/// <summary>
/// Copies every moved table from the slot's snapshot, --table-jobs jobs at a time. Each job pipes
/// <c>COPY (SELECT …) TO STDOUT (FORMAT binary)</c> into <c>COPY … FROM STDIN (FORMAT binary)</c> as raw bytes, and
/// marks itself completed in the same target transaction as its rows, so a killed copy never leaves a part
/// half-copied and marked done. Progress (rows, bytes, elapsed) is written to follow.job as it goes, from a
/// connection of its own so that psql sees it.
/// </summary>
public sealed partial class TableCopier(
    DistributionPlan plan,
    ConnectionInfo source,
    ConnectionInfo target,
    string snapshot,
    CopyOptions options,
    ILogger logger)
    : IAsyncDisposable
{
    public FollowMetrics? Metrics { get; init; }

    /// <summary>
    /// Foreign keys the copy cannot break (see <see cref="ForeignKeysHeldByCopy"/>), made by
    /// <see cref="TableCopied"/> once their parent is copied: their children wait for it, and a child whose foreign
    /// keys are all among them is copied without firing their checks, a row at a time.
    /// </summary>
    public IReadOnlyList<PlannedForeignKey> ForeignKeysBeforeData { get; set; } = [];

    /// <summary>Runs once the last part of a parent of <see cref="ForeignKeysBeforeData"/> is copied, before its children start.</summary>
    public Func<QualifiedName, CancellationToken, Task>? TableCopied { get; set; }

    /// <summary>
    /// Whether the moved tables were created by this run and are empty, so the copy need not empty them first: on
    /// Citus that TRUNCATE reaches every shard of every table (0.3–0.6 s on the benchmark's 160 shards).
    /// </summary>
    public bool TablesCreatedEmpty { get; set; }

    /// <summary>The tables to copy: every moved table, or those a resumed copy did not keep.</summary>
    public IReadOnlySet<QualifiedName>? Only { get; init; }

    private IEnumerable<TablePlan> Copied => Only is { } only ? plan.Tables.Where(t => only.Contains(t.Name)) : plan.Tables;

    // As PostgreSQL's apply worker does: no trigger fires, foreign keys' checks included.
    private const string SkipTriggers = "SELECT set_config('session_replication_role', 'replica', true)";

    private readonly BackfillKeyMaps _maps = new(plan, source, snapshot, options.WorkMem, options.BackfillMemory, logger);

    /// <summary>Starts loading the backfill key maps from the snapshot, so that they are there when the copy starts.</summary>
    public void PreloadKeyMaps(CancellationToken cancellationToken) => _maps.Preload(Copied, cancellationToken);

    public ValueTask DisposeAsync() => _maps.DisposeAsync();

    public static async Task<NpgsqlConnection> OpenInSnapshotAsync(ConnectionInfo source, string snapshot, string workMem, CancellationToken cancellationToken)
    {
        if (!SnapshotName().IsMatch(snapshot)) throw new ArgumentException($"not a snapshot name: {snapshot}", nameof(snapshot));
        var connection = await source.OpenAsync("follow copy", ExitCode.SourceFailure, cancellationToken, bulk: true);
        await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        // SET TRANSACTION SNAPSHOT takes no parameter; the name was checked against the server's format above.
        await ExecuteAsync(connection, $"SET TRANSACTION SNAPSHOT '{snapshot}'", cancellationToken);
        // Hash joins over the backfill path need memory; the default work_mem makes the planner pick merge joins.
        await ExecuteAsync(connection, "SELECT set_config('work_mem', $1, true)", cancellationToken, workMem);
        // One scan per table: compiling it costs more than it saves (measured: 1.2 s of 7.5 s on 2.8 million rows).
        await ExecuteAsync(connection, "SELECT set_config('jit', 'off', true)", cancellationToken);
        return connection;
    }

    /// <summary>
    /// Records a new run and its jobs; large tables are split into page ranges. A resumed copy also records the
    /// tables it keeps, as completed jobs that point to the run that copied them.
    /// </summary>
    public async Task<(long RunId, IReadOnlyList<CopyJob> Jobs)> CreateRunAsync(
        string slotName, NpgsqlLogSequenceNumber consistentPoint, NpgsqlLogSequenceNumber? streamFrom, IEnumerable<TableCopy> kept,
        CancellationToken cancellationToken)
    {
        var sizes = await SourceSizesAsync(cancellationToken);
        string visible;
        await using (var inSnapshot = await OpenInSnapshotAsync(source, snapshot, options.WorkMem, cancellationToken))
        await using (var current = new NpgsqlCommand("SELECT pg_current_snapshot()::text", inSnapshot))
        {
            visible = (string)(await current.ExecuteScalarAsync(cancellationToken))!;
        }
        await using var connection = await OpenTargetAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var runId = await CopyRuns.CreateRunAsync(connection, transaction, slotName, snapshot, consistentPoint, visible, streamFrom, cancellationToken);
        foreach (var table in kept) await CopyRuns.KeepJobAsync(connection, transaction, runId, table, cancellationToken);

        var jobs = new List<CopyJob>();
        foreach (var table in Copied)
        {
            var (bytes, pages, rows) = sizes.GetValueOrDefault(table.Name);
            var ranges = Split(table, bytes, pages);
            for (var i = 0; i < ranges.Count; i++)
            {
                var jobId = await CopyRuns.CreateJobAsync(
                    connection, transaction, runId, table.Name, i + 1, ranges.Count, ranges[i]?.First, ranges[i]?.Last, rows / ranges.Count, cancellationToken);
                jobs.Add(new CopyJob(jobId, table, i + 1, ranges.Count, ranges[i], rows / ranges.Count, bytes / ranges.Count));
            }
        }
        await transaction.CommitAsync(cancellationToken);
        return (runId, jobs);
    }

    private List<PageRange?> Split(TablePlan table, long bytes, long pages)
    {
        if (options.SplitTablesLargerThan is not { } threshold || threshold <= 0 || bytes <= threshold
            || table.Source.Kind == TableKind.Partitioned || pages < 2)
        {
            return [null];
        }
        var parts = (int)Math.Min(pages, (bytes + threshold - 1) / threshold);
        var perPart = (pages + parts - 1) / parts;
        return [.. Enumerable.Range(0, parts).Select(i => (PageRange?)new PageRange(i * perPart, i == parts - 1 ? null : (i + 1) * perPart))];
    }

    private async Task<Dictionary<QualifiedName, (long Bytes, long Pages, long Rows)>> SourceSizesAsync(CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT n.nspname, c.relname, pg_relation_size(c.oid),
                   pg_relation_size(c.oid) / current_setting('block_size')::bigint,
                   greatest(c.reltuples, 0)::bigint
              FROM unnest($1::text[], $2::text[]) AS wanted(schema_name, table_name)
              JOIN pg_namespace n ON n.nspname = wanted.schema_name
              JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = wanted.table_name
            """;
        var sizes = new Dictionary<QualifiedName, (long, long, long)>();
        await using var connection = await source.OpenAsync("follow", ExitCode.SourceFailure, cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = plan.Tables.Select(t => t.Name.Schema).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = plan.Tables.Select(t => t.Name.Name).ToArray() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            sizes[new QualifiedName(reader.GetString(0), reader.GetString(1))] = (reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
        }
        return sizes;
    }

    /// <summary>
    /// Empties the tables to copy unless <see cref="TablesCreatedEmpty"/>, then runs the jobs: tables that others wait
    /// for first (parents of foreign keys made before the data, and of backfilled tables), then the largest first.
    /// The first failure stops the others; it is recorded on its job and reported once.
    /// </summary>
    public async Task CopyAsync(IReadOnlyList<CopyJob> jobs, CancellationToken cancellationToken)
    {
        var emptied = Copied.ToList();
        if (emptied.Count > 0 && !TablesCreatedEmpty)
        {
            await using var connection = await OpenTargetAsync(cancellationToken);
            await ExecuteTargetAsync(connection, $"TRUNCATE {string.Join(", ", emptied.Select(t => t.Name.Quoted))}", cancellationToken);
        }

        _maps.Expect(jobs);
        // A backfilled table also waits for the parent it takes its key from: a kill then never leaves it completed
        // without that parent, which would make a resumed copy copy it again (KeptTables).
        var copied = jobs.Select(j => j.Table.Name).ToHashSet();
        var waitFor = ForeignKeysBeforeData.Select(fk => (Child: fk.Source.Table, Parent: fk.ReferencedTable))
            .Concat(jobs.Select(j => j.Table).Where(t => t.Backfill is { } path && path.Hops[0].Parent != t.Name && copied.Contains(path.Hops[0].Parent))
                .Select(t => (Child: t.Name, Parent: t.Backfill!.Hops[0].Parent)))
            .Distinct()
            .ToLookup(w => w.Child, w => w.Parent);
        var awaited = waitFor.SelectMany(g => g).ToHashSet();
        var heldParents = ForeignKeysBeforeData.Select(fk => fk.ReferencedTable).ToHashSet();
        var pending = jobs.OrderByDescending(j => awaited.Contains(j.Table.Name)).ThenByDescending(j => j.EstimatedBytes).ToList();
        var partsLeft = jobs.GroupBy(j => j.Table.Name).ToDictionary(g => g.Key, g => g.Count());
        var ready = new HashSet<QualifiedName>();
        var running = 0;
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Exception? failure = null;

        bool MayStart(CopyJob job) => waitFor[job.Table.Name].All(ready.Contains);

        async Task WorkAsync()
        {
            var ct = stop.Token;
            try
            {
                while (true)
                {
                    CopyJob? job;
                    Task next;
                    lock (pending)
                    {
                        if (pending.Count == 0) return;
                        job = pending.FirstOrDefault(MayStart);
                        if (job is not null)
                        {
                            pending.Remove(job);
                            running++;
                        }
                        else if (running == 0)
                        {
                            throw new InvalidOperationException($"copy jobs wait for tables that are not copied: {string.Join(", ", pending.Select(j => j.Table.Name).Distinct())}");
                        }
                        next = changed.Task;
                    }
                    if (job is null)
                    {
                        await next.WaitAsync(ct);
                        continue;
                    }
                    await CopyJobAsync(job, _maps, ct);
                    bool last;
                    lock (pending) last = --partsLeft[job.Table.Name] == 0;
                    if (last && heldParents.Contains(job.Table.Name) && TableCopied is { } tableCopied) await tableCopied(job.Table.Name, ct);
                    lock (pending)
                    {
                        if (last) ready.Add(job.Table.Name);
                        running--;
                        var previous = changed;
                        changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                        previous.SetResult();
                    }
                }
            }
            catch (Exception ex)
            {
                if (ex is not OperationCanceledException || !stop.IsCancellationRequested) Interlocked.CompareExchange(ref failure, ex, null);
                stop.Cancel();
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Math.Max(1, options.TableJobs)).Select(_ => Task.Run(WorkAsync, CancellationToken.None)));
        cancellationToken.ThrowIfCancellationRequested();
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
    }

    private async ValueTask CopyJobAsync(CopyJob job, BackfillKeyMaps maps, CancellationToken cancellationToken)
    {
        await using var progress = await OpenTargetAsync(cancellationToken);
        await CopyRuns.UpdateJobAsync(progress, null, job.JobId, "running", 0, 0, TimeSpan.Zero, null, cancellationToken);
        var clock = Stopwatch.StartNew();
        Func<long> rows = () => 0;
        long bytes = 0;
        // Rows and bytes already counted in the metrics, which follow the copy as it goes.
        long countedRows = 0, countedBytes = 0;
        void Count(long rows, long copied)
        {
            Metrics?.Copied(job.Table.Name, rows - countedRows, copied - countedBytes);
            (countedRows, countedBytes) = (rows, copied);
        }
        try
        {
            var map = await maps.AcquireAsync(job, cancellationToken);
            await using var sourceConnection = await OpenInSnapshotAsync(source, snapshot, options.WorkMem, cancellationToken);
            await using var targetConnection = await target.OpenAsync("follow copy", ExitCode.TargetFailure, cancellationToken, bulk: true);
            await using var transaction = await targetConnection.BeginTransactionAsync(cancellationToken);
            var copyOut = map is null ? CopyQuery.CopyOut(job.Table, job.Range) : CopyQuery.CopyOutByKey(job.Table, job.Range);
            var freeze = await TruncateForFreezeAsync(targetConnection, job, cancellationToken);
            if (options.Citus) await targetConnection.LimitConnectionsAsync(job.EstimatedBytes, local: true, cancellationToken);
            // The table has no triggers of its own yet: post-data makes them.
            if (await OnlyHeldForeignKeysAsync(targetConnection, job.Table, cancellationToken)) await ExecuteAsync(targetConnection, SkipTriggers, cancellationToken);
            await using (var reader = await sourceConnection.BeginRawBinaryCopyAsync(copyOut, cancellationToken))
            await using (var writer = await targetConnection.BeginRawBinaryCopyAsync(CopyQuery.CopyIn(job.Table, freeze), cancellationToken))
            {
                Action<byte[], int> write;
                Action done = () => { };
                if (map is null)
                {
                    var counter = new BinaryCopyRowCounter();
                    rows = () => counter.Rows;
                    write = (buffer, count) =>
                    {
                        counter.Observe(buffer.AsSpan(0, count));
                        writer.Write(buffer, 0, count);
                    };
                }
                else
                {
                    var rewriter = new BackfillKeyRewriter(map, writer);
                    rows = () => rewriter.Rows;
                    write = (buffer, count) => rewriter.Write(buffer.AsSpan(0, count));
                    done = rewriter.Flush;
                }
                // A blocking loop on a thread of its own: one await per row (the server sends a CopyData message a
                // row) costs more CPU than the copy itself. Many rows are gathered before each write.
                bytes = await Task.Run(() => CopyPump.Run(reader, write, clock, elapsed =>
                {
                    Count(rows(), elapsed.Bytes);
                    CopyRuns.UpdateJobAsync(progress, null, job.JobId, "running", rows(), elapsed.Bytes, elapsed.Time, null, cancellationToken)
                        .GetAwaiter().GetResult();
                }, cancellationToken), cancellationToken);
                done();
            }
            await CopyRuns.UpdateJobAsync(targetConnection, transaction, job.JobId, "completed", rows(), bytes, clock.Elapsed, null, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            Count(rows(), bytes);
            Log.JobDone(logger, job.Table.Name.ToString(), job.Part, job.Parts, rows(), bytes, clock.Elapsed.TotalSeconds,
                map is not null ? "backfill key map" : job.Table.Backfill is null ? "plain scan" : "backfill joins");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await CopyRuns.UpdateJobAsync(progress, null, job.JobId, "failed", rows(), bytes, clock.Elapsed, ex.Message, CancellationToken.None);
            throw ex is NpgsqlException or IOException
                ? new FollowException($"copying {job.Table.Name} (part {job.Part} of {job.Parts}) failed: {ex.Message}", FailureSide(ex), ex)
                : ex;
        }
        finally
        {
            maps.Release(job);
        }
    }

    /// <summary>
    /// COPY FREEZE needs the table emptied in its own transaction: a table copied in one part is truncated again
    /// there (it is empty already). Not when a foreign key references it, which TRUNCATE would refuse.
    /// </summary>
    private async Task<bool> TruncateForFreezeAsync(NpgsqlConnection connection, CopyJob job, CancellationToken cancellationToken)
    {
        if (!options.Freeze || job.Parts != 1 || job.Table.Source.Kind != TableKind.Regular) return false;
        await using (var referenced = new NpgsqlCommand(
            "SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE contype = 'f' AND confrelid = $1::text::regclass)", connection))
        {
            referenced.Parameters.Add(new NpgsqlParameter { Value = job.Table.Name.Quoted });
            if ((bool)(await referenced.ExecuteScalarAsync(cancellationToken))!) return false;
        }
        await ExecuteTargetAsync(connection, $"TRUNCATE ONLY {job.Table.Name.Quoted}", cancellationToken);
        return true;
    }

    /// <summary>Whether the table has foreign keys and all of them are held by the copy; a rerun may find others.</summary>
    private async Task<bool> OnlyHeldForeignKeysAsync(NpgsqlConnection connection, TablePlan table, CancellationToken cancellationToken)
    {
        var held = ForeignKeysBeforeData.Where(fk => fk.Source.Table == table.Name).Select(fk => fk.Name).ToArray();
        if (held.Length == 0) return false;
        await using var command = new NpgsqlCommand(
            "SELECT coalesce(bool_and(conname = ANY ($2)), false) FROM pg_constraint WHERE contype = 'f' AND conrelid = $1::text::regclass", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = table.Name.Quoted });
        command.Parameters.Add(new NpgsqlParameter { Value = held });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Whether the target's role may copy without firing triggers (a superuser, or granted SET on session_replication_role).</summary>
    public static Task<bool> MaySkipTriggersAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        State.TargetRights.MaySkipTriggersAsync(connection, cancellationToken);

    /// <summary>A PostgreSQL error names its server only through the connection; the copy's errors are mostly the target's.</summary>
    internal static ExitCode FailureSide(Exception ex) => ex is PostgresException { SqlState: "25P02" or "40001" } ? ExitCode.SourceFailure : ExitCode.TargetFailure;

    private Task<NpgsqlConnection> OpenTargetAsync(CancellationToken cancellationToken) =>
        target.OpenAsync("follow copy", ExitCode.TargetFailure, cancellationToken);

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters) command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task ExecuteTargetAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        try
        {
            await ExecuteAsync(connection, sql, cancellationToken);
        }
        catch (PostgresException ex)
        {
            throw new FollowException($"the target {target.Redacted} refused {sql}: {ex.MessageText}", ExitCode.TargetFailure, ex);
        }
    }

    [GeneratedRegex("^[0-9A-F]+-[0-9A-F]+(-[0-9]+)?$")]
    private static partial Regex SnapshotName();

    private static partial class Log
    {
        [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "copied {Table} (part {Part} of {Parts}): {Rows} rows, {Bytes} bytes in {Seconds:F1} s ({Read})")]
        public static partial void JobDone(ILogger logger, string table, int part, int parts, long rows, long bytes, double seconds, string read);
    }
}
