using Follow.Model;
using Follow.Planning;

namespace Follow.Apply;

/// <summary>
/// Which writes may pass which. A write may go before a held write of another row of its table only when the table's
/// replica identity is its only unique key (PostgreSQL checks a unique index row by row, so another row could take a
/// value first). Where the target checks foreign keys while Follow writes (Citus checks them on the workers whatever
/// session_replication_role says), a key to the parent's row identity orders writes by the rows they name
/// (<see cref="IdentityLink"/>); any other key orders them by table, so a write never passes a held write to a table
/// related to it by one.
/// </summary>
public sealed class WriteOrder(DistributionPlan plan, bool foreignKeysChecked)
{
    private readonly Dictionary<TablePlan, bool> _reorderable = new(ReferenceEqualityComparer.Instance);
    private Dictionary<TablePlan, TablePlan[]>? _related;

    public bool Reorderable(TablePlan table)
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
            && source.UniqueConstraints.All(u => u.Name == identityIndex);
        return _reorderable[table] = reorderable;
    }

    /// <summary>
    /// The tables whose held writes a write to this one may not pass, where keys are checked: those related to it by a
    /// foreign key that is not an <see cref="IdentityLink"/> (a table that refers to itself is related to itself).
    /// </summary>
    public IReadOnlyList<TablePlan> Related(TablePlan table)
    {
        Build();
        return _related!.GetValueOrDefault(table) ?? [];
    }

    /// <summary>The keys from this table to its parents' row identities, where keys are checked.</summary>
    public IReadOnlyList<IdentityLink> Parents(TablePlan table)
    {
        Build();
        return _parents!.GetValueOrDefault(table) ?? [];
    }

    /// <summary>The keys from other tables to this table's row identity, where keys are checked.</summary>
    public IReadOnlyList<IdentityLink> Children(TablePlan table)
    {
        Build();
        return _children!.GetValueOrDefault(table) ?? [];
    }

    private Dictionary<TablePlan, IdentityLink[]>? _parents;
    private Dictionary<TablePlan, IdentityLink[]>? _children;

    private void Build()
    {
        if (_related is not null) return;
        var related = new Dictionary<TablePlan, HashSet<TablePlan>>(ReferenceEqualityComparer.Instance);
        var links = new List<IdentityLink>();
        if (foreignKeysChecked)
        {
            foreach (var child in plan.Tables)
            {
                foreach (var key in child.ForeignKeys)
                {
                    if (plan.Find(key.ReferencedTable) is not { } parent) continue;
                    if (IdentityLink.Of(child, parent, key.Source) is { } link)
                    {
                        links.Add(link);
                        continue;
                    }
                    Add(child, parent);
                    Add(parent, child);
                }
            }
        }
        _related = related.ToDictionary(r => r.Key, r => r.Value.ToArray(), (IEqualityComparer<TablePlan>)ReferenceEqualityComparer.Instance);
        _parents = links.GroupBy(l => l.Child, ReferenceEqualityComparer.Instance)
            .ToDictionary(g => (TablePlan)g.Key!, g => g.ToArray(), (IEqualityComparer<TablePlan>)ReferenceEqualityComparer.Instance);
        _children = links.GroupBy(l => l.Parent, ReferenceEqualityComparer.Instance)
            .ToDictionary(g => (TablePlan)g.Key!, g => g.ToArray(), (IEqualityComparer<TablePlan>)ReferenceEqualityComparer.Instance);

        void Add(TablePlan from, TablePlan to)
        {
            if (!related.TryGetValue(from, out var set)) related[from] = set = new HashSet<TablePlan>(ReferenceEqualityComparer.Instance);
            set.Add(to);
        }
    }
}
