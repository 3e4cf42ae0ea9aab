using System.Text;
using Follow.Model;
using Follow.Planning;

namespace Follow.Rewrite;

/// <summary>
/// Keys, indexes, checks and foreign keys of the moved tables, built after the data copy. Definitions come from
/// <c>pg_get_constraintdef</c> / <c>pg_get_indexdef</c>; a rewritten key gets the distribution column put first
/// into its column list.
/// </summary>
public static class PostDataDdl
{
    public static IReadOnlyList<PostDataStatement> For(TablePlan plan)
    {
        var table = plan.Source;
        var statements = new List<PostDataStatement>();
        foreach (var key in new[] { plan.PrimaryKey }.OfType<PlannedKey>().Concat(plan.UniqueKeys))
        {
            var definition = key.Rewritten ? WithLeadingColumn(key.SourceDefinition, plan.DistributionColumn!, key.IsConstraint) : key.SourceDefinition;
            statements.Add(key.IsConstraint
                ? new PostDataStatement(table.Name, PostDataKind.Key, key.Name, $"ALTER TABLE {table.Name.Quoted} ADD CONSTRAINT {Sql.Ident(key.Name)} {definition};")
                : new PostDataStatement(table.Name, PostDataKind.Index, key.Name, OnWholeTable(definition) + ";"));
        }
        if (IdentityIndex(plan) is { } identity)
        {
            statements.Add(new PostDataStatement(table.Name, PostDataKind.Index, identity.Name,
                $"CREATE INDEX {Sql.Ident(identity.Name)} ON {table.Name.Quoted} ({Sql.Idents(identity.Columns)});"));
        }
        foreach (var index in table.Indexes.Where(i => !i.IsUnique && i.Constraint is null))
        {
            statements.Add(new PostDataStatement(table.Name, PostDataKind.Index, index.Name, OnWholeTable(index.Definition) + ";"));
        }
        foreach (var check in table.Checks)
        {
            statements.Add(new PostDataStatement(table.Name, PostDataKind.Check, check.Name,
                $"ALTER TABLE {table.Name.Quoted} ADD CONSTRAINT {Sql.Ident(check.Name)} {check.Definition};"));
        }
        foreach (var fk in plan.ForeignKeys)
        {
            statements.Add(new PostDataStatement(table.Name, PostDataKind.ForeignKey, fk.Name,
                $"ALTER TABLE {table.Name.Quoted} ADD CONSTRAINT {Sql.Ident(fk.Name)} {(fk.Rewritten ? ForeignKeyDefinition(fk) : fk.Source.Definition)};"));
        }
        return statements;
    }

    /// <summary>
    /// The stream sends updates and deletes with the source's replica identity only, and the applier must find the
    /// row's distribution key by it; once the distribution column was put first into that key, no index serves the
    /// look-up, so a plain one on the original columns is kept. Null when the identity key was not rewritten.
    /// </summary>
    public static (string Name, IReadOnlyList<string> Columns)? IdentityIndex(TablePlan plan)
    {
        var identity = plan.Source.ReplicaIdentity switch
        {
            ReplicaIdentity.Default => plan.PrimaryKey,
            ReplicaIdentity.Index => new[] { plan.PrimaryKey }.OfType<PlannedKey>().Concat(plan.UniqueKeys)
                .FirstOrDefault(k => k.Name == plan.Source.ReplicaIdentityIndex),
            _ => null,
        };
        // A rewritten key's columns are the distribution column, then the source's.
        if (identity is not { Rewritten: true } || identity.Columns.Skip(1).Any(c => c is null)) return null;
        // Index names are at most 63 bytes; the key's name is cut, not the suffix.
        var name = identity.Name;
        while (System.Text.Encoding.UTF8.GetByteCount(name) > 63 - "_identity".Length) name = name[..^1];
        return (name + "_identity", [.. identity.Columns.Skip(1).OfType<string>()]);
    }

    /// <summary>
    /// Puts the column first in a key's column list: the first parenthesis of a constraint definition
    /// (<c>PRIMARY KEY (id)</c>, <c>UNIQUE NULLS NOT DISTINCT (a)</c>), or the one after <c>USING method</c> in an
    /// index definition.
    /// </summary>
    public static string WithLeadingColumn(string definition, string column, bool isConstraint)
    {
        var from = isConstraint ? 0 : definition.IndexOf(" USING ", StringComparison.Ordinal);
        var open = from < 0 ? -1 : definition.IndexOf('(', from);
        if (open < 0) throw new InvalidOperationException($"no column list in the definition: {definition}");
        return definition[..(open + 1)] + Sql.Ident(column) + ", " + definition[(open + 1)..];
    }

    /// <summary>
    /// pg_get_indexdef writes ON ONLY for an index of a partitioned table, which pg_dump completes by attaching the
    /// partitions' indexes; created without ONLY, PostgreSQL builds them itself.
    /// </summary>
    private static string OnWholeTable(string indexDefinition)
    {
        var at = indexDefinition.IndexOf(" ON ONLY ", StringComparison.Ordinal);
        return at < 0 ? indexDefinition : indexDefinition[..at] + " ON " + indexDefinition[(at + " ON ONLY ".Length)..];
    }

    private static string ForeignKeyDefinition(PlannedForeignKey fk)
    {
        var source = fk.Source;
        var sql = new StringBuilder($"FOREIGN KEY ({Sql.Idents(fk.Columns)}) REFERENCES {fk.ReferencedTable.Quoted} ({Sql.Idents(fk.ReferencedColumns)})");
        if (source.MatchType == 'f') sql.Append(" MATCH FULL");
        sql.Append(Action("UPDATE", fk.OnUpdate));
        sql.Append(Action("DELETE", source.OnDelete));
        if (source.Deferrable) sql.Append(" DEFERRABLE");
        if (source.InitiallyDeferred) sql.Append(" INITIALLY DEFERRED");
        return sql.ToString();
    }

    private static string Action(string verb, char code) => code switch
    {
        'r' => $" ON {verb} RESTRICT",
        'c' => $" ON {verb} CASCADE",
        'n' => $" ON {verb} SET NULL",
        'd' => $" ON {verb} SET DEFAULT",
        _ => "",
    };
}
