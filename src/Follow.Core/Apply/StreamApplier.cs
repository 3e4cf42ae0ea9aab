using Follow.Connections;
using Follow.Diagnostics;
using Follow.Enrich;
using Follow.Model;
using Follow.Planning;
using Follow.State;
using Npgsql;
using NpgsqlTypes;

namespace Follow.Apply;

/// <summary>
/// Applies source transactions in commit order, several to one target transaction. Changes are taken in segments:
/// keyed by the enrich stage, planned into groups of writes, written by the target writer. Each target transaction
/// also records the last source commit it holds with the replication origin and in the sentinel's replay_lsn, so a
/// restart resumes exactly after it.
/// </summary>
public sealed class StreamApplier : IAsyncDisposable
{
    // A segment bounds what is held in memory and how far the walk ahead for keys reaches.
    private const int SegmentSize = 8_000;

    private readonly NpgsqlConnection _connection;
    private readonly KeyEnricher _enricher;
    private readonly TargetWriter _writer;
    private readonly RowMover _mover;
    private readonly List<(RowChange Change, TransactionBegin Transaction)> _segment = [];

    // The target transaction is opened by the first source transaction it holds.
    private bool _inTransaction;
    private TransactionBegin? _begin;
    private TransactionCommit? _lastPending;
    private int _changes;
    private AppliedWork? _committed;

    // The schema of the origin functions the role may call; null: the applied position is replay_lsn alone.
    private readonly string? _originFunctions;

    private StreamApplier(NpgsqlConnection connection, DistributionPlan plan, bool citus, TargetRights rights, NpgsqlLogSequenceNumber? applied)
    {
        _connection = connection;
        _enricher = new KeyEnricher(plan);
        _originFunctions = rights.OriginFunctions;
        _writer = new TargetWriter(connection, plan, citus, ForeignKeysChecked(citus, rights)) { MarkSent = Committed };
        _mover = new RowMover(_writer);
        Applied = applied;
    }

    /// <summary>Whether a distributed table has a foreign key to a reference table.</summary>
    public static bool RefersToReferenceTables(DistributionPlan plan) =>
        plan.Tables.Any(t => t.Category.IsDistributed() && t.ForeignKeys.Any(k => plan.Find(k.ReferencedTable)?.Category == TableCategory.Reference));

    /// <summary>
    /// Whether the target checks foreign keys while Follow writes: always on Citus (its workers check them whatever the
    /// session says); on PostgreSQL where the role may not set session_replication_role.
    /// </summary>
    public static bool ForeignKeysChecked(bool citus, TargetRights rights) => citus || !rights.MaySkipTriggers;

    public static async Task<StreamApplier> OpenAsync(DistributionPlan plan, ConnectionInfo target, CancellationToken cancellationToken)
    {
        var connection = await target.OpenAsync("follow apply", ExitCode.TargetFailure, cancellationToken, prepare: true);
        try
        {
            var citus = await connection.HasCitusAsync(cancellationToken);
            var rights = await TargetRights.ReadAsync(connection, cancellationToken);
            var applied = await ReplicationOrigin.SetUpAsync(connection, citus, rights.OriginFunctions, cancellationToken);
            // As PostgreSQL's own apply worker does: the source already checked foreign keys, where the role may say so
            // (else the write planner keeps every foreign key's order, as on Citus). Not on Citus: the setting
            // reaches no shard, and silences the trigger through which Citus empties shards on TRUNCATE; there the
            // write planner keeps every foreign key's order, and the triggers are held (HeldTriggers).
            // On Citus, where a distributed table refers to a reference table, an update or delete of many rows runs
            // on every shard with one connection a worker, shard after shard, so that a later write to the reference
            // table in the same transaction is allowed (Citus refuses it after parallel access to a table that refers
            // to it). Without such a key, the shards run in parallel: a third of the time, measured.
            var setting = !citus ? (rights.MaySkipTriggers ? "SET session_replication_role = replica" : null)
                : RefersToReferenceTables(plan) ? "SET citus.multi_shard_modify_mode = sequential"
                : null;
            if (setting is not null)
            {
                await using var session = new NpgsqlCommand(setting, connection);
                await session.ExecuteNonQueryAsync(cancellationToken);
            }
            var applier = new StreamApplier(connection, plan, citus, rights, applied);
            applier.PreloadedKeys = await applier._enricher.PreloadAsync(applier._writer, cancellationToken);
            return applier;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>The commit LSN of the last transaction applied, by this run or an earlier one.</summary>
    public NpgsqlLogSequenceNumber? Applied { get; private set; }

    /// <summary>Between a source transaction's Begin and its Commit.</summary>
    public bool InSourceTransaction => _begin is not null;

    /// <summary>Source transactions applied in the open target transaction, not yet committed.</summary>
    public int Pending { get; private set; }

    /// <summary>
    /// Source transactions grouped into one target transaction at most; a group also ends when the stream has nothing
    /// more to hand over, so a quiet stream applies each transaction at once. Larger on Citus, whose statements over
    /// every shard cost the same for few rows as for many.
    /// </summary>
    public int GroupSize => _writer.Citus ? 5_000 : 2_000;

    /// <summary>After a pause point: a repair may have rewritten rows of the target meanwhile, so no cached key is trusted.</summary>
    public void ForgetKeys() => _enricher.Forget();

    /// <summary>Keys read into the cache before the stream wrote anything.</summary>
    public int PreloadedKeys { get; private set; }

    public long CacheHits => _enricher.Hits;

    public long CacheMisses => _enricher.Misses;

    public bool HasCommitted => _committed is not null;

    /// <summary>Small source transactions share one target transaction: it is opened by the first of them.</summary>
    public async Task BeginAsync(TransactionBegin begin, CancellationToken cancellationToken)
    {
        _begin = begin;
        if (_inTransaction) return;
        await _writer.QueueAsync("BEGIN", null, cancellationToken);
        _inTransaction = true;
    }

    public async Task ApplyAsync(ChangeRecord record, CancellationToken cancellationToken)
    {
        _changes++;
        switch (record)
        {
            case RowChange change:
                _segment.Add((change, _begin!));
                if (_segment.Count >= SegmentSize) await ApplySegmentAsync(cancellationToken);
                break;
            case TruncateChange truncate:
                await ApplySegmentAsync(cancellationToken);
                var tables = truncate.Relations.Select(r => _enricher.Relations.Table(r).Name.Quoted);
                await _writer.QueueAsync($"TRUNCATE {string.Join(", ", tables)}{(truncate.Cascade ? " CASCADE" : "")}", _begin, cancellationToken);
                _enricher.Forget();
                break;
        }
    }

    /// <summary>A source transaction is complete; it commits on the target with the next <see cref="FlushAsync"/>.</summary>
    public void End(TransactionCommit commit)
    {
        _begin = null;
        _lastPending = commit;
        Pending++;
    }

    /// <summary>
    /// Commits the target transaction with the last source commit it holds, recorded with the origin and in
    /// replay_lsn in that same transaction. The COMMIT goes out with the last batch; <paramref name="wait"/> waits
    /// for it, else <see cref="TakeCommitted"/> tells once the target has run it.
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellationToken, bool wait = false)
    {
        if (_lastPending is { } commit && _begin is null)
        {
            await ApplySegmentAsync(cancellationToken);
            foreach (var (sql, parameters) in ReplicationOrigin.RecordCommit(commit.CommitLsn, commit.CommitTime, _originFunctions))
            {
                await _writer.QueueAsync(sql, null, cancellationToken, parameters);
            }
            await _writer.CommitAsync(new AppliedWork(commit, Pending, _changes), cancellationToken);
            _changes = 0;
            _inTransaction = false;
            _lastPending = null;
            Pending = 0;
        }
        if (wait) await _writer.WaitForSentAsync();
    }

    /// <summary>What the target committed since the previous call; null when nothing.</summary>
    public AppliedWork? TakeCommitted()
    {
        var committed = _committed;
        _committed = null;
        return committed;
    }

    private void Committed(object mark)
    {
        var done = (AppliedWork)mark;
        Applied = done.Commit.CommitLsn;
        _committed = _committed is { } earlier ? earlier.Plus(done) : done;
    }

    /// <summary>The segment's changes, keyed and written in order; a move is written at once.</summary>
    private async Task ApplySegmentAsync(CancellationToken cancellationToken)
    {
        if (_segment.Count == 0) return;
        await foreach (var change in _enricher.EnrichAsync(_segment, _writer, cancellationToken))
        {
            if (change.Moves) await _mover.MoveAsync(change, cancellationToken);
            else await _writer.WriteAsync(change, cancellationToken);
        }
        _segment.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _writer.WaitForSentAsync();
        }
        catch (Exception ex) when (ex is FollowException or NpgsqlException or OperationCanceledException)
        {
            // Reported where it was first seen; the transaction is rolled back with the connection.
        }
        await _connection.DisposeAsync();
    }
}
