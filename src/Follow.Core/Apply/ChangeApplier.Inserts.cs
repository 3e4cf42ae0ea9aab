using System.Text;
using Follow.Decode;
using Follow.Model;
using Follow.Planning;
using Npgsql;

namespace Follow.Apply;

/// <summary>
/// Consecutive inserts into one table, in source order, are held as a run and written together: a short run as
/// multi-row INSERTs (up to 64 rows a statement, row counts in powers of two so a table has few statements to
/// prepare), a long one with COPY. Nothing is reordered: any other write ends the run first.
/// </summary>
public sealed partial class ChangeApplier
{
    private const int StatementRows = 64;
    private const int CopyRows = 256;

    // A run is bounded, so a transaction of a million inserted rows is written in pieces.
    private const int RunRows = 10_000;
    private const int RunValues = 100_000;

    private InsertRun? _run;
    private readonly Dictionary<(Relation, bool, int), string> _insertSql = new(new RunShapeComparer());

    private sealed class InsertRun(TablePlan table, Relation relation, bool added, TransactionBegin? first)
    {
        public TablePlan Table { get; } = table;
        public Relation Relation { get; } = relation;
        public bool Added { get; } = added;
        public TransactionBegin? First { get; } = first;
        public TransactionBegin? Last { get; set; } = first;
        public int Columns { get; } = relation.Columns.Count + (added ? 1 : 0);
        public List<string?[]> Rows { get; } = [];
    }

    private async Task InsertAsync(
        TablePlan table, Relation relation, IReadOnlyList<ColumnValue> values, string? added, IReadOnlyDictionary<int, string?>? kept,
        CancellationToken cancellationToken)
    {
        if (_run is { } run && (!ReferenceEquals(run.Relation, relation) || run.Added != added is not null)) await EndRunAsync(cancellationToken);
        _run ??= new InsertRun(table, relation, added is not null, _writing);
        var row = new string?[_run.Columns];
        var at = 0;
        if (added is not null) row[at++] = added;
        for (var i = 0; i < relation.Columns.Count; i++)
        {
            var value = values[i];
            row[at++] = value.Kind == ValueKind.UnchangedToast ? kept?.GetValueOrDefault(i) : value.Text;
        }
        _run.Rows.Add(row);
        _run.Last = _writing;
        if (_run.Rows.Count >= RunRows || _run.Rows.Count * _run.Columns >= RunValues) await EndRunAsync(cancellationToken);
    }

    /// <summary>Writes the pending run: a long one with COPY at once, after everything queued before it; a short one queued.</summary>
    private async Task EndRunAsync(CancellationToken cancellationToken)
    {
        if (_run is not { } run) return;
        if (run.Rows.Count < CopyRows)
        {
            QueueRun();
            if (BatchFull) await StartSendingAsync(cancellationToken);
            return;
        }
        _run = null;
        await SendAsync(cancellationToken);
        await CopyAsync(run, cancellationToken);
    }

    /// <summary>Queues a short run as multi-row INSERTs, without sending them.</summary>
    private void QueueRun()
    {
        if (_run is not { } run) return;
        _run = null;
        // PostgreSQL takes at most 65,535 parameters in one statement.
        var most = Math.Max(1, Math.Min(StatementRows, 65_535 / run.Columns));
        var at = 0;
        while (at < run.Rows.Count)
        {
            var rows = 1;
            while (rows * 2 <= Math.Min(run.Rows.Count - at, most)) rows *= 2;
            var command = new NpgsqlBatchCommand(InsertSql(run, rows));
            for (var r = at; r < at + rows; r++)
            {
                foreach (var value in run.Rows[r]) command.Parameters.Add(Text(value));
            }
            _writes.Add((command, run.First, run.Last));
            _writeValues += rows * run.Columns;
            at += rows;
        }
    }

    private IEnumerable<string> RunColumns(InsertRun run) =>
        (run.Added ? [run.Table.DistributionColumn!] : Array.Empty<string>()).Concat(run.Relation.Columns.Select(c => c.Name));

    private string InsertSql(InsertRun run, int rows)
    {
        if (_insertSql.TryGetValue((run.Relation, run.Added, rows), out var sql)) return sql;
        var values = string.Join(", ", Enumerable.Range(0, rows)
            .Select(r => "(" + string.Join(", ", Enumerable.Range(r * run.Columns + 1, run.Columns).Select(i => $"${i}")) + ")"));
        // The source chose the identity values; the target takes them as they are.
        var overriding = run.Table.Source.Columns.Any(c => c.Identity == 'a') ? " OVERRIDING SYSTEM VALUE" : "";
        return _insertSql[(run.Relation, run.Added, rows)] =
            $"INSERT INTO {run.Table.Name.Quoted} ({Sql.Idents(RunColumns(run))}){overriding} VALUES {values}";
    }

    /// <summary>
    /// A long run in COPY's text format: the stream's values are already the columns' text forms, so they go as
    /// they are, escaped (COPY takes identity values without OVERRIDING).
    /// </summary>
    private async Task CopyAsync(InsertRun run, CancellationToken cancellationToken)
    {
        var sql = $"COPY {run.Table.Name.Quoted} ({Sql.Idents(RunColumns(run))}) FROM STDIN";
        try
        {
            await using var writer = await _connection.BeginTextImportAsync(sql, cancellationToken);
            var line = new StringBuilder();
            foreach (var row in run.Rows)
            {
                line.Clear();
                for (var c = 0; c < row.Length; c++)
                {
                    if (c > 0) line.Append('\t');
                    AppendCopyText(line, row[c]);
                }
                line.Append('\n');
                await writer.WriteAsync(line, cancellationToken);
            }
        }
        catch (PostgresException ex)
        {
            throw Refused(ex, run.First, run.Last);
        }
    }

    private static void AppendCopyText(StringBuilder line, string? value)
    {
        if (value is null)
        {
            line.Append("\\N");
            return;
        }
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': line.Append("\\\\"); break;
                case '\t': line.Append("\\t"); break;
                case '\n': line.Append("\\n"); break;
                case '\r': line.Append("\\r"); break;
                default: line.Append(c); break;
            }
        }
    }

    /// <summary>Relations by reference: the decoder keeps one object per relation until it changes.</summary>
    private sealed class RunShapeComparer : IEqualityComparer<(Relation, bool, int)>
    {
        public bool Equals((Relation, bool, int) x, (Relation, bool, int) y) => ReferenceEquals(x.Item1, y.Item1) && x.Item2 == y.Item2 && x.Item3 == y.Item3;

        public int GetHashCode((Relation, bool, int) key) => HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(key.Item1), key.Item2, key.Item3);
    }
}
