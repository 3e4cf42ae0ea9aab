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
    /// Foreign keys between distributed tables get both distribution columns, so they stay within one shard group
    /// (the seed's FOREIGN KEY (company_id, ad_id) REFERENCES ads (company_id, id)).
    /// </summary>
    private List<PlannedForeignKey> PlanForeignKeys(
        Table table, Dictionary<QualifiedName, TableCategory> categories, Dictionary<QualifiedName, QualifiedName?> colocation)
    {
        var planned = new List<PlannedForeignKey>();
        foreach (var fk in table.ForeignKeys)
        {
            var parent = fk.ReferencedTable;
            if (!categories.TryGetValue(parent, out var parentCategory))
            {
                _warnings.Add(
                    $"{table.Name}: foreign key {Sql.IdentIfNeeded(fk.Name)} references {parent}, which is not moved (excluded by the filters); the key is not created on the target");
                continue;
            }

            var category = categories[table.Name];
            var unchanged = new PlannedForeignKey(fk, fk.Columns, parent, fk.ReferencedColumns, false, fk.OnUpdate);
            if (_refused.Contains(table.Name) || _refused.Contains(parent))
            {
                planned.Add(unchanged);
                continue;
            }

            if (category.IsDistributed() && parentCategory.IsDistributed())
            {
                if (KeyRoot(table.Name) is { } root && KeyRoot(parent) is { } parentRoot
                    && Anchor(root, colocation) != Anchor(parentRoot, colocation))
                {
                    Refuse(table.Name,
                        $"foreign key {Sql.IdentIfNeeded(fk.Name)} joins it to {parent}, which is distributed by another key ({parentRoot}'s, not {root}'s); Citus keeps foreign keys only between colocated tables",
                        $"drop the foreign key on the source, or make {parent} a reference table");
                    continue;
                }
                if (fk.OnDelete is 'n' or 'd')
                {
                    Refuse(table.Name,
                        $"foreign key {Sql.IdentIfNeeded(fk.Name)} to {parent} is ON DELETE SET {(fk.OnDelete == 'n' ? "NULL" : "DEFAULT")}, which Citus does not allow on a key that includes the distribution column: a DELETE of a parent row would fail on the target",
                        $"change it on the source to ON DELETE CASCADE, RESTRICT or NO ACTION, or make {parent} a reference table");
                    continue;
                }
                var column = DistributionColumn(table.Name)!;
                var parentColumn = DistributionColumn(parent)!;
                var aligned = Aligned(fk, column, parentColumn);
                var onUpdate = fk.OnUpdate;
                if (onUpdate is 'c' or 'n' or 'd')
                {
                    // Citus refuses these; the distribution column cannot change anyway, so only updates of the other key
                    // columns lose their cascade.
                    onUpdate = 'a';
                    _warnings.Add(
                        $"{table.Name}: foreign key {Sql.IdentIfNeeded(fk.Name)} to {parent} is created ON UPDATE NO ACTION instead of {ActionName(fk.OnUpdate)}, which Citus does not allow on a key that includes the distribution column; an UPDATE of {parent}'s referenced key now fails while rows refer to it");
                }
                planned.Add(aligned && onUpdate == fk.OnUpdate
                    ? unchanged
                    : aligned
                        ? unchanged with { Rewritten = true, OnUpdate = onUpdate }
                        : new PlannedForeignKey(fk, [column, .. fk.Columns], parent, [parentColumn, .. fk.ReferencedColumns], true, onUpdate));
            }
            else if (category.IsDistributed() && parentCategory == TableCategory.Local)
            {
                Refuse(table.Name,
                    $"foreign key {Sql.IdentIfNeeded(fk.Name)} references {parent}, which stays local on the coordinator; Citus cannot keep a foreign key from a distributed table to a local one",
                    $"make {parent} a reference table (distribute {parent} as reference table), or give it a distribution rule");
            }
            else if (!category.IsDistributed() && parentCategory.IsDistributed())
            {
                var kind = category == TableCategory.Reference ? "a reference table" : "a local table";
                Refuse(table.Name,
                    $"foreign key {Sql.IdentIfNeeded(fk.Name)} references the distributed table {parent}, and Citus cannot keep a foreign key from {kind} to a distributed one",
                    category == TableCategory.Reference
                        ? $"remove the reference rule so that {table.Name} is distributed with its parent, or drop the foreign key on the source"
                        : $"distribute {table.Name} with a rule (distribute {table.Name} using <column> from {parent}), or drop the foreign key on the source");
            }
            else
            {
                planned.Add(unchanged);
            }
        }
        return planned;
    }

    private static string ActionName(char code) => code switch
    {
        'c' => "ON UPDATE CASCADE",
        'n' => "ON UPDATE SET NULL",
        'd' => "ON UPDATE SET DEFAULT",
        'r' => "ON UPDATE RESTRICT",
        _ => "ON UPDATE NO ACTION",
    };

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
