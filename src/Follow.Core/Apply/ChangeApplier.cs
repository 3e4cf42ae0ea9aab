using Follow.Connections;
using Follow.Decode;
using Follow.Diagnostics;
using Follow.Enrich;
using Follow.Model;
using Follow.Planning;
using Npgsql;
using NpgsqlTypes;

namespace Follow.Apply;

/// <summary>
/// Applies source transactions to the target in commit order, several to one target transaction, with values
/// bound as parameters. Each target transaction also records the last source commit LSN it holds with the
/// replication origin and in the sentinel's replay_lsn, so a restart resumes exactly after it. Changes are taken
/// in segments: walked ahead for the distribution keys they need (<see cref="KeyEnricher"/>), the misses looked up
/// in one batch, then written in order as pipelined batches of prepared statements. Changes of distributed tables
/// carry the distribution key in their WHERE clause.
/// </summary>
public sealed partial class ChangeApplier : IAsyncDisposable
{
    // A segment bounds what is held in memory and how far the look-ahead reaches; a batch, how many writes go to
    // the target in one round trip.
    private const int SegmentSize = 8_000;
    private const int BatchSize = 500;

    // A batch is also cut by its values, so that multi-row inserts of wide rows keep memory bounded too.
    private const int BatchValues = 5_000;
    private int _writeValues;

    private bool BatchFull => _writes.Count >= BatchSize || _writeValues >= BatchValues;

    /// <summary>
    /// Replication origins belong to the whole server, so each target database gets its own: two migrations into
    /// one server must not share one.
    /// </summary>
    public static async Task<string> OriginNameAsync(NpgsqlConnection target, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT 'follow_' || oid FROM pg_database WHERE datname = current_database()", target);
        return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private const string CitusCheckpoint = """
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'follow.sentinel'::regclass) THEN
                PERFORM citus_add_local_table_to_metadata('follow.sentinel');
            END IF;
        END $$
        """;

    private readonly DistributionPlan _plan;
    private readonly NpgsqlConnection _connection;
    private readonly KeyEnricher _enricher;
    // The target transaction is opened and committed by statements sent with the writes, so that a commit goes
    // out with the last batch and the next changes are prepared while the target runs it.
    private bool _inTransaction;
    private TransactionBegin? _begin;

    // Changes read but not yet written, each with its source transaction, and writes not yet sent.
    private readonly List<(RowChange Change, TransactionBegin Begin)> _segment = [];
    // Each write with the first and last source transaction it holds (a multi-row insert may hold several).
    private List<(NpgsqlBatchCommand Command, TransactionBegin? First, TransactionBegin? Last)> _writes = new(BatchSize);
    private Task? _inFlight;

    // The source transaction of the change being written, for the writes it queues.
    private TransactionBegin? _writing;

    private ChangeApplier(DistributionPlan plan, NpgsqlConnection connection)
    {
        _plan = plan;
        _connection = connection;
        _enricher = new KeyEnricher(plan);
    }

    /// <summary>The commit LSN of the last transaction applied, by this run or an earlier one.</summary>
    public NpgsqlLogSequenceNumber? Applied { get; private set; }

    /// <summary>Between a source transaction's Begin and its Commit.</summary>
    public bool InSourceTransaction => _begin is not null;

    /// <summary>Source transactions applied in the open target transaction, not yet committed.</summary>
    public int Pending { get; private set; }

    private TransactionCommit? _lastPending;

    /// <summary>Distribution keys the cache answered, and those looked up on the target, since the start.</summary>
    public long CacheHits => _enricher.Hits;

    public long CacheMisses => _enricher.Misses;

    public static async Task<ChangeApplier> OpenAsync(DistributionPlan plan, ConnectionInfo target, CancellationToken cancellationToken)
    {
        var connection = await target.OpenAsync("follow apply", ExitCode.TargetFailure, cancellationToken, prepare: true);
        var applier = new ChangeApplier(plan, connection);
        var origin = await OriginNameAsync(connection, cancellationToken);
        await applier.ExecuteAsync(
            "SELECT pg_replication_origin_create($1) WHERE NOT EXISTS (SELECT 1 FROM pg_replication_origin WHERE roname = $1)",
            cancellationToken, origin);
        await applier.ExecuteAsync("SELECT pg_replication_origin_session_setup($1)", cancellationToken, origin);
        // On Citus a transaction that touches one shard commits nothing on the coordinator, so the origin does not
        // move; replay_lsn does, and as a table in Citus' metadata it commits with the shards (two-phase commit).
        applier._citus = await connection.HasCitusAsync(cancellationToken);
        if (applier._citus) await applier.ExecuteAsync(CitusCheckpoint, cancellationToken);
        // As PostgreSQL's own apply worker does: the source already ran triggers and checked foreign keys.
        await applier.ExecuteAsync("SET session_replication_role = replica", cancellationToken);
        await using (var progress = new NpgsqlCommand(
            "SELECT greatest(pg_replication_origin_progress($1, true), (SELECT replay_lsn FROM follow.sentinel))", connection))
        {
            progress.Parameters.Add(new NpgsqlParameter { Value = origin });
            applier.Applied = await progress.ExecuteScalarAsync(cancellationToken) is NpgsqlLogSequenceNumber lsn ? lsn : null;
        }
        return applier;
    }

    /// <summary>Whether a transaction is one an earlier run applied already (a commit at or before the applied LSN).</summary>
    public bool AlreadyApplied(TransactionBegin begin) => Applied is { } applied && begin.CommitLsn <= applied;

    /// <summary>Small source transactions share one target transaction: it is opened by the first of them.</summary>
    public async Task BeginAsync(TransactionBegin begin, CancellationToken cancellationToken)
    {
        _begin = begin;
        if (_inTransaction) return;
        await QueueAsync("BEGIN", cancellationToken);
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
                _writing = _begin;
                var tables = truncate.Relations.Select(r => Table(r).Name.Quoted);
                await QueueAsync($"TRUNCATE {string.Join(", ", tables)}{(truncate.Cascade ? " CASCADE" : "")}", cancellationToken);
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
            _writing = null;
            await QueueAsync("SELECT pg_replication_origin_xact_setup($1, $2)", cancellationToken,
                new NpgsqlParameter { Value = commit.CommitLsn, NpgsqlDbType = NpgsqlDbType.PgLsn },
                new NpgsqlParameter { Value = commit.CommitTime });
            await QueueAsync("UPDATE follow.sentinel SET replay_lsn = $1", cancellationToken,
                new NpgsqlParameter { Value = commit.CommitLsn, NpgsqlDbType = NpgsqlDbType.PgLsn });
            // The batch that carries the COMMIT carries the commit too: only once it has run is it applied.
            _writes.Add((new NpgsqlBatchCommand("COMMIT"), null, null));
            _committing = (commit, Pending, _changes);
            _changes = 0;
            await StartSendingAsync(cancellationToken);
            _inTransaction = false;
            _lastPending = null;
            Pending = 0;
        }
        if (wait) await WaitForSentAsync();
    }

    // The commit queued with the writes not yet sent, the one in the batch in flight, and those run since the
    // last TakeCommitted, with the source transactions and changes they hold.
    private (TransactionCommit Commit, int Transactions, int Changes)? _committing;
    private (TransactionCommit Commit, int Transactions, int Changes)? _inFlightCommit;
    private (TransactionCommit Commit, int Transactions, int Changes)? _committed;
    private int _changes;

    public bool HasCommitted => _committed is not null;

    /// <summary>The last commit the target ran since the previous call, with the source transactions and changes of all run since; null when none.</summary>
    public (TransactionCommit Commit, int Transactions, int Changes)? TakeCommitted()
    {
        var committed = _committed;
        _committed = null;
        return committed;
    }

    // By relation object: the decoder keeps one per relation until its columns change.
    private readonly Dictionary<Relation, (TablePlan Table, IReadOnlyList<int>? Key)> _relations = new(ReferenceEqualityComparer.Instance);

    private TablePlan Table(Relation relation) => Described(relation).Table;

    private (TablePlan Table, IReadOnlyList<int>? Key) Described(Relation relation)
    {
        if (_relations.TryGetValue(relation, out var known)) return known;
        var table = _plan.Find(relation.Name) ?? throw new FollowException(
            $"the stream sent a change of {relation.Name}, which is not in the plan; the publication and the plan disagree: run follow stream cleanup and clone again",
            ExitCode.Internal);
        // The replica identity the stream marks, else the primary key; null for REPLICA IDENTITY FULL, where the
        // key is every column the change carries.
        var marked = relation.Columns.Select((c, i) => (c, i)).Where(x => x.c.IsKey).Select(x => x.i).ToList();
        IReadOnlyList<int>? key = marked.Count > 0 ? marked
            : table.Source.PrimaryKey is { } pk ? [.. pk.Columns.Select(relation.IndexOf)]
            : null;
        return _relations[relation] = (table, key);
    }

    /// <summary>
    /// Writes the changes held: walked ahead for the keys they need, the misses looked up in one batch, then
    /// queued in order. A change that moves a row to another key moves its children on the target too, which no
    /// look-ahead foresaw: the walk starts again after it.
    /// </summary>
    private async Task ApplySegmentAsync(CancellationToken cancellationToken)
    {
        var start = 0;
        while (start < _segment.Count)
        {
            _enricher.BeginSegment();
            for (var i = start; i < _segment.Count; i++) LookAhead(_segment[i].Change);
            await LookUpMissesAsync(cancellationToken);
            start = await WriteAsync(start, cancellationToken);
        }
        _segment.Clear();
    }

    /// <summary>Queues the writes of the segment from <paramref name="start"/>; returns where to walk ahead again.</summary>
    private async Task<int> WriteAsync(int start, CancellationToken cancellationToken)
    {
        for (var i = start; i < _segment.Count; i++)
        {
            _writing = _segment[i].Begin;
            if (await ApplyRowAsync(_segment[i].Change, cancellationToken)) return i + 1;
        }
        return _segment.Count;
    }

    /// <summary>The misses of a segment, looked up after every write before it: one round trip for all.</summary>
    private async Task LookUpMissesAsync(CancellationToken cancellationToken)
    {
        if (!_enricher.HasMisses) return;
        await SendAsync(cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        _enricher.LookUpMisses(_connection);
    }

    /// <summary>A look-up the walk ahead did not foresee: asked at once, after the writes before it.</summary>
    private async Task<string?> LookUpAsync(KeyEnricher.Lookup lookup, NpgsqlBatchCommand query, CancellationToken cancellationToken)
    {
        await SendAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(_connection);
        batch.BatchCommands.Add(query);
        var value = await batch.ExecuteScalarAsync(cancellationToken) as string;
        _enricher.Found(lookup, value);
        return value;
    }

    private async Task QueueAsync(string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var parameter in parameters) command.Parameters.Add(parameter);
        await ReleaseAsync(cancellationToken);
        _writes.Add((command, _writing, _writing));
        _writeValues += parameters.Length;
        if (BatchFull) await StartSendingAsync(cancellationToken);
    }

    /// <summary>Sends the queued writes and waits until the target has run everything sent.</summary>
    private async Task SendAsync(CancellationToken cancellationToken)
    {
        await StartSendingAsync(cancellationToken);
        await WaitForSentAsync();
    }

    /// <summary>
    /// Sends the queued writes as one pipelined batch without waiting for it: while the target runs it, the next
    /// batch is prepared. One batch at most is in flight; anything else on the connection waits for it first.
    /// </summary>
    private async Task StartSendingAsync(CancellationToken cancellationToken)
    {
        await WaitForSentAsync();
        await ReleaseAsync(cancellationToken);
        if (_writes.Count == 0) return;
        var writes = _writes;
        _writes = new List<(NpgsqlBatchCommand, TransactionBegin?, TransactionBegin?)>(BatchSize);
        _writeValues = 0;
        _inFlightCommit = _committing;
        _committing = null;
        _inFlight = RunAsync(writes, cancellationToken);
    }

    private async Task RunAsync(List<(NpgsqlBatchCommand Command, TransactionBegin? First, TransactionBegin? Last)> writes, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(_connection);
        foreach (var (command, _, _) in writes) batch.BatchCommands.Add(command);
        try
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException ex)
        {
            var refused = writes.FirstOrDefault(w => ReferenceEquals(w.Command, ex.BatchCommand));
            throw Refused(ex, refused.First, refused.Last);
        }
    }

    private async Task WaitForSentAsync()
    {
        if (_inFlight is not { } inFlight) return;
        _inFlight = null;
        var commit = _inFlightCommit;
        _inFlightCommit = null;
        await inFlight;
        if (commit is { } done)
        {
            Applied = done.Commit.CommitLsn;
            _committed = _committed is { } earlier ? (done.Commit, earlier.Transactions + done.Transactions, earlier.Changes + done.Changes) : done;
        }
    }

    private static FollowException Refused(PostgresException ex, TransactionBegin? first, TransactionBegin? last = null)
    {
        var of = first is null ? ""
            : last is null || last == first ? $" of the source transaction committed at {first.CommitLsn}"
            : $" of one of the source transactions committed from {first.CommitLsn} to {last.CommitLsn}";
        return new FollowException(
            $"the target refused a change{of}: {ex.MessageText}{(ex.Detail is { } d ? $" ({d})" : "")}; nothing of that transaction was applied",
            ExitCode.TargetFailure, ex);
    }


    /// <summary>A value in PostgreSQL's text form, typed by the server from its column (the unknown type).</summary>
    internal static NpgsqlParameter Text(string? value) =>
        new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Unknown };

    /// <summary>Runs a statement at once, after the queued writes.</summary>
    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await SendAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, _connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(parameter as NpgsqlParameter ?? new NpgsqlParameter { Value = parameter });
        }
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException ex)
        {
            throw Refused(ex, _writing);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await WaitForSentAsync();
        }
        catch (Exception ex) when (ex is FollowException or NpgsqlException or OperationCanceledException)
        {
            // Reported where it was first seen; the transaction is rolled back with the connection.
        }
        await _connection.DisposeAsync();
    }
}
