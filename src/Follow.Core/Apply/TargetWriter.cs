using System.Text;
using Follow.Connections;
using Follow.Diagnostics;
using Follow.Enrich;
using Follow.Model;
using Follow.Planning;
using Npgsql;

namespace Follow.Apply;

/// <summary>
/// Writes what the planner holds to the target, as statements for its kind of target, in pipelined batches: a long
/// run of inserts with COPY, a group as one statement where it can (arrays through <c>unnest</c> on PostgreSQL),
/// else statements of up to 64 rows. The target transaction is opened and committed by statements sent with the
/// writes, so a commit goes out with the last batch and the next changes are prepared while the target runs it. One
/// batch at most is in flight; anything else on the connection waits for it first. It answers key look-ups after
/// everything written before them (<see cref="ITargetKeys"/>).
/// </summary>
/// <param name="foreignKeysChecked">Whether the target checks foreign keys while Follow writes (Citus; PostgreSQL
/// where the role may not set session_replication_role): writes then keep every key's order.</param>
public sealed class TargetWriter(NpgsqlConnection connection, DistributionPlan plan, bool citus, bool foreignKeysChecked) : ITargetKeys
{
    // How many writes, and values, go to the target in one round trip.
    private const int BatchSize = 500;
    private const int BatchValues = 5_000;
    private const int StatementRows = 64;
    private const int CopyRows = 256;
    private const int CitusSetRows = 16;
    // A shard's rows as one statement from this many: about 2 ms, where a single-row statement costs about 0.7 ms (measured).
    private const int CitusShardRows = 4;

    private readonly WritePlanner _planner = new(plan, foreignKeysChecked, citus ? WritePlanner.CitusHeldRows : WritePlanner.HeldRows);
    private readonly StatementText _text = new();
    private readonly CitusShards _shards = new();
    private readonly TargetRowTypes _rowTypes = new();
    private List<(NpgsqlBatchCommand Command, TransactionBegin? First, TransactionBegin? Last)> _writes = new(BatchSize);
    private int _writeValues;
    private Task? _inFlight;
    private object? _inFlightMark;

    public NpgsqlConnection Connection => connection;

    public DistributionPlan Plan => plan;

    /// <summary>Whether the target is Citus: it routes each statement by its distribution key.</summary>
    public bool Citus => citus;

    /// <summary>Told when the batch carrying a commit (<see cref="CommitAsync"/>) has run on the target.</summary>
    public Action<object>? MarkSent { get; init; }

    private object? _mark;

    /// <summary>A change that does not move its row: held, and written once enough is held.</summary>
    public async Task WriteAsync(KeyedChange change, CancellationToken cancellationToken)
    {
        _planner.Plan(change);
        if (_planner.Full) await ReleaseAsync(cancellationToken);
    }

    public WritePlanner Planner => _planner;

    /// <summary>Queues a statement after everything held; <paramref name="transaction"/> is named when the target refuses it.</summary>
    public async Task QueueAsync(string sql, TransactionBegin? transaction, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var parameter in parameters) command.Parameters.Add(parameter);
        await ReleaseAsync(cancellationToken);
        _writes.Add((command, transaction, transaction));
        _writeValues += parameters.Length;
        if (BatchFull) await StartSendingAsync(cancellationToken);
    }

    /// <summary>
    /// Queues COMMIT and sends it with the last writes; <see cref="MarkSent"/> is told <paramref name="mark"/> once the
    /// batch that carries it has run: only then is it committed.
    /// </summary>
    public async Task CommitAsync(object mark, CancellationToken cancellationToken)
    {
        await ReleaseAsync(cancellationToken);
        _writes.Add((new NpgsqlBatchCommand("COMMIT"), null, null));
        _mark = mark;
        await StartSendingAsync(cancellationToken);
    }

    /// <summary>Sends what is queued and held, and waits until the target has run everything sent.</summary>
    public async Task SendAsync(CancellationToken cancellationToken)
    {
        await StartSendingAsync(cancellationToken);
        await WaitForSentAsync();
    }

    /// <summary>Sends what is queued without waiting for the target to run it.</summary>
    public Task StartAsync(CancellationToken cancellationToken) => StartSendingAsync(cancellationToken);

    public async Task<IReadOnlyList<string?[]>> FindAsync(IReadOnlyList<KeyQuery> queries, CancellationToken cancellationToken)
    {
        await SendAsync(cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        return TargetKeyReader.Read(connection, queries);
    }

    public async Task<IReadOnlyList<(string Key, string Value)>?> ReadAllAsync(KeyQuery query, int most, CancellationToken cancellationToken)
    {
        await SendAsync(cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        return TargetKeyReader.ReadAll(connection, query, most);
    }

    /// <summary>Runs a statement at once, after everything queued.</summary>
    public async Task ExecuteAsync(string sql, TransactionBegin? transaction, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await SendAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters) command.Parameters.Add(parameter);
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException ex)
        {
            throw Refused(ex, transaction);
        }
    }

    private bool BatchFull => _writes.Count >= BatchSize || _writeValues >= BatchValues;

    /// <summary>Queues what the planner holds, group by group.</summary>
    public async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        var groups = _planner.Take();
        if (citus) await LearnShardsAsync(groups, cancellationToken);
        foreach (var group in groups)
        {
            var shape = group.Shape;
            if (shape.Kind == ChangeKind.Insert && group.Rows.Count >= CopyRows)
            {
                await SendAsync(cancellationToken);
                await CopyAsync(group, cancellationToken);
                continue;
            }
            if (!Arrays(shape, group.Rows.Count))
            {
                await QueueRowsAsync(group, group.Rows, cancellationToken);
            }
            else if (!ByShard(shape))
            {
                await QueueArraysAsync(group, group.Rows, false, cancellationToken);
            }
            else
            {
                foreach (var rows in _shards.Split(shape.Table, group.Rows, shape.Set))
                {
                    if (rows.Count < CitusShardRows) await QueueRowsAsync(group, rows, cancellationToken);
                    else if (shape.Types.Any(StatementText.AsText)) await QueueRowTypedAsync(group, rows, cancellationToken);
                    else await QueueArraysAsync(group, rows, true, cancellationToken);
                }
            }
        }
    }

    /// <summary>One parameter a column, an array of the rows' values: one statement, whatever the row count; <paramref name="shard"/>: with the rows' distribution keys, which Citus prunes to their shard by.</summary>
    private async Task QueueArraysAsync(WriteGroup group, IReadOnlyList<string?[]> rows, bool shard, CancellationToken cancellationToken)
    {
        var shape = group.Shape;
        var command = new NpgsqlBatchCommand(shard ? _text.ForShard(shape) : _text.For(shape, 0));
        AddColumnArrays(command, shape, rows, 0);
        if (shard) command.Parameters.Add(ShardKeys(shape, rows));
        await QueueGroupAsync(command, group, rows.Count, cancellationToken);
    }

    /// <summary>One parameter a column from <paramref name="from"/> on: the array of the rows' values.</summary>
    private static void AddColumnArrays(NpgsqlBatchCommand command, Shape shape, IReadOnlyList<string?[]> rows, int from)
    {
        for (var c = from; c < shape.Columns.Count; c++) command.Parameters.Add(TextParameter.Of(Sql.ArrayLiteral(rows.Select(r => r[c]))));
    }

    /// <summary>The distinct distribution keys of a shard's rows: the condition Citus prunes the statement to that shard by.</summary>
    private static NpgsqlParameter ShardKeys(Shape shape, IReadOnlyList<string?[]> rows) =>
        TextParameter.Of(Sql.ArrayLiteral(rows.Select(r => r[shape.Set]).Distinct()));

    /// <summary>An update of array columns of one shard's rows: the SET values as rows of the table's type (<see cref="TargetRowTypes"/>).</summary>
    private async Task QueueRowTypedAsync(WriteGroup group, IReadOnlyList<string?[]> rows, CancellationToken cancellationToken)
    {
        var shape = group.Shape;
        var columns = _rowTypes.Columns(shape.Table);
        var set = shape.Columns.Take(shape.Set).ToList();
        var command = new NpgsqlBatchCommand(_text.ForRowType(shape, columns));
        command.Parameters.Add(TextParameter.Of(Sql.ArrayLiteral(rows.Select(r => TargetRowTypes.Literal(columns, set, r)))));
        AddColumnArrays(command, shape, rows, shape.Set);
        command.Parameters.Add(ShardKeys(shape, rows));
        await QueueGroupAsync(command, group, rows.Count, cancellationToken);
    }

    /// <summary>Rows in VALUES lists of up to <see cref="StatementRows"/> rows where the shape allows, else one a statement.</summary>
    private async Task QueueRowsAsync(WriteGroup group, IReadOnlyList<string?[]> rows, CancellationToken cancellationToken)
    {
        var shape = group.Shape;
        // PostgreSQL takes at most 65,535 parameters in one statement.
        var most = MultiRow(shape) ? Math.Max(1, Math.Min(StatementRows, 65_535 / Math.Max(1, shape.Columns.Count))) : 1;
        var at = 0;
        while (at < rows.Count)
        {
            // Row counts in powers of two, so a shape has few statements to prepare.
            var count = 1;
            while (count * 2 <= Math.Min(rows.Count - at, most)) count *= 2;
            var command = new NpgsqlBatchCommand(_text.For(shape, count));
            for (var r = at; r < at + count; r++)
            {
                foreach (var value in rows[r]) command.Parameters.Add(TextParameter.Of(value));
            }
            at += count;
            await QueueGroupAsync(command, group, count, cancellationToken);
        }
    }

    /// <summary>Whether a group's statement is split by shard: an update or delete of a distributed table on Citus.</summary>
    private bool ByShard(Shape shape) => citus && shape.Kind != ChangeKind.Insert && shape.Table.Category.IsDistributed();

    /// <summary>The shards of the keys of the groups to be split by shard, asked once the target is free.</summary>
    private async Task LearnShardsAsync(IReadOnlyList<WriteGroup> groups, CancellationToken cancellationToken)
    {
        _shards.Trim();
        foreach (var byTable in groups.Where(g => ByShard(g.Shape) && Arrays(g.Shape, g.Rows.Count)).GroupBy(g => g.Shape.Table))
        {
            // The connection is asked only when something is unknown: waiting for the batch in flight stalls the pipeline.
            var unknown = _shards.Unknown(byTable.Key, byTable.SelectMany(g => g.Rows.Select(r => r[g.Shape.Set]!)));
            var rowTypes = byTable.Any(g => g.Shape.Types.Any(StatementText.AsText)) && !_rowTypes.Knows(byTable.Key);
            if (unknown.Count == 0 && !rowTypes) continue;
            await WaitForSentAsync();
            await _shards.LearnAsync(connection, byTable.Key, unknown, cancellationToken);
            if (rowTypes) await _rowTypes.LearnAsync(connection, byTable.Key, cancellationToken);
        }
    }

    /// <summary>
    /// Whether a group's rows go as arrays, one a column (<c>unnest</c>; an array column's values go as text, cast
    /// where used). On PostgreSQL, always. On Citus, an update or delete of at least <see cref="CitusSetRows"/> rows,
    /// split by shard (<see cref="CitusShards"/>): a shard's rows as one statement, fewer than
    /// <see cref="CitusShardRows"/> as single-row statements. An update with array columns goes as rows of its table's type
    /// (<see cref="TargetRowTypes"/>): Citus refuses the cast in SET (array input is a STABLE function), and a VALUES
    /// list is planned as a broadcast result joined by scanning every shard. Inserts go as multi-row VALUES, which
    /// Citus splits by shard itself.
    /// </summary>
    private bool Arrays(Shape shape, int rows) =>
        shape.Multi && (!citus || (shape.Kind != ChangeKind.Insert && rows >= CitusSetRows && (!shape.Types.Any(StatementText.AsText) || RowTyped(shape))));

    /// <summary>Whether an update with array columns goes to Citus as rows of its table's type: by shard, its WHERE columns plain.</summary>
    private bool RowTyped(Shape shape) =>
        ByShard(shape) && shape.Kind == ChangeKind.Update && !shape.Types.Skip(shape.Set).Any(StatementText.AsText);

    /// <summary>Whether rows share a VALUES list: always for inserts; on Citus, smaller updates and deletes go one a row.</summary>
    private bool MultiRow(Shape shape) => shape.Multi && (shape.Kind == ChangeKind.Insert || !citus);

    private async Task QueueGroupAsync(NpgsqlBatchCommand command, WriteGroup group, int rows, CancellationToken cancellationToken)
    {
        _writes.Add((command, group.First, group.Last));
        _writeValues += rows * group.Shape.Columns.Count;
        if (BatchFull) await StartSendingAsync(cancellationToken);
    }

    /// <summary>A long run of inserts in COPY's text format (COPY takes identity values without OVERRIDING).</summary>
    private async Task CopyAsync(WriteGroup group, CancellationToken cancellationToken)
    {
        var sql = $"COPY {group.Shape.Table.Name.Quoted} ({Sql.Idents(group.Shape.Columns)}) FROM STDIN";
        try
        {
            await using var writer = await connection.BeginTextImportAsync(sql, cancellationToken);
            var line = new StringBuilder();
            foreach (var row in group.Rows)
            {
                CopyText.AppendRow(line, row);
                await writer.WriteAsync(line, cancellationToken);
            }
        }
        catch (PostgresException ex)
        {
            throw Refused(ex, group.First, group.Last);
        }
    }

    /// <summary>
    /// Sends the queued writes as one pipelined batch without waiting for it: while the target runs it, the next
    /// batch is prepared.
    /// </summary>
    private async Task StartSendingAsync(CancellationToken cancellationToken)
    {
        await WaitForSentAsync();
        await ReleaseAsync(cancellationToken);
        if (_writes.Count == 0) return;
        var writes = _writes;
        _writes = new List<(NpgsqlBatchCommand, TransactionBegin?, TransactionBegin?)>(BatchSize);
        _writeValues = 0;
        _inFlightMark = _mark;
        _mark = null;
        _inFlight = RunAsync(writes, cancellationToken);
    }

    private async Task RunAsync(List<(NpgsqlBatchCommand Command, TransactionBegin? First, TransactionBegin? Last)> writes, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection);
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

    /// <summary>Waits for the batch in flight, if any; its mark, if it carried one, is told.</summary>
    public async Task WaitForSentAsync()
    {
        if (_inFlight is not { } inFlight) return;
        _inFlight = null;
        var mark = _inFlightMark;
        _inFlightMark = null;
        await inFlight;
        if (mark is not null) MarkSent?.Invoke(mark);
    }

    public static FollowException Refused(PostgresException ex, TransactionBegin? first, TransactionBegin? last = null)
    {
        var of = first is null ? ""
            : last is null || last == first ? $" of the source transaction committed at {first.CommitLsn}"
            : $" of one of the source transactions committed from {first.CommitLsn} to {last.CommitLsn}";
        return new FollowException(
            $"the target refused a change{of}: {ex.MessageText}{(ex.Detail is { } d ? $" ({d})" : "")}; nothing of that transaction was applied",
            ExitCode.TargetFailure, ex);
    }
}
