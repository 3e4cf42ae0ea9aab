using Follow.Decode;
using Follow.Diagnostics;
using Follow.Model;
using Follow.Planning;
using Npgsql;

namespace Follow.Enrich;

/// <summary>
/// Finds the distribution key of a change. One hop is enough: the parent on the FK path already carries the key on
/// the target. A cache (parent key → distribution key) is fed by the stream itself, as parents pass through first,
/// and misses are looked up on the target inside the applier's transaction, which has every earlier source
/// transaction applied. Each cache is bounded (100,000 entries): when full it starts again, so a transaction of a
/// million rows does not grow the follower.
/// </summary>
public sealed class KeyEnricher(DistributionPlan plan, NpgsqlConnection target, int capacity = 100_000)
{
    private readonly Dictionary<(QualifiedName Table, string Key), string> _cache = [];

    // Rows by replica identity → the distribution key they have on the target, for updates and deletes.
    private readonly Dictionary<(QualifiedName Table, string Key), string> _rows = [];

    // For each parent table, the column lists its children's first hops reference.
    private readonly Dictionary<QualifiedName, List<IReadOnlyList<string>>> _referenced = plan.Tables
        .Where(t => t.Backfill is not null)
        .Select(t => t.Backfill!.Hops[0])
        .GroupBy(h => h.Parent)
        .ToDictionary(g => g.Key, g => g.Select(h => h.ParentColumns).DistinctBy(c => string.Join("\u0001", c)).ToList());

    public long Hits { get; private set; }

    public long Misses { get; private set; }

    /// <summary>The key a backfilled row takes from its parent; an error naming table and key when the parent is missing.</summary>
    public async Task<string> ParentKeyAsync(TablePlan table, Relation relation, IReadOnlyList<ColumnValue> values, CancellationToken cancellationToken)
    {
        var hop = table.Backfill!.Hops[0];
        var foreignKey = hop.ChildColumns.Select(c => values[relation.IndexOf(c)]).ToList();
        if (foreignKey.Any(v => v.Kind != ValueKind.Text))
        {
            throw new FollowException(
                $"a row of {table.Name} has no {table.DistributionColumn}: its foreign key ({string.Join(", ", hop.ChildColumns)}) to {hop.Parent} is NULL; Citus cannot store it. Fix the row on the source, then run follow follow again",
                ExitCode.SourceFailure);
        }
        var cacheKey = (hop.Parent, string.Join("\u0001", foreignKey.Select(v => v.Text)));
        if (_cache.TryGetValue(cacheKey, out var known))
        {
            Hits++;
            return known;
        }
        Misses++;
        var parent = plan.Get(hop.Parent);
        var where = string.Join(" AND ", hop.ParentColumns.Select((c, i) => $"{Sql.Ident(c)} = ${i + 1}"));
        await using var command = new NpgsqlCommand(
            $"SELECT {Sql.Ident(parent.DistributionColumn!)}::text FROM {hop.Parent.Quoted} WHERE {where}", target);
        foreach (var value in foreignKey) command.Parameters.Add(Apply.ChangeApplier.Text(value.Text));
        var found = await command.ExecuteScalarAsync(cancellationToken) as string
            ?? throw new FollowException(
                $"a row of {table.Name} refers to {hop.Parent} ({string.Join(", ", hop.ParentColumns)}) = ({string.Join(", ", foreignKey.Select(v => v.Text))}), which the target does not have, so its {table.DistributionColumn} is unknown; nothing of that transaction was applied",
                ExitCode.TargetFailure);
        Store(cacheKey, found);
        return found;
    }

    /// <summary>The distribution key the target row has now, found by its replica identity.</summary>
    public async Task<string?> TargetKeyAsync(
        TablePlan table, Relation relation, IReadOnlyList<int> key, IReadOnlyList<ColumnValue> keyValues, CancellationToken cancellationToken)
    {
        var rowKey = (table.Name, RowKey(keyValues));
        if (_rows.TryGetValue(rowKey, out var known))
        {
            Hits++;
            return known;
        }
        Misses++;
        var found = await LookUpRowAsync(table, relation, key, keyValues, cancellationToken);
        if (found is not null) StoreRow(rowKey, found);
        return found;
    }

    /// <summary>The row now holds this key on the target (inserted, updated or moved), or no longer exists (null).</summary>
    public void RememberRow(TablePlan table, IReadOnlyList<ColumnValue> keyValues, string? distributionKey)
    {
        var rowKey = (table.Name, RowKey(keyValues));
        if (distributionKey is null) _rows.Remove(rowKey);
        else StoreRow(rowKey, distributionKey);
    }

    private static string RowKey(IReadOnlyList<ColumnValue> keyValues) =>
        string.Join("\u0001", keyValues.Select(v => v.Kind == ValueKind.Null ? "\u0000" : v.Text));

    private void StoreRow((QualifiedName, string) key, string value)
    {
        if (_rows.Count >= capacity) _rows.Clear();
        _rows[key] = value;
    }

    private async Task<string?> LookUpRowAsync(
        TablePlan table, Relation relation, IReadOnlyList<int> key, IReadOnlyList<ColumnValue> keyValues, CancellationToken cancellationToken)
    {
        var n = 0;
        var conditions = key.Select((k, i) => keyValues[i].Kind == ValueKind.Null
            ? $"{Sql.Ident(relation.Columns[k].Name)} IS NULL"
            : $"{Sql.Ident(relation.Columns[k].Name)} = ${++n}");
        await using var command = new NpgsqlCommand(
            $"SELECT {Sql.Ident(table.DistributionColumn!)}::text FROM {table.Name.Quoted} WHERE {string.Join(" AND ", conditions)}", target);
        foreach (var value in keyValues.Where(v => v.Kind != ValueKind.Null)) command.Parameters.Add(Apply.ChangeApplier.Text(value.Text));
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <summary>A row of a distributed table went by with its key: its children will find it in the cache.</summary>
    public void Remember(TablePlan table, Relation relation, IReadOnlyList<ColumnValue> values, string? distributionKey)
    {
        if (distributionKey is null || !_referenced.TryGetValue(table.Name, out var columnLists)) return;
        foreach (var columns in columnLists)
        {
            var parts = columns.Select(c => values[relation.IndexOf(c)]).ToList();
            if (parts.Any(v => v.Kind != ValueKind.Text)) continue;
            Store((table.Name, string.Join("\u0001", parts.Select(v => v.Text))), distributionKey);
        }
    }

    /// <summary>After a TRUNCATE or a move, cached parents and rows may be gone or hold another key.</summary>
    public void Forget()
    {
        _cache.Clear();
        _rows.Clear();
    }

    private void Store((QualifiedName, string) key, string value)
    {
        if (_cache.Count >= capacity) _cache.Clear();
        _cache[key] = value;
    }
}
