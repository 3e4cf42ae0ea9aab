using Follow.Model;

namespace Follow.Planning;

public sealed partial class DistributionPlanner
{
    /// <summary>
    /// Citus enforces uniqueness only when the key includes the distribution column: the column is put first into
    /// every primary key, unique constraint and unique index of a distributed table that lacks it.
    /// </summary>
    private (PlannedKey? PrimaryKey, List<PlannedKey> Unique) PlanKeys(Table table, string? column)
    {
        var primaryKey = table.PrimaryKey is { } pk ? PlanKey(table, pk.Name, pk.Kind, pk.Columns, true, pk.Definition, column) : null;
        var unique = table.UniqueConstraints
            .Select(u => PlanKey(table, u.Name, u.Kind, u.Columns, true, u.Definition, column))
            .Concat(table.Indexes
                .Where(i => i.IsUnique && i.Constraint is null)
                .Select(i => PlanKey(table, i.Name, KeyKind.Unique, i.Columns, false, i.Definition, column)))
            .OfType<PlannedKey>()
            .ToList();
        return (primaryKey, unique);
    }

    private PlannedKey? PlanKey(
        Table table, string name, KeyKind kind, IReadOnlyList<string?> columns, bool isConstraint, string definition, string? column)
    {
        if (column is null || columns.Contains(column)) return new PlannedKey(name, kind, columns, false, isConstraint, definition);

        var what = kind switch { KeyKind.PrimaryKey => "primary key", KeyKind.Exclusion => "exclusion constraint", _ when isConstraint => "unique constraint", _ => "unique index" };
        if (kind == KeyKind.Exclusion)
        {
            Refuse(table.Name,
                $"{what} {Sql.IdentIfNeeded(name)} ({definition}) does not use the distribution column {Sql.IdentIfNeeded(column)}, and Citus cannot enforce it across shards",
                $"drop it on the source before the migration, or make {table.Name} a reference table (distribute {table.Name} as reference table)");
            return null;
        }
        if (DistributionColumnIsUnique(table, column))
        {
            // Adding the column to this key would make it hold trivially: the uniqueness it enforces is lost.
            Refuse(table.Name,
                $"{what} {Sql.IdentIfNeeded(name)} ({definition}) cannot include the distribution column {Sql.IdentIfNeeded(column)}: {Sql.IdentIfNeeded(column)} is unique on its own, so the key would no longer enforce anything, and Citus cannot enforce it without that column",
                $"drop {Sql.IdentIfNeeded(name)} on the source, enforce it in the application, or distribute {table.Name} by a column the key contains");
            return null;
        }
        return new PlannedKey(name, kind, [column, .. columns], true, isConstraint, definition);
    }

    private static bool DistributionColumnIsUnique(Table table, string column) =>
        table.PrimaryKey?.Columns is [var only] && only == column
        || table.UniqueConstraints.Any(u => u.Kind == KeyKind.Unique && u.Columns is [var c] && c == column)
        || table.Indexes.Any(i => i.IsUnique && !i.IsPartial && i.Columns is [var c] && c == column);

    /// <summary>
    /// Each foreign key as Citus will take it (<see cref="CitusForeignKeyRules"/>): between distributed tables it
    /// gets both distribution columns, so it stays within one shard group (the seed's FOREIGN KEY (company_id, ad_id)
    /// REFERENCES ads (company_id, id)); a key Citus would refuse is refused here, before anything is changed.
    /// </summary>
    private List<PlannedForeignKey> PlanForeignKeys(
        Table table, Dictionary<QualifiedName, TableCategory> categories, Dictionary<QualifiedName, QualifiedName?> colocation)
    {
        var planned = new List<PlannedForeignKey>();
        var category = categories[table.Name];
        foreach (var fk in table.ForeignKeys)
        {
            var parent = fk.ReferencedTable;
            if (!categories.TryGetValue(parent, out var parentCategory))
            {
                _warnings.Add(
                    $"{table.Name}: foreign key {Sql.IdentIfNeeded(fk.Name)} references {parent}, which is not moved (excluded by the filters); the key is not created on the target");
                continue;
            }
            if (_refused.Contains(table.Name) || _refused.Contains(parent))
            {
                planned.Add(new PlannedForeignKey(fk, fk.Columns, parent, fk.ReferencedColumns, false, fk.OnUpdate));
                continue;
            }

            var root = category.IsDistributed() ? KeyRoot(table.Name) : null;
            var parentRoot = parentCategory.IsDistributed() ? KeyRoot(parent) : null;
            var verdict = CitusForeignKeyRules.Judge(new ForeignKeySides(
                fk,
                table,
                category,
                category.IsDistributed() ? DistributionColumn(table.Name) : null,
                parentCategory,
                parentCategory.IsDistributed() ? DistributionColumn(parent) : null,
                root,
                parentRoot,
                root is not null && parentRoot is not null && Anchor(root, colocation) == Anchor(parentRoot, colocation),
                category != TableCategory.Local || _tiedToReference.Contains(table.Name)));
            if (verdict.IsRefused)
            {
                Refuse(table.Name, verdict.Problem!, verdict.Fix!);
                continue;
            }
            if (verdict.Warning is not null) _warnings.Add(verdict.Warning);
            planned.Add(verdict.Planned!);
        }
        return planned;
    }

    /// <summary>
    /// Local tables that Citus turns into Citus local tables when their keys are added: those with a foreign key to
    /// or from a reference table, and every local table tied to one of them by foreign keys (Citus converts the
    /// whole graph).
    /// </summary>
    private void FindLocalTablesTiedToReference(Dictionary<QualifiedName, TableCategory> categories)
    {
        var edges = _included
            .SelectMany(name => _catalog.Get(name).ForeignKeys)
            .Where(fk => categories.ContainsKey(fk.ReferencedTable) && !fk.IsSelfReference)
            .SelectMany(fk => new[] { (From: fk.Table, To: fk.ReferencedTable), (From: fk.ReferencedTable, To: fk.Table) })
            .ToLookup(e => e.From, e => e.To);
        var queue = new Queue<QualifiedName>(categories
            .Where(c => c.Value == TableCategory.Local && edges[c.Key].Any(t => categories[t] == TableCategory.Reference))
            .Select(c => c.Key));
        while (queue.TryDequeue(out var name))
        {
            if (!_tiedToReference.Add(name)) continue;
            foreach (var next in edges[name].Where(t => categories[t] == TableCategory.Local)) queue.Enqueue(next);
        }
    }

    /// <summary>
    /// Moved tables go into a publication: PostgreSQL then refuses UPDATE and DELETE on a table without a replica
    /// identity, and writes nothing to WAL for an unlogged one.
    /// </summary>
    private void CheckPublishable()
    {
        foreach (var name in _included)
        {
            var table = _catalog.Get(name);
            foreach (var leaf in Leaves(table))
            {
                if (leaf.IsUnlogged)
                {
                    Refuse(leaf.Name,
                        "the table is UNLOGGED: its changes are not written to WAL, so they cannot be streamed to the target",
                        $"ALTER TABLE {leaf.Name} SET LOGGED on the source, or exclude the table ([exclude-table] in the rules file, or --exclude-table)");
                }
                if (!leaf.CanPublishUpdates)
                {
                    var why = leaf.ReplicaIdentity == ReplicaIdentity.Nothing
                        ? "has REPLICA IDENTITY NOTHING"
                        : "has no primary key and no replica identity";
                    Refuse(leaf.Name,
                        $"the table {why}: once it is in the publication, PostgreSQL refuses its UPDATE and DELETE on the source, which would break the application",
                        $"add a primary key, or ALTER TABLE {leaf.Name} REPLICA IDENTITY USING INDEX <unique index> (or REPLICA IDENTITY FULL), or exclude the table");
                }
            }
        }
    }

    private IEnumerable<Table> Leaves(Table table)
    {
        if (table.Kind != TableKind.Partitioned)
        {
            yield return table;
            yield break;
        }
        foreach (var partition in _catalog.PartitionsOf(table.Name))
        {
            foreach (var leaf in Leaves(partition)) yield return leaf;
        }
    }
}
