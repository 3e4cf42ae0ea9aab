using Follow.Model;
using Follow.Rules;

namespace Follow.Planning;

public sealed partial class DistributionPlanner
{
    /// <summary>
    /// The backfill path of a table that does not hold the distribution column, or null when it has none (it stays
    /// local) or cannot have one (a problem was reported). A path is one foreign-key hop to a parent followed by the
    /// parent's own path, so every table's key comes from its parent: the stream enriches a change by one look-up.
    /// </summary>
    private BackfillPath? ResolvePath(QualifiedName name)
    {
        if (_paths.TryGetValue(name, out var known)) return known;
        if (_resolving.Contains(name))
        {
            var cycle = _resolving.SkipWhile(n => n != name).Append(name).ToList();
            Refuse(name,
                $"the backfill paths form a cycle: {string.Join(" → ", cycle)}; no table on it holds the distribution column",
                "end each from list at a table that has the distribution column (pgloader's from lists name the tables to join, nearest first)");
            return null;
        }

        _resolving.Add(name);
        try
        {
            var path = _backfillRules.TryGetValue(name, out var rule) && rule.From.Count > 0
                ? ExplicitPath(name, rule)
                : DiscoverPath(name, rule);
            _paths[name] = path;
            return path;
        }
        finally
        {
            _resolving.Remove(name);
        }
    }

    /// <summary>A hop followed by its parent's path; null when the parent has none.</summary>
    private BackfillPath? Extend(ForeignKeyHop hop)
    {
        if (_ready.ContainsKey(hop.Parent)) return new BackfillPath([hop]);
        return ResolvePath(hop.Parent) is { } parentPath ? new BackfillPath([hop, .. parentPath.Hops]) : null;
    }

    /// <summary>For describing other routes: extends a hop only when that cannot loop back into a path being resolved.</summary>
    private BackfillPath? ExtendIfSettled(ForeignKeyHop hop) => _resolving.Contains(hop.Parent) ? null : Extend(hop);

    private static ForeignKeyHop Hop(ForeignKey fk) =>
        new(fk.Name, fk.Table, fk.Columns, fk.ReferencedTable, fk.ReferencedColumns, fk.Validated);

    private BackfillPath? DiscoverPath(QualifiedName name, DistributeRule? rule)
    {
        var hops = ViableHops(name);
        if (hops.Count == 0)
        {
            if (rule is not null)
            {
                Refuse(name,
                    $"{rule.Position}: the rule distributes by column {Sql.IdentIfNeeded(rule.Column)}, which the table does not have, and no foreign key leads to a table that has it",
                    $"name an existing column, or give the path with a from list (distribute {name} using {Sql.IdentIfNeeded(rule.Column)} from <parent>, …)");
            }
            return null;
        }

        if (hops.Count > 1)
        {
            var paths = hops.Select(h => ExtendIfSettled(h) is { } p ? p.ToString() : h.Parent.ToString()).ToList();
            var descriptions = hops.Select((h, i) => $"from {paths[i]} (by {h.Constraint})");
            var column = DistributionColumnVia(hops[0]) ?? rule?.Column ?? "<column>";
            Refuse(name,
                $"the distribution key is reachable by {hops.Count} foreign-key paths: {string.Join("; ", descriptions)}; Follow will not guess which one is right",
                $"choose one with a rule, e.g. distribute {name} using {Sql.IdentIfNeeded(column)} from {paths[0]}");
            return null;
        }

        var path = Extend(hops[0]);
        if (path is null) return null;
        var key = _ready[path.Holder];
        if (rule is not null && rule.Column != key)
        {
            Refuse(name,
                $"{rule.Position}: the rule distributes by {Sql.IdentIfNeeded(rule.Column)}, but the path {path} leads to {path.Holder}'s distribution column {Sql.IdentIfNeeded(key)}",
                $"write: distribute {name} using {Sql.IdentIfNeeded(key)}");
            return null;
        }
        if (rule is null && HasColumn(name, key))
        {
            Refuse(name,
                $"the table gets its distribution key through {path}, but already has a column named {Sql.IdentIfNeeded(key)} that no foreign key ties to it",
                $"to distribute by the existing column, add: distribute {name} using {Sql.IdentIfNeeded(key)}; or rename the column on the source");
            return null;
        }
        return path;
    }

    private string? DistributionColumnVia(ForeignKeyHop hop) =>
        _ready.TryGetValue(hop.Parent, out var column) ? column
        : _paths.GetValueOrDefault(hop.Parent) is { } p ? _ready[p.Holder]
        : null;

    /// <summary>
    /// The foreign keys of a table whose parent leads to a table holding the distribution column without coming
    /// back through the table itself (a simple path exists exactly when the parent reaches such a table in the
    /// graph without it). Duplicate keys (same columns, same parent) count once.
    /// </summary>
    private List<ForeignKeyHop> ViableHops(QualifiedName name) =>
        _catalog.Get(name).ForeignKeys
            .Where(f => !f.IsSelfReference && CanCarryKey(f.ReferencedTable)
                && (_ready.ContainsKey(f.ReferencedTable) || ReachesReady(f.ReferencedTable, avoid: name)))
            .DistinctBy(f => (string.Join("\u0001", f.Columns), f.ReferencedTable, string.Join("\u0001", f.ReferencedColumns)))
            .Select(Hop)
            .ToList();

    private bool CanCarryKey(QualifiedName table) =>
        _included.Contains(table) && !_reference.Contains(table) && !_refused.Contains(table);

    private bool ReachesReady(QualifiedName start, QualifiedName avoid)
    {
        var seen = new HashSet<QualifiedName> { avoid, start };
        var queue = new Queue<QualifiedName>([start]);
        while (queue.TryDequeue(out var current))
        {
            if (_ready.ContainsKey(current)) return true;
            foreach (var fk in _catalog.Get(current).ForeignKeys)
            {
                if (CanCarryKey(fk.ReferencedTable) && seen.Add(fk.ReferencedTable)) queue.Enqueue(fk.ReferencedTable);
            }
        }
        return false;
    }

    /// <summary>
    /// The path a <c>from</c> list gives: its first table must be referenced by a foreign key of the table, and the
    /// rest must follow that parent's own path (which may be longer than the list: the list can stop early).
    /// </summary>
    private BackfillPath? ExplicitPath(QualifiedName name, DistributeRule rule)
    {
        var parents = new List<Table>();
        foreach (var reference in rule.From)
        {
            if (Resolve(reference, rule.Position) is not { } parent) return null;
            parents.Add(parent);
        }

        var first = parents[0].Name;
        var keys = _catalog.Get(name).ForeignKeys
            .Where(f => f.ReferencedTable == first)
            .DistinctBy(f => (string.Join("\u0001", f.Columns), string.Join("\u0001", f.ReferencedColumns)))
            .ToList();
        if (keys.Count == 0)
        {
            Refuse(name, $"{rule.Position}: the from list starts at {first}, but no foreign key of {name} references {first}",
                $"start the from list at a table that {name} references: {string.Join(", ", _catalog.Get(name).ForeignKeys.Select(f => f.ReferencedTable).Distinct())}");
            return null;
        }
        if (keys.Count > 1)
        {
            Refuse(name, $"{rule.Position}: {name} has {keys.Count} foreign keys to {first} ({string.Join("; ", keys)}); Follow cannot tell which one leads to the tenant",
                "keep one foreign key to that table on the source, or choose another path");
            return null;
        }
        if (!CanCarryKey(first))
        {
            Refuse(name, $"{rule.Position}: the from list goes through {first}, which is a reference table and holds no distribution key",
                "give a path through distributed tables");
            return null;
        }

        var hop = Hop(keys[0]);
        var path = Extend(hop);
        if (path is null)
        {
            if (!_refused.Contains(name))
            {
                Refuse(name, $"{rule.Position}: the from list goes through {first}, which does not reach the distribution column {Sql.IdentIfNeeded(rule.Column)}",
                    $"end the from list at a table that has column {Sql.IdentIfNeeded(rule.Column)}");
            }
            return null;
        }

        var listed = parents.Select(p => p.Name).ToList();
        var followed = path.Tables.ToList();
        if (listed.Count > followed.Count || !followed.Take(listed.Count).SequenceEqual(listed))
        {
            Refuse(name, $"{rule.Position}: the from list {string.Join(", ", listed)} does not follow the foreign keys: {first} gets its key through {string.Join(", ", followed.Skip(1).DefaultIfEmpty(first))}",
                $"write: distribute {name} using {Sql.IdentIfNeeded(_ready[path.Holder])} from {path}");
            return null;
        }
        if (_ready[path.Holder] != rule.Column)
        {
            Refuse(name, $"{rule.Position}: the rule distributes by {Sql.IdentIfNeeded(rule.Column)}, but {path.Holder} is distributed by {Sql.IdentIfNeeded(_ready[path.Holder])}",
                $"write: distribute {name} using {Sql.IdentIfNeeded(_ready[path.Holder])} from {path}");
            return null;
        }

        // Other routes to the key stay on record: their rows may disagree with the chosen one.
        var alternatives = ViableHops(name)
            .Where(h => h.Constraint != hop.Constraint)
            .Select(ExtendIfSettled)
            .OfType<BackfillPath>()
            .ToList();
        if (alternatives.Count > 0) _alternatives[name] = alternatives;
        return path;
    }
}
