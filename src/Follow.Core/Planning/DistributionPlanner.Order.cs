using Follow.Model;

namespace Follow.Planning;

public sealed partial class DistributionPlanner
{
    /// <summary>Roots in rule order: the ready tables whose key follows no other table's.</summary>
    private List<QualifiedName> Roots() =>
        _explicitReady.Where(n => RootOf(n) == n)
            .Concat(_ready.Keys.Where(n => RootOf(n) == n && !_explicitReady.Contains(n)).Order())
            .ToList();

    /// <summary>
    /// The table each distributed table is colocated with: the root of its key. Roots whose key types are equal are
    /// colocated with the first of them, as Citus does by default.
    /// </summary>
    private Dictionary<QualifiedName, QualifiedName?> Colocation(Dictionary<QualifiedName, TableCategory> categories)
    {
        var anchors = new Dictionary<QualifiedName, QualifiedName>();
        var roots = Roots();
        foreach (var root in roots)
        {
            var type = EffectiveType(root, _ready[root]);
            anchors[root] = roots.First(r => anchors.ContainsKey(r) ? TypeNames.Same(EffectiveType(r, _ready[r]), type) : r == root);
        }

        var result = new Dictionary<QualifiedName, QualifiedName?>();
        foreach (var (name, category) in categories)
        {
            if (!category.IsDistributed() || KeyRoot(name) is not { } root) continue;
            var anchor = anchors[root];
            result[name] = anchor == name ? null : anchor;
        }
        return result;
    }

    private static QualifiedName Anchor(QualifiedName root, Dictionary<QualifiedName, QualifiedName?> colocation) =>
        colocation.GetValueOrDefault(root) ?? root;

    /// <summary>
    /// Reference tables first, then distributed tables with each table after the one it colocates with and after
    /// the tables it references (parents before children), ties broken by roots first and then by name.
    /// </summary>
    private List<DistributionCall> OrderCalls(List<TablePlan> tables, Dictionary<QualifiedName, QualifiedName?> colocation)
    {
        var calls = tables.Where(t => t.Category == TableCategory.Reference)
            .OrderBy(t => t.Name)
            .Select(t => new DistributionCall(t.Name, null, null))
            .ToList();

        var roots = Roots();
        var distributed = tables.Where(t => t.Category.IsDistributed()).ToDictionary(t => t.Name);
        var dependsOn = distributed.Values.ToDictionary(
            t => t.Name,
            t => t.ForeignKeys.Select(f => f.ReferencedTable)
                .Append(t.ColocateWith ?? t.Name)
                .Where(p => p != t.Name && distributed.ContainsKey(p))
                .ToHashSet());
        var done = new HashSet<QualifiedName>();
        while (done.Count < distributed.Count)
        {
            var pending = distributed.Keys.Where(n => !done.Contains(n)).ToList();
            var ready = pending.Where(n => dependsOn[n].All(done.Contains)).ToList();
            // A cycle of foreign keys: the keys are added after the copy, so any order that keeps colocation works.
            var candidates = ready.Count > 0 ? ready : pending.Where(n => colocation[n] is not { } a || done.Contains(a)).ToList();
            var next = candidates
                .OrderBy(n => roots.IndexOf(n) is var i && i >= 0 ? i : int.MaxValue)
                .ThenBy(n => n)
                .First();
            done.Add(next);
            var plan = distributed[next];
            calls.Add(new DistributionCall(next, plan.DistributionColumn, plan.ColocateWith));
        }
        return calls;
    }
}
