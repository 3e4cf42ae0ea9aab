using Follow.Model;
using Follow.Rules;

namespace Follow.Planning;

/// <summary>
/// Turns the catalog and the rules into a <see cref="DistributionPlan"/>: classifies every table, finds backfill
/// paths through foreign keys, rewrites keys and orders the distribution calls. Does no I/O. Every problem found is
/// collected, and a plan with problems is refused as a whole with <see cref="PlanRefusedException"/>.
/// </summary>
public sealed partial class DistributionPlanner
{
    private readonly Catalog _catalog;
    private readonly RuleSet _rules;
    private readonly Filters _filters;
    private readonly List<PlanProblem> _problems = [];
    private readonly List<string> _warnings = [];

    // Planned tables: included by the filters, partitions excluded (they follow their parent).
    private readonly SortedSet<QualifiedName> _included = [];
    private readonly Dictionary<QualifiedName, Dictionary<string, string>> _casts = [];
    private readonly HashSet<QualifiedName> _reference = [];
    private readonly HashSet<QualifiedName> _ruled = [];

    // Tables that hold the distribution column, and the column.
    private readonly Dictionary<QualifiedName, string> _ready = [];

    // Rule order of the tables an explicit rule makes ready, for ordering roots.
    private readonly List<QualifiedName> _explicitReady = [];

    // For a ready table whose column is a foreign key to another ready table's column: that table.
    private readonly Dictionary<QualifiedName, QualifiedName> _readyVia = [];
    private readonly Dictionary<QualifiedName, DistributeRule> _backfillRules = [];
    private readonly Dictionary<QualifiedName, BackfillPath?> _paths = [];
    private readonly Dictionary<QualifiedName, List<BackfillPath>> _alternatives = [];
    private readonly List<QualifiedName> _resolving = [];

    // Tables already refused, so later steps do not pile up consequences of the same problem.
    private readonly HashSet<QualifiedName> _refused = [];

    // Local tables that Citus makes Citus local tables, for their foreign keys to or from reference tables.
    private readonly HashSet<QualifiedName> _tiedToReference = [];

    private DistributionPlanner(Catalog catalog, RuleSet rules, Filters filters)
    {
        _catalog = catalog;
        _rules = rules;
        _filters = filters;
    }

    /// <param name="extraFilters">Filters from the command line, applied on top of the rules' own.</param>
    public static DistributionPlan Plan(Catalog catalog, RuleSet rules, Filters? extraFilters = null)
    {
        var filters = extraFilters is null ? rules.Filters : rules.Filters.Merge(extraFilters);
        return new DistributionPlanner(catalog, rules, filters).Build();
    }

    private DistributionPlan Build()
    {
        _warnings.AddRange(_rules.Warnings);
        var excluded = new List<QualifiedName>();
        foreach (var table in _catalog.Tables.Where(t => !t.IsPartition))
        {
            if (TableSelection.IsIncluded(_catalog, table, _filters)) _included.Add(table.Name);
            else excluded.Add(table.Name);
        }

        ReadCastRules();
        ReadReferenceRules();
        ReadDistributeRules();
        CloseReadySet();
        CheckReadyKeyTypes();
        foreach (var name in _included)
        {
            if (!_ready.ContainsKey(name) && !_reference.Contains(name) && !_refused.Contains(name)) ResolvePath(name);
        }

        var categories = Classify();
        HintAtUndeclaredKeys(categories);
        FindLocalTablesTiedToReference(categories);
        var colocation = Colocation(categories);
        var tables = _included.Select(name => PlanTable(_catalog.Get(name), categories, colocation)).ToList();
        CheckPublishable();

        if (_problems.Count > 0) throw new PlanRefusedException(_problems.Distinct().ToList());

        var calls = OrderCalls(tables, colocation);
        var order = calls.Select((c, i) => (c.Table, i)).ToDictionary(x => x.Table, x => x.i);
        var ordered = tables
            .OrderBy(t => order.TryGetValue(t.Name, out var i) ? i : int.MaxValue)
            .ThenBy(t => t.Name)
            .ToList();
        return new DistributionPlan(ordered, calls, excluded, _warnings);
    }

    private void Refuse(QualifiedName? table, string what, string fix)
    {
        _problems.Add(new PlanProblem(table, what, fix));
        if (table is not null) _refused.Add(table);
    }

    private string EffectiveType(QualifiedName table, string column) =>
        _casts.TryGetValue(table, out var casts) && casts.TryGetValue(column, out var type)
            ? type
            : _catalog.Get(table).Column(column)!.Type;

    private bool HasColumn(QualifiedName table, string column) => _catalog.Get(table).Column(column) is not null;

    /// <summary>The table a rule names, or null after reporting why it cannot be used.</summary>
    private Table? Resolve(TableRef reference, SourcePosition position)
    {
        List<Table> candidates = reference.Schema is null
            ? [.. _catalog.Tables.Where(t => t.Name.Name == reference.Name)]
            : _catalog.Find(new QualifiedName(reference.Schema, reference.Name)) is { } found ? [found] : [];
        if (candidates.Count > 1)
        {
            // As with the default search_path, an unqualified name means the public one when there is one.
            var inPublic = candidates.Where(t => t.Name.Schema == "public").ToList();
            if (inPublic.Count == 1) candidates = inPublic;
        }

        switch (candidates.Count)
        {
            case 0:
                Refuse(null,
                    $"{position}: the rule names table {reference}, which is not in the source database",
                    "correct the name; rules fold unquoted names to lower case, so write a mixed-case name in double quotes (\"Orders\"), and qualify it with its schema when it is not in public");
                return null;
            case > 1:
                Refuse(null,
                    $"{position}: the rule names table {reference}, which exists in several schemas ({string.Join(", ", candidates.Select(c => c.Name))})",
                    $"qualify the name with its schema, e.g. {candidates[0].Name}");
                return null;
        }

        var table = candidates[0];
        if (table.PartitionOf is { } parent)
        {
            Refuse(table.Name, $"{position}: the rule names a partition of {parent}; partitions are moved with their parent",
                $"write the rule for {parent}");
            return null;
        }
        if (!_included.Contains(table.Name))
        {
            Refuse(table.Name, $"{position}: the rule names a table that the filters exclude",
                "remove the rule, or the filter that excludes the table");
            return null;
        }
        return table;
    }

    private void ReadCastRules()
    {
        foreach (var rule in _rules.Casts)
        {
            if (Resolve(rule.Table, rule.Position) is not { } table) continue;
            if (table.Column(rule.Column) is null)
            {
                Refuse(table.Name, $"{rule.Position}: the cast rule names column {Sql.IdentIfNeeded(rule.Column)}, which {table.Name} does not have",
                    $"name one of its columns: {string.Join(", ", table.Columns.Select(c => Sql.IdentIfNeeded(c.Name)))}");
                continue;
            }
            if (!_casts.TryGetValue(table.Name, out var casts)) _casts[table.Name] = casts = [];
            casts[rule.Column] = rule.TargetType;
        }
    }

    private void ReadReferenceRules()
    {
        foreach (var rule in _rules.Reference)
        {
            if (Resolve(rule.Table, rule.Position) is not { } table) continue;
            if (!_ruled.Add(table.Name))
            {
                Refuse(table.Name, $"{rule.Position}: a second rule for the same table", "keep one rule per table");
                continue;
            }
            _reference.Add(table.Name);
        }
    }

    private void ReadDistributeRules()
    {
        foreach (var rule in _rules.Distribute)
        {
            if (Resolve(rule.Table, rule.Position) is not { } table) continue;
            if (!_ruled.Add(table.Name))
            {
                Refuse(table.Name, $"{rule.Position}: a second rule for the same table", "keep one rule per table");
                continue;
            }

            var hasColumn = table.Column(rule.Column) is not null;
            if (hasColumn && rule.From.Count > 0)
            {
                Refuse(table.Name,
                    $"{rule.Position}: the rule backfills column {Sql.IdentIfNeeded(rule.Column)} from {string.Join(", ", rule.From)}, but the table already has that column",
                    $"drop the from list to distribute by the existing column (distribute {table.Name} using {Sql.IdentIfNeeded(rule.Column)})");
            }
            else if (hasColumn)
            {
                if (table.Column(rule.Column)!.IsGenerated)
                {
                    Refuse(table.Name, $"{rule.Position}: distribution column {Sql.IdentIfNeeded(rule.Column)} is a generated column",
                        "distribute by a stored, non-generated column");
                    continue;
                }
                _ready[table.Name] = rule.Column;
                _explicitReady.Add(table.Name);
            }
            else
            {
                _backfillRules[table.Name] = rule;
            }
        }

        // An explicit rule may name a column that is a foreign key to another ready table (the seed's
        // "distribute campaigns using company_id"): it then follows that table's key.
        foreach (var name in _explicitReady)
        {
            var column = _ready[name];
            var via = _catalog.Get(name).ForeignKeys
                .Where(f => !f.IsSelfReference && _ready.TryGetValue(f.ReferencedTable, out var parentColumn)
                    && Aligned(f, column, parentColumn))
                .Select(f => f.ReferencedTable)
                .Distinct()
                .ToList();
            if (via.Count == 1) _readyVia[name] = via[0];
        }
    }

    /// <summary>Whether the key maps <paramref name="column"/> onto <paramref name="parentColumn"/>.</summary>
    private static bool Aligned(ForeignKey fk, string column, string parentColumn)
    {
        var i = IndexOf(fk.ReferencedColumns, parentColumn);
        return i >= 0 && fk.Columns[i] == column;
    }

    private static int IndexOf(IReadOnlyList<string> list, string value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == value) return i;
        }
        return -1;
    }

    /// <summary>
    /// A table whose foreign key points at a ready table's distribution column holds the key itself (campaigns'
    /// company_id, referencing companies.id): it is ready, distributed by that column. Repeated to a fixed point.
    /// </summary>
    private void CloseReadySet()
    {
        bool changed;
        do
        {
            changed = false;
            foreach (var name in _included)
            {
                if (_ready.ContainsKey(name) || _reference.Contains(name) || _ruled.Contains(name) || _refused.Contains(name)) continue;
                var table = _catalog.Get(name);
                var candidates = table.ForeignKeys
                    .Where(f => !f.IsSelfReference && _included.Contains(f.ReferencedTable)
                        && _ready.TryGetValue(f.ReferencedTable, out var pc) && f.ReferencedColumns.Contains(pc))
                    .Select(f => (Fk: f, Column: f.Columns[IndexOf(f.ReferencedColumns, _ready[f.ReferencedTable])]))
                    .ToList();
                var columns = candidates.Select(c => c.Column).Distinct().ToList();
                if (columns.Count == 1)
                {
                    _ready[name] = columns[0];
                    _readyVia[name] = candidates[0].Fk.ReferencedTable;
                    changed = true;
                }
                else if (columns.Count > 1)
                {
                    Refuse(name,
                        $"several columns hold a distribution key through foreign keys ({string.Join("; ", candidates.Select(c => c.Fk.ToString()))}), so the distribution column is ambiguous",
                        $"choose one with a rule, e.g. distribute {name} using {Sql.IdentIfNeeded(columns[0])}");
                }
            }
        } while (changed);
    }

    /// <summary>The ready table at the top of a chain of ready tables (companies for campaigns).</summary>
    private QualifiedName RootOf(QualifiedName ready)
    {
        var seen = new HashSet<QualifiedName>();
        var current = ready;
        while (_readyVia.TryGetValue(current, out var next) && seen.Add(current)) current = next;
        return current;
    }

    private void CheckReadyKeyTypes()
    {
        foreach (var (name, column) in _ready)
        {
            var root = RootOf(name);
            if (root == name) continue;
            var type = EffectiveType(name, column);
            var rootType = EffectiveType(root, _ready[root]);
            if (!TypeNames.Same(type, rootType))
            {
                Refuse(name,
                    $"distribution column {Sql.IdentIfNeeded(column)} is {type} but the key it follows, {root}.{Sql.IdentIfNeeded(_ready[root])}, is {rootType}; Citus colocates rows only when the types are equal",
                    $"add the rule: cast column {name}.{Sql.IdentIfNeeded(column)} to \"{rootType}\"");
            }
        }
    }

    /// <summary>Every table's category; the distribution column is in <see cref="DistributionColumn"/>.</summary>
    private Dictionary<QualifiedName, TableCategory> Classify()
    {
        var categories = new Dictionary<QualifiedName, TableCategory>();
        foreach (var name in _included)
        {
            categories[name] =
                _reference.Contains(name) ? TableCategory.Reference
                : _ready.ContainsKey(name) ? TableCategory.DistributedReady
                : _paths.GetValueOrDefault(name) is not null ? TableCategory.DistributedBackfill
                : TableCategory.Local;
        }
        return categories;
    }

    private string? DistributionColumn(QualifiedName name) =>
        _ready.TryGetValue(name, out var column) ? column
        : _paths.GetValueOrDefault(name) is { } path ? _ready[path.Holder]
        : null;

    /// <summary>The ready table whose key a distributed table carries.</summary>
    private QualifiedName? KeyRoot(QualifiedName name) =>
        _ready.ContainsKey(name) ? RootOf(name)
        : _paths.GetValueOrDefault(name) is { } path ? RootOf(path.Holder)
        : null;

    private void HintAtUndeclaredKeys(Dictionary<QualifiedName, TableCategory> categories)
    {
        var keyColumns = _ready.Values.ToHashSet();
        // A root distributed by its own primary key (companies.id) names a column every table may have as its own key.
        var ownKeys = _ready.Where(r => _catalog.Get(r.Key).PrimaryKey?.Columns is [var only] && only == r.Value).Select(r => r.Value).ToHashSet();
        foreach (var (name, category) in categories)
        {
            if (category != TableCategory.Local || _refused.Contains(name)) continue;
            var table = _catalog.Get(name);
            var column = table.Columns.FirstOrDefault(c => keyColumns.Contains(c.Name)
                && !(ownKeys.Contains(c.Name) && table.PrimaryKey?.Columns is [var only] && only == c.Name));
            if (column is null) continue;
            _warnings.Add(
                $"{name} stays local although it has a column {Sql.IdentIfNeeded(column.Name)}: no foreign key ties it to a distributed table; to distribute it, add: distribute {name} using {Sql.IdentIfNeeded(column.Name)}");
        }
    }

    private TablePlan PlanTable(
        Table table, Dictionary<QualifiedName, TableCategory> categories, Dictionary<QualifiedName, QualifiedName?> colocation)
    {
        var category = categories[table.Name];
        var column = category.IsDistributed() ? DistributionColumn(table.Name) : null;
        var root = category.IsDistributed() ? KeyRoot(table.Name) : null;
        var (primaryKey, uniqueKeys) = PlanKeys(table, column);
        var casts = _casts.TryGetValue(table.Name, out var c)
            ? c.Select(kv => new ColumnCast(kv.Key, table.Column(kv.Key)!.Type, kv.Value)).ToList()
            : [];
        return new TablePlan(
            table,
            category,
            column,
            root is null ? null : EffectiveType(root, _ready[root]),
            _paths.GetValueOrDefault(table.Name),
            _alternatives.TryGetValue(table.Name, out var alternatives) ? alternatives : [],
            primaryKey,
            uniqueKeys,
            PlanForeignKeys(table, categories, colocation),
            colocation.GetValueOrDefault(table.Name),
            casts);
    }
}
