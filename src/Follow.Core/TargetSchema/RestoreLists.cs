using Follow.Model;

namespace Follow.TargetSchema;

/// <summary>The pg_restore lists of the non-table objects, split around Follow's own CREATE TABLE statements.</summary>
/// <param name="BeforeTables">What tables may need: schemas, extensions, types, functions, sequences.</param>
/// <param name="AfterTables">What may need the tables: views, identity, sequence ownership, comments, grants.</param>
/// <param name="PostData">Triggers, rules, policies and the rest, after Follow's keys and indexes.</param>
public sealed record RestoreLists(IReadOnlyList<TocEntry> BeforeTables, IReadOnlyList<TocEntry> AfterTables, IReadOnlyList<TocEntry> PostData)
{
    /// <summary>Objects identified by (catalog oid, object oid), as pg_restore --list shows them.</summary>
    public sealed record ObjectSet(HashSet<(uint Catalog, uint Oid)> Objects)
    {
        public bool Contains(TocEntry entry) => Objects.Contains((entry.CatalogOid, entry.ObjectOid));
    }

    /// <param name="generated">Objects of the moved tables, which Follow writes itself.</param>
    /// <param name="identitySequences">Identity sequences of the moved tables, added after the tables.</param>
    /// <param name="excluded">Objects of the excluded tables, left out.</param>
    /// <param name="excludedTables">Excluded tables, for the entries that carry no oid (comments, grants).</param>
    /// <param name="excludedSequences">Sequences owned by excluded tables, for their OWNED BY entries.</param>
    /// <param name="existingSchemas">Schemas the target has already (public, citus' own).</param>
    /// <param name="existingExtensions">Extensions the target has already.</param>
    public static RestoreLists Split(
        IReadOnlyList<TocEntry> preData,
        IReadOnlyList<TocEntry> postData,
        ObjectSet generated,
        ObjectSet identitySequences,
        ObjectSet excluded,
        IReadOnlyCollection<QualifiedName> excludedTables,
        IReadOnlyCollection<QualifiedName> excludedSequences,
        IReadOnlyCollection<string> existingSchemas,
        IReadOnlyCollection<string> existingExtensions)
    {
        bool Dropped(TocEntry e) =>
            generated.Contains(e) && !identitySequences.Contains(e)
            || excluded.Contains(e)
            // Follow creates partitions attached, and builds partitioned indexes whole.
            || e.Is("TABLE ATTACH") || e.Is("INDEX ATTACH")
            // The source's own replication setup is not the target's.
            || e.Is("PUBLICATION") || e.Is("PUBLICATION TABLE") || e.Is("PUBLICATION TABLES IN SCHEMA") || e.Is("SUBSCRIPTION")
            || existingSchemas.Any(s => e.Description.StartsWith($"SCHEMA - {s} ", StringComparison.Ordinal))
            || existingExtensions.Any(x => e.Description.StartsWith($"EXTENSION - {x} ", StringComparison.Ordinal)
                || e.Description.StartsWith($"COMMENT - EXTENSION {x} ", StringComparison.Ordinal))
            || excludedTables.Any(t => OnTable(e, t))
            || excludedSequences.Any(q => e.Description.StartsWith($"SEQUENCE OWNED BY {q.Schema} {q.Name} ", StringComparison.Ordinal));

        var firstTable = preData.Select((e, i) => (e, i)).Where(x => generated.Contains(x.e) && x.e.Is("TABLE")).Select(x => x.i).DefaultIfEmpty(preData.Count).First();
        var before = new List<TocEntry>();
        var after = new List<TocEntry>();
        for (var i = 0; i < preData.Count; i++)
        {
            var entry = preData[i];
            if (Dropped(entry)) continue;
            // Sequences sort among tables by name in pg_dump's order, but serial defaults need them first.
            var isPlainSequence = entry.Is("SEQUENCE") && entry.ObjectOid != 0 && !identitySequences.Contains(entry);
            (i < firstTable || isPlainSequence ? before : after).Add(entry);
        }
        return new RestoreLists(before, after, [.. postData.Where(e => !Dropped(e))]);
    }

    /// <summary>Entries without an oid that belong to a table: its comments, grants and sequence ownership.</summary>
    private static bool OnTable(TocEntry entry, QualifiedName table)
    {
        var d = entry.Description;
        return d.StartsWith($"COMMENT {table.Schema} TABLE {table.Name} ", StringComparison.Ordinal)
            || d.StartsWith($"COMMENT {table.Schema} COLUMN {table.Name}.", StringComparison.Ordinal)
            || d.StartsWith($"ACL {table.Schema} TABLE {table.Name} ", StringComparison.Ordinal);
    }
}
