using Follow.Decode;
using Follow.Diagnostics;
using Follow.Model;
using Follow.Planning;
using Npgsql;

namespace Follow.Enrich;

/// <summary>
/// Finds the distribution key of a change. One hop is enough: the parent on the FK path already carries the key on
/// the target. A cache (parent key → distribution key, and row identity → distribution key) is fed by the stream
/// itself, as parents pass through first. The applier works in segments of changes: <see cref="Need"/> walks a
/// segment first and collects what the cache cannot answer and no earlier change of the segment will define; those
/// misses are looked up on the target in one batch, sent after every write before the segment, so each sees every
/// earlier source transaction applied. A miss is a row the stream has not changed since the segment began, so its
/// state on the target at that point is its state when the change is applied. The cache is bounded (100,000
/// entries): when full it starts again, so a transaction of a million rows does not grow the follower.
/// </summary>
public sealed class KeyEnricher(DistributionPlan plan, int capacity = 100_000)
{
    private readonly Dictionary<Lookup, string> _cache = [];

    // The segment being applied: the values its look-ups find, taken from the cache or the target before its first
    // write, then overwritten as its changes define them (null: the row is gone).
    private readonly Dictionary<Lookup, string?> _segment = [];

    // While walking a segment ahead: keys an earlier change of the segment defines, and the misses to look up.
    private readonly HashSet<Lookup> _defined = [];
    private readonly HashSet<Lookup> _missed = [];

    // Misses by a single column go to one query per table and column (= ANY of an array); others, one query each.
    private readonly Dictionary<(bool Row, string Sql), Dictionary<string, Lookup>> _missesByColumn = [];
    private readonly List<(Lookup Lookup, NpgsqlBatchCommand Query)> _missesOneByOne = [];

    // For each parent table, the column lists its children's first hops reference.
    private readonly Dictionary<QualifiedName, List<IReadOnlyList<string>>> _referenced = plan.Tables
        .Where(t => t.Backfill is not null)
        .Select(t => t.Backfill!.Hops[0])
        .GroupBy(h => h.Parent)
        .ToDictionary(g => g.Key, g => g.Select(h => h.ParentColumns).DistinctBy(c => string.Join("\u0001", c)).ToList());

    /// <summary>A parent's key values (Row false) or a row's replica identity (Row true), in a table.</summary>
    /// <remarks>
    /// Hashed by the table's object, not its name: each is the plan's own <see cref="QualifiedName"/> (hashing both
    /// parts of a name for every look-up showed in profiles).
    /// </remarks>
    public readonly struct Lookup(bool row, QualifiedName table, string key) : IEquatable<Lookup>
    {
        public bool Row { get; } = row;
        public QualifiedName Table { get; } = table;
        public string Key { get; } = key;

        public bool Equals(Lookup other) => Row == other.Row && Key == other.Key && (ReferenceEquals(Table, other.Table) || Table == other.Table);

        public override bool Equals(object? obj) => obj is Lookup other && Equals(other);

        public override int GetHashCode() => HashCode.Combine(Row, Key, System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(Table));
    }

    // A hop's parent by the child table, as the plan's own name (see Lookup).
    private readonly Dictionary<TablePlan, QualifiedName> _parentNames = new(ReferenceEqualityComparer.Instance);

    private QualifiedName ParentName(TablePlan table)
    {
        if (!_parentNames.TryGetValue(table, out var name)) _parentNames[table] = name = plan.Get(table.Backfill!.Hops[0].Parent).Name;
        return name;
    }

    public long Hits { get; private set; }

    public long Misses { get; private set; }

    /// <summary>Starts walking a segment: nothing of it is known yet.</summary>
    public void BeginSegment()
    {
        _segment.Clear();
        _defined.Clear();
        _missed.Clear();
        _missesByColumn.Clear();
        _missesOneByOne.Clear();
    }

    /// <summary>The look-up a backfilled row needs for its key; null when its foreign key is NULL (an error later).</summary>
    public Lookup? ParentLookup(TablePlan table, Relation relation, IReadOnlyList<ColumnValue> values)
    {
        var hop = table.Backfill!.Hops[0];
        var key = new string?[hop.ChildColumns.Count];
        for (var i = 0; i < key.Length; i++)
        {
            var value = values[relation.IndexOf(hop.ChildColumns[i])];
            if (value.Kind != ValueKind.Text) return null;
            key[i] = value.Text;
        }
        return new Lookup(false, ParentName(table), key.Length == 1 ? key[0]! : string.Join("\u0001", key));
    }

    public static Lookup RowLookup(TablePlan table, IReadOnlyList<ColumnValue> keyValues) => new(true, table.Name, RowKey(keyValues));

    /// <summary>
    /// Walking ahead: a change will need this look-up. Answered by an earlier change of the segment, by the cache,
    /// or else collected as a miss: with <paramref name="byColumn"/> (the query for one key column, = ANY($1), and
    /// the key's text) into one query for all misses of that column, else with its own query.
    /// </summary>
    public void Need(Lookup lookup, Func<NpgsqlBatchCommand> query, (string Sql, string Value)? byColumn)
    {
        if (_defined.Contains(lookup) || _segment.ContainsKey(lookup) || !_missed.Add(lookup)) return;
        if (_cache.TryGetValue(lookup, out var known))
        {
            _segment[lookup] = known;
            return;
        }
        if (byColumn is not { } column)
        {
            _missesOneByOne.Add((lookup, query()));
            return;
        }
        if (!_missesByColumn.TryGetValue((lookup.Row, column.Sql), out var keys)) _missesByColumn[(lookup.Row, column.Sql)] = keys = [];
        keys[column.Value] = lookup;
    }

    /// <summary>Walking ahead: a change will define this look-up's answer, so later changes need not look it up.</summary>
    public void WillDefine(Lookup lookup) => _defined.Add(lookup);

    public bool HasMisses => _missesByColumn.Count > 0 || _missesOneByOne.Count > 0;

    /// <summary>
    /// Looks the misses up in one round trip; to be called after every write before the segment was sent. A key
    /// the target does not return stays unanswered, and is asked again, alone, when a change needs it.
    /// </summary>
    public void LookUpMisses(NpgsqlConnection connection)
    {
        if (!HasMisses) return;
        using var batch = new NpgsqlBatch(connection);
        foreach (var ((_, sql), keys) in _missesByColumn)
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.Add(Apply.ChangeApplier.Text(ArrayLiteral(keys.Keys)));
            batch.BatchCommands.Add(command);
        }
        foreach (var (_, query) in _missesOneByOne) batch.BatchCommands.Add(query);
        // Synchronous: the applier is one sequential consumer, and blocking reads cost less CPU than a
        // continuation per socket read.
        using var reader = batch.ExecuteReader();
        foreach (var keys in _missesByColumn.Values)
        {
            while (reader.Read())
            {
                if (keys.TryGetValue(reader.GetString(0), out var lookup)) Found(lookup, reader.IsDBNull(1) ? null : reader.GetString(1));
            }
            reader.NextResult();
        }
        foreach (var (lookup, _) in _missesOneByOne)
        {
            Found(lookup, reader.Read() && !reader.IsDBNull(0) ? reader.GetString(0) : null);
            reader.NextResult();
        }
    }

    /// <summary>An array in PostgreSQL's text form, every element quoted: the server reads it as the key column's array type.</summary>
    private static string ArrayLiteral(IEnumerable<string> values)
    {
        var text = new System.Text.StringBuilder("{");
        foreach (var value in values)
        {
            if (text.Length > 1) text.Append(',');
            text.Append('"').Append(value.Replace("\\", "\\\\").Replace("\"", "\\\"")).Append('"');
        }
        return text.Append('}').ToString();
    }

    /// <summary>The query for misses of a parent by its one referenced column, with this row's key; null for several columns.</summary>
    public (string Sql, string Value)? ParentByColumn(TablePlan table, Relation relation, IReadOnlyList<ColumnValue> values)
    {
        var hop = table.Backfill!.Hops[0];
        if (hop.ParentColumns.Count != 1 || values[relation.IndexOf(hop.ChildColumns[0])] is not { Kind: ValueKind.Text, Text: { } value }) return null;
        var parent = plan.Get(hop.Parent);
        return (ByColumnSql(hop.Parent, hop.ParentColumns[0], parent.DistributionColumn!), value);
    }

    /// <summary>The query for misses of rows by a one-column replica identity, with this row's key; null otherwise.</summary>
    public (string Sql, string Value)? RowByColumn(TablePlan table, Relation relation, IReadOnlyList<int> key, IReadOnlyList<ColumnValue> keyValues) =>
        key.Count == 1 && keyValues[0] is { Kind: ValueKind.Text, Text: { } value }
            ? (ByColumnSql(table.Name, relation.Columns[key[0]].Name, table.DistributionColumn!), value)
            : null;

    private readonly Dictionary<(QualifiedName, string), string> _byColumnSql = [];

    private string ByColumnSql(QualifiedName table, string column, string distributionColumn)
    {
        if (!_byColumnSql.TryGetValue((table, column), out var sql))
        {
            // The key is read back as text, the form the stream sends it in, to match each row to its look-up.
            _byColumnSql[(table, column)] = sql =
                $"SELECT {Sql.Ident(column)}::text, {Sql.Ident(distributionColumn)}::text FROM {table.Quoted} WHERE {Sql.Ident(column)} = ANY($1)";
        }
        return sql;
    }

    /// <summary>A miss was answered by the target (null: no such row).</summary>
    public void Found(Lookup lookup, string? value)
    {
        Misses++;
        _segment[lookup] = value;
        if (value is not null) Store(lookup, value);
    }

    /// <summary>
    /// The answer for a change of the segment, or not found when the walk ahead did not foresee it (then the
    /// caller looks it up itself, after sending its writes).
    /// </summary>
    public bool TryGet(Lookup lookup, out string? value)
    {
        if (_segment.TryGetValue(lookup, out value)) { Hits++; return true; }
        if (_cache.TryGetValue(lookup, out var cached)) { Hits++; value = cached; return true; }
        return false;
    }

    /// <summary>The look-up for the key of a backfilled row's parent.</summary>
    public NpgsqlBatchCommand ParentQuery(TablePlan table, Relation relation, IReadOnlyList<ColumnValue> values)
    {
        var hop = table.Backfill!.Hops[0];
        var parent = plan.Get(hop.Parent);
        var where = string.Join(" AND ", hop.ParentColumns.Select((c, i) => $"{Sql.Ident(c)} = ${i + 1}"));
        var command = new NpgsqlBatchCommand($"SELECT {Sql.Ident(parent.DistributionColumn!)}::text FROM {hop.Parent.Quoted} WHERE {where}");
        foreach (var column in hop.ChildColumns) command.Parameters.Add(Apply.ChangeApplier.Text(values[relation.IndexOf(column)].Text));
        return command;
    }

    /// <summary>The look-up for the distribution key a row has on the target, by its replica identity.</summary>
    public static NpgsqlBatchCommand RowQuery(TablePlan table, Relation relation, IReadOnlyList<int> key, IReadOnlyList<ColumnValue> keyValues)
    {
        var n = 0;
        var conditions = key.Select((k, i) => keyValues[i].Kind == ValueKind.Null
            ? $"{Sql.Ident(relation.Columns[k].Name)} IS NULL"
            : $"{Sql.Ident(relation.Columns[k].Name)} = ${++n}");
        var command = new NpgsqlBatchCommand(
            $"SELECT {Sql.Ident(table.DistributionColumn!)}::text FROM {table.Name.Quoted} WHERE {string.Join(" AND ", conditions)}");
        foreach (var value in keyValues.Where(v => v.Kind != ValueKind.Null)) command.Parameters.Add(Apply.ChangeApplier.Text(value.Text));
        return command;
    }

    /// <summary>The error for a backfilled row whose parent the target does not have.</summary>
    public static FollowException MissingParent(TablePlan table, Relation relation, IReadOnlyList<ColumnValue> values)
    {
        var hop = table.Backfill!.Hops[0];
        return new FollowException(
            $"a row of {table.Name} refers to {hop.Parent} ({string.Join(", ", hop.ParentColumns)}) = ({string.Join(", ", hop.ChildColumns.Select(c => values[relation.IndexOf(c)].Text))}), which the target does not have, so its {table.DistributionColumn} is unknown; nothing of that transaction was applied",
            ExitCode.TargetFailure);
    }

    /// <summary>The error for a backfilled row whose foreign key is NULL.</summary>
    public static FollowException NullParent(TablePlan table) => new(
        $"a row of {table.Name} has no {table.DistributionColumn}: its foreign key ({string.Join(", ", table.Backfill!.Hops[0].ChildColumns)}) to {table.Backfill.Hops[0].Parent} is NULL; Citus cannot store it. Fix the row on the source, then run follow follow again",
        ExitCode.SourceFailure);

    /// <summary>The row now holds this key on the target (inserted, updated or moved), or no longer exists (null).</summary>
    public void RememberRow(TablePlan table, IReadOnlyList<ColumnValue> keyValues, string? distributionKey)
    {
        var lookup = RowLookup(table, keyValues);
        _segment[lookup] = distributionKey;
        if (distributionKey is null) _cache.Remove(lookup);
        else Store(lookup, distributionKey);
    }

    /// <summary>A row of a distributed table went by with its key: its children will find it.</summary>
    public void Remember(TablePlan table, Relation relation, IReadOnlyList<ColumnValue> values, string? distributionKey)
    {
        if (distributionKey is null) return;
        foreach (var lookup in ParentKeysOf(table, relation, values))
        {
            _segment[lookup] = distributionKey;
            Store(lookup, distributionKey);
        }
    }

    /// <summary>The parent look-ups a row of this table answers for its children.</summary>
    public IEnumerable<Lookup> ParentKeysOf(TablePlan table, Relation relation, IReadOnlyList<ColumnValue> values)
    {
        if (!_referenced.TryGetValue(table.Name, out var columnLists)) yield break;
        foreach (var columns in columnLists)
        {
            var parts = columns.Select(c => values[relation.IndexOf(c)]).ToList();
            if (parts.Any(v => v.Kind != ValueKind.Text)) continue;
            yield return new Lookup(false, table.Name, parts.Count == 1 ? parts[0].Text! : string.Join("\u0001", parts.Select(v => v.Text)));
        }
    }

    /// <summary>After a TRUNCATE or a move, cached parents and rows may be gone or hold another key.</summary>
    public void Forget()
    {
        _cache.Clear();
        _segment.Clear();
    }

    /// <summary>A row's replica identity as one string.</summary>
    public static string RowKey(IReadOnlyList<ColumnValue> keyValues) =>
        keyValues is [{ Kind: ValueKind.Text, Text: { } only }] ? only : string.Join("\u0001", keyValues.Select(v => v.Kind == ValueKind.Null ? "\u0000" : v.Text));

    private void Store(Lookup key, string value)
    {
        if (_cache.Count >= capacity) _cache.Clear();
        _cache[key] = value;
    }
}
