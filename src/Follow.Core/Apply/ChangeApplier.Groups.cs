using System.Text;
using Follow.Decode;
using Follow.Enrich;
using Follow.Model;
using Follow.Planning;
using Npgsql;

namespace Follow.Apply;

/// <summary>
/// Writes are held for a while and sent in groups: the rows of one table and one statement shape go out as one
/// statement, a multi-row INSERT (a long run of inserts with COPY) and, on PostgreSQL, a multi-row UPDATE or DELETE
/// joined to a VALUES list. The target then runs one statement for many rows, which costs it far less than one
/// statement a row.
/// </summary>
/// <remarks>
/// A write joins an earlier group only when it commutes with every held write it then goes before: no write to the
/// same row; no write to the same table when the table has a unique key other than the row's identity (one row's
/// value could be taken by another); and where the target checks foreign keys (Citus checks them on the workers
/// whatever session_replication_role says), no write to a table related to it by one. Within a group the rows keep
/// their order. Everything held goes out, group by group, before anything else is sent (a look-up, a move, a
/// TRUNCATE, the commit), and all of it is in one target transaction, so no source transaction's outcome changes.
/// </remarks>
public sealed partial class ChangeApplier
{
    private const int StatementRows = 64;
    private const int CopyRows = 256;

    // What is held is bounded, so a transaction of a million inserted rows is written in pieces.
    private const int HeldRows = 2_000;
    private const int HeldValues = 100_000;

    // Whether the target checks foreign keys while the follower writes (Citus), and does not run multi-row
    // UPDATE or DELETE across shards on one route.
    private bool _citus;

    private readonly List<Group> _groups = [];
    private int _heldRows;
    private int _heldValues;

    // The last group that holds a write to a row (by table and identity), to a table, and of a shape.
    private readonly Dictionary<(TablePlan Table, string Identity), int> _lastOfRow = new(new RowComparer());
    private readonly Dictionary<TablePlan, int> _lastOfTable = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Shape, int> _lastOfShape = new(ReferenceEqualityComparer.Instance);

    private readonly Dictionary<TablePlan, bool> _reorderable = new(ReferenceEqualityComparer.Instance);
    private Dictionary<TablePlan, TablePlan[]>? _related;

    private readonly Dictionary<(Relation, bool), Shape> _insertShapes = new(new InsertShapeComparer());
    private readonly Dictionary<(Relation, char, ulong, bool, ulong), Shape> _shapes = new(new ShapeComparer());

    /// <summary>A statement as it is written for one row, and what it takes to write it for several.</summary>
    /// <param name="Columns">The row's values in order: an insert's columns; an update's SET columns, then its WHERE columns; a delete's WHERE columns.</param>
    /// <param name="Set">How many of the columns an update sets.</param>
    /// <param name="Single">The statement for one row (updates and deletes; an insert's is built by row count).</param>
    /// <param name="Multi">Whether rows may share one statement.</param>
    private sealed record Shape(TablePlan Table, ChangeKind Kind, IReadOnlyList<string> Columns, int Set, string? Single, bool Multi)
    {
        // By row count; 0 for the statement that takes arrays.
        public Dictionary<int, string> Statements { get; } = [];

        /// <summary>Each column's type on the target: the added distribution column's, a cast rule's, or the source's.</summary>
        public string[] Types => field ??= [.. Columns.Select(column =>
            Table.AddsDistributionColumn && column == Table.DistributionColumn ? Table.DistributionColumnType!
            : Table.Casts.FirstOrDefault(c => c.Column == column)?.TargetType ?? Table.Source.Column(column)!.Type)];
    }

    private sealed class Group(Shape shape, TransactionBegin? first)
    {
        public Shape Shape { get; } = shape;
        public List<string?[]> Rows { get; } = [];
        public TransactionBegin? First { get; } = first;
        public TransactionBegin? Last { get; set; } = first;
    }

    private async Task InsertAsync(
        TablePlan table, Relation relation, IReadOnlyList<ColumnValue> values, string? added, IReadOnlyDictionary<int, string?>? kept,
        CancellationToken cancellationToken)
    {
        if (!_insertShapes.TryGetValue((relation, added is not null), out var shape))
        {
            IEnumerable<string> columns = relation.Columns.Select(c => c.Name);
            if (added is not null) columns = columns.Prepend(table.DistributionColumn!);
            _insertShapes[(relation, added is not null)] = shape = new Shape(table, ChangeKind.Insert, [.. columns], 0, null, true);
        }
        var row = new string?[shape.Columns.Count];
        var at = 0;
        if (added is not null) row[at++] = added;
        for (var i = 0; i < relation.Columns.Count; i++)
        {
            var value = values[i];
            row[at++] = value.Kind == ValueKind.UnchangedToast ? kept?.GetValueOrDefault(i) : value.Text;
        }
        var key = Described(relation).Key;
        await HoldAsync(shape, row, key is null ? null : KeyEnricher.RowKey([.. key.Select(k => values[k])]), null, cancellationToken);
    }

    private async Task UpdateAsync(
        TablePlan table, Relation relation, IReadOnlyList<ColumnValue> values, IReadOnlyList<int> key, IReadOnlyList<ColumnValue> keyValues,
        string? distributionValue, CancellationToken cancellationToken)
    {
        var row = new List<string?>(values.Count + key.Count + 1);
        ulong unchanged = 0;
        for (var i = 0; i < relation.Columns.Count; i++)
        {
            // An unchanged TOAST value is not sent and not written; the distribution column never appears in SET.
            if (values[i].Kind == ValueKind.UnchangedToast || relation.Columns[i].Name == table.DistributionColumn)
            {
                if (i < 64) unchanged |= 1UL << i;
                continue;
            }
            row.Add(values[i].Text);
        }
        if (row.Count == 0) return;
        var set = row.Count;
        var nulls = WhereValues(key, keyValues, distributionValue, row);
        var shapeKey = (relation, 'u', unchanged, distributionValue is not null, nulls);
        var identified = Described(relation).Key is not null;
        var cached = relation.Columns.Count <= 64 && identified;
        if (!cached || !_shapes.TryGetValue(shapeKey, out var shape))
        {
            var sets = new List<string>();
            for (var i = 0; i < relation.Columns.Count; i++)
            {
                if (values[i].Kind == ValueKind.UnchangedToast || relation.Columns[i].Name == table.DistributionColumn) continue;
                sets.Add(relation.Columns[i].Name);
            }
            var sql = $"UPDATE {table.Name.Quoted} SET {string.Join(", ", sets.Select((c, n) => $"{Sql.Ident(c)} = ${n + 1}"))} "
                + $"WHERE {Where(table, relation, key, keyValues, distributionValue, sets.Count)}";
            shape = new Shape(table, ChangeKind.Update, [.. sets, .. WhereColumns(table, relation, key, keyValues, distributionValue)], sets.Count, sql,
                cached && nulls == 0 && !_citus);
            if (cached) _shapes[shapeKey] = shape;
        }
        string? identity = null, newIdentity = null;
        if (identified)
        {
            identity = KeyEnricher.RowKey(keyValues);
            newIdentity = KeyEnricher.RowKey([.. key.Select(k => values[k])]);
        }
        await HoldAsync(shape, [.. row], identity, newIdentity == identity ? null : newIdentity, cancellationToken);
    }

    private async Task DeleteAsync(
        TablePlan table, Relation relation, IReadOnlyList<int> key, IReadOnlyList<ColumnValue> keyValues, string? distributionValue,
        CancellationToken cancellationToken)
    {
        var row = new List<string?>(key.Count + 1);
        var nulls = WhereValues(key, keyValues, distributionValue, row);
        var shapeKey = (relation, 'd', 0UL, distributionValue is not null, nulls);
        // REPLICA IDENTITY FULL: the key is every column the change carries, so it has no one shape.
        var identified = Described(relation).Key is not null;
        var cached = key.Count <= 64 && identified;
        if (!cached || !_shapes.TryGetValue(shapeKey, out var shape))
        {
            var sql = $"DELETE FROM {table.Name.Quoted} WHERE {Where(table, relation, key, keyValues, distributionValue, 0)}";
            shape = new Shape(table, ChangeKind.Delete, WhereColumns(table, relation, key, keyValues, distributionValue), 0, sql,
                cached && nulls == 0 && !_citus);
            if (cached) _shapes[shapeKey] = shape;
        }
        await HoldAsync(shape, [.. row], identified ? KeyEnricher.RowKey(keyValues) : null, null, cancellationToken);
    }

    /// <summary>
    /// Holds a write: in the last group of its shape when no held write after that group is one it must not pass,
    /// else in a new group at the end.
    /// </summary>
    private async Task HoldAsync(Shape shape, string?[] row, string? identity, string? newIdentity, CancellationToken cancellationToken)
    {
        var table = shape.Table;
        var after = -1;
        if (identity is null || !Reorderable(table))
        {
            after = Math.Max(after, _lastOfTable.GetValueOrDefault(table, -1));
        }
        else
        {
            after = Math.Max(after, _lastOfRow.GetValueOrDefault((table, identity), -1));
            if (newIdentity is not null) after = Math.Max(after, _lastOfRow.GetValueOrDefault((table, newIdentity), -1));
        }
        if (_citus)
        {
            foreach (var related in Related(table)) after = Math.Max(after, _lastOfTable.GetValueOrDefault(related, -1));
        }

        int at;
        if (_lastOfShape.TryGetValue(shape, out var last) && last > after && _groups[last].Rows.Count < HeldRows)
        {
            at = last;
        }
        else
        {
            at = _groups.Count;
            _groups.Add(new Group(shape, _writing));
            _lastOfShape[shape] = at;
        }
        var group = _groups[at];
        group.Rows.Add(row);
        group.Last = _writing;
        if (identity is not null) _lastOfRow[(table, identity)] = at;
        if (newIdentity is not null) _lastOfRow[(table, newIdentity)] = at;
        if (_lastOfTable.GetValueOrDefault(table, -1) < at) _lastOfTable[table] = at;

        _heldRows++;
        _heldValues += row.Length;
        if (_heldRows >= HeldRows || _heldValues >= HeldValues) await ReleaseAsync(cancellationToken);
    }

    /// <summary>
    /// Rows of the table may change places: the replica identity is its only unique key (on PostgreSQL a unique
    /// index is checked row by row) and, where foreign keys are checked, none refers to the table itself.
    /// </summary>
    private bool Reorderable(TablePlan table)
    {
        if (_reorderable.TryGetValue(table, out var known)) return known;
        var source = table.Source;
        var identityIndex = source.ReplicaIdentity switch
        {
            ReplicaIdentity.Default => source.PrimaryKey?.Name,
            ReplicaIdentity.Index => source.ReplicaIdentityIndex,
            _ => null,
        };
        var reorderable = identityIndex is not null
            && source.Indexes.All(i => (!i.IsUnique && i.Constraint is null) || i.Name == identityIndex || i.Constraint == identityIndex)
            && source.UniqueConstraints.All(u => u.Name == identityIndex)
            && !(_citus && table.ForeignKeys.Any(f => f.ReferencedTable == table.Name));
        return _reorderable[table] = reorderable;
    }

    /// <summary>The tables that refer to this one or that it refers to, by a foreign key.</summary>
    private TablePlan[] Related(TablePlan table)
    {
        if (_related is null)
        {
            var related = new Dictionary<TablePlan, HashSet<TablePlan>>(ReferenceEqualityComparer.Instance);
            foreach (var child in _plan.Tables)
            {
                foreach (var key in child.ForeignKeys)
                {
                    if (_plan.Find(key.ReferencedTable) is not { } parent) continue;
                    Add(child, parent);
                    Add(parent, child);
                }
            }
            _related = related.ToDictionary(r => r.Key, r => r.Value.ToArray(), (IEqualityComparer<TablePlan>)ReferenceEqualityComparer.Instance);

            void Add(TablePlan from, TablePlan to)
            {
                if (!related.TryGetValue(from, out var set)) related[from] = set = new HashSet<TablePlan>(ReferenceEqualityComparer.Instance);
                set.Add(to);
            }
        }
        return _related.GetValueOrDefault(table) ?? [];
    }

    /// <summary>Queues what is held, group by group: a long run of inserts with COPY at once, the rest as statements.</summary>
    private async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        if (_groups.Count == 0) return;
        var groups = _groups.ToArray();
        _groups.Clear();
        _lastOfRow.Clear();
        _lastOfTable.Clear();
        _lastOfShape.Clear();
        _heldRows = 0;
        _heldValues = 0;
        foreach (var group in groups)
        {
            var shape = group.Shape;
            if (shape.Kind == ChangeKind.Insert && group.Rows.Count >= CopyRows)
            {
                await SendAsync(cancellationToken);
                await CopyAsync(group, cancellationToken);
                continue;
            }
            if (shape.Multi && Arrays(shape))
            {
                // One parameter a column, an array of the group's values: one statement, whatever the row count.
                var command = new NpgsqlBatchCommand(Statement(shape, 0));
                var text = new StringBuilder();
                for (var c = 0; c < shape.Columns.Count; c++)
                {
                    text.Clear().Append('{');
                    for (var r = 0; r < group.Rows.Count; r++)
                    {
                        if (r > 0) text.Append(',');
                        AppendArrayElement(text, group.Rows[r][c]);
                    }
                    command.Parameters.Add(Text(text.Append('}').ToString()));
                }
                await QueueGroupAsync(command, group, group.Rows.Count, cancellationToken);
                continue;
            }
            // PostgreSQL takes at most 65,535 parameters in one statement.
            var most = shape.Multi ? Math.Max(1, Math.Min(StatementRows, 65_535 / Math.Max(1, shape.Columns.Count))) : 1;
            var at = 0;
            while (at < group.Rows.Count)
            {
                // Row counts in powers of two, so a shape has few statements to prepare.
                var rows = 1;
                while (rows * 2 <= Math.Min(group.Rows.Count - at, most)) rows *= 2;
                var command = new NpgsqlBatchCommand(Statement(shape, rows));
                for (var r = at; r < at + rows; r++)
                {
                    foreach (var value in group.Rows[r]) command.Parameters.Add(Text(value));
                }
                at += rows;
                await QueueGroupAsync(command, group, rows, cancellationToken);
            }
        }
    }

    /// <summary>Queues a statement of <paramref name="rows"/> rows of a group, sending the batch when it is full.</summary>
    private async Task QueueGroupAsync(NpgsqlBatchCommand command, Group group, int rows, CancellationToken cancellationToken)
    {
        _writes.Add((command, group.First, group.Last));
        _writeValues += rows * group.Shape.Columns.Count;
        if (BatchFull) await StartSendingAsync(cancellationToken);
    }

    /// <summary>
    /// Whether a shape's rows go as arrays, one a column (<c>unnest</c>): on PostgreSQL, unless a column is an
    /// array itself (unnest would flatten it) or a type whose arrays are not comma-separated (box).
    /// </summary>
    private bool Arrays(Shape shape) => !_citus && shape.Types.All(t => !t.EndsWith(']') && t != "box");

    /// <summary>An element of an array's text form: quoted, with backslashes and quotes escaped; NULL unquoted.</summary>
    private static void AppendArrayElement(StringBuilder text, string? value)
    {
        if (value is null)
        {
            text.Append("NULL");
            return;
        }
        text.Append('"');
        foreach (var c in value)
        {
            if (c is '"' or '\\') text.Append('\\');
            text.Append(c);
        }
        text.Append('"');
    }

    // The source chose the identity values; the target takes them as they are.
    private static string Overriding(TablePlan table) => table.Source.Columns.Any(c => c.Identity == 'a') ? " OVERRIDING SYSTEM VALUE" : "";

    /// <summary>
    /// The statement for <paramref name="rows"/> rows of a shape: one placeholder a value in a VALUES list, or with
    /// 0 rows one array a column through <c>unnest</c>. Each VALUES or array column is cast to its column's type on the
    /// target, since a list compared with the table's columns would otherwise be text.
    /// </summary>
    private static string Statement(Shape shape, int rows)
    {
        if (shape.Kind != ChangeKind.Insert && rows == 1) return shape.Single!;
        if (shape.Statements.TryGetValue(rows, out var sql)) return sql;
        var table = shape.Table;
        var typed = shape.Kind != ChangeKind.Insert;
        var values = rows == 0
            ? $"unnest({string.Join(", ", shape.Types.Select((t, i) => $"${i + 1}::{t}[]"))})"
            : Values(shape, rows, typed);
        var source = rows == 0 ? values : $"(VALUES {values})";
        sql = shape.Kind switch
        {
            ChangeKind.Insert => $"INSERT INTO {table.Name.Quoted} ({Sql.Idents(shape.Columns)}){Overriding(table)} "
                + (rows == 0 ? $"SELECT * FROM {values}" : $"VALUES {values}"),
            ChangeKind.Update => $"UPDATE {table.Name.Quoted} AS t SET {string.Join(", ", shape.Columns.Take(shape.Set).Select((c, i) => $"{Sql.Ident(c)} = v.c{i + 1}"))} "
                + $"FROM {source} AS v({ValueNames(shape)}) WHERE {Join(shape, shape.Set)}",
            _ => $"DELETE FROM {table.Name.Quoted} AS t USING {source} AS v({ValueNames(shape)}) WHERE {Join(shape, 0)}",
        };
        return shape.Statements[rows] = sql;
    }

    /// <summary>Rows of placeholders, each cast to its column's type when <paramref name="typed"/>.</summary>
    private static string Values(Shape shape, int rows, bool typed)
    {
        var text = new StringBuilder();
        var n = 0;
        for (var r = 0; r < rows; r++)
        {
            text.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < shape.Columns.Count; c++)
            {
                if (c > 0) text.Append(", ");
                text.Append('$').Append(++n);
                if (typed) text.Append("::").Append(shape.Types[c]);
            }
            text.Append(')');
        }
        return text.ToString();
    }

    private static string ValueNames(Shape shape) => string.Join(", ", Enumerable.Range(1, shape.Columns.Count).Select(i => $"c{i}"));

    private static string Join(Shape shape, int from) =>
        string.Join(" AND ", shape.Columns.Skip(from).Select((c, i) => $"t.{Sql.Ident(c)} = v.c{from + i + 1}"));

    /// <summary>
    /// A long run of inserts in COPY's text format: the stream's values are already the columns' text forms, so
    /// they go as they are, escaped (COPY takes identity values without OVERRIDING).
    /// </summary>
    private async Task CopyAsync(Group group, CancellationToken cancellationToken)
    {
        var sql = $"COPY {group.Shape.Table.Name.Quoted} ({Sql.Idents(group.Shape.Columns)}) FROM STDIN";
        try
        {
            await using var writer = await _connection.BeginTextImportAsync(sql, cancellationToken);
            var line = new StringBuilder();
            foreach (var row in group.Rows)
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
            throw Refused(ex, group.First, group.Last);
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

    // Relations and plans by reference: the decoder keeps one object per relation until it changes, and the plan
    // one per table; hashing them as records would hash every column.
    private sealed class InsertShapeComparer : IEqualityComparer<(Relation, bool)>
    {
        public bool Equals((Relation, bool) x, (Relation, bool) y) => ReferenceEquals(x.Item1, y.Item1) && x.Item2 == y.Item2;

        public int GetHashCode((Relation, bool) key) => HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(key.Item1), key.Item2);
    }

    private sealed class ShapeComparer : IEqualityComparer<(Relation, char, ulong, bool, ulong)>
    {
        public bool Equals((Relation, char, ulong, bool, ulong) x, (Relation, char, ulong, bool, ulong) y) =>
            ReferenceEquals(x.Item1, y.Item1) && (x.Item2, x.Item3, x.Item4, x.Item5) == (y.Item2, y.Item3, y.Item4, y.Item5);

        public int GetHashCode((Relation, char, ulong, bool, ulong) key) =>
            HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(key.Item1), key.Item2, key.Item3, key.Item4, key.Item5);
    }

    private sealed class RowComparer : IEqualityComparer<(TablePlan Table, string Identity)>
    {
        public bool Equals((TablePlan Table, string Identity) x, (TablePlan Table, string Identity) y) =>
            ReferenceEquals(x.Table, y.Table) && x.Identity == y.Identity;

        public int GetHashCode((TablePlan Table, string Identity) key) =>
            HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(key.Table), key.Identity);
    }
}
