using Follow.Model;
using Follow.Planning;

namespace Follow.Apply;

/// <summary>
/// Which writes may pass which. A write may go before a held write of another row of its table only when the table's
/// replica identity is its only unique key (PostgreSQL checks a unique index row by row, so another row could take a
/// value first), and, where the target checks foreign keys while Follow writes (Citus checks them on the workers
/// whatever session_replication_role says), never before a write to a table related to it by one: a table that
/// refers to itself is related to itself, so its rows then keep their order.
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

    /// <summary>The tables whose held writes a write to this one may not pass: those related to it by a foreign key, where keys are checked.</summary>
    public IReadOnlyList<TablePlan> Related(TablePlan table)
    {
        if (!foreignKeysChecked) return [];
        if (_related is null)
        {
            var related = new Dictionary<TablePlan, HashSet<TablePlan>>(ReferenceEqualityComparer.Instance);
            foreach (var child in plan.Tables)
            {
                foreach (var key in child.ForeignKeys)
                {
                    if (plan.Find(key.ReferencedTable) is not { } parent) continue;
                    Add(child, parent);
                    Add(parent, child);
                }
            }
            _related = related.ToDictionary(r => r.Key, r => r.Value.ToArray(), (IEqualityComparer<TablePlan>)ReferenceEqualityComparer.Instance);

            void Add(TablePlan from, TablePlan to)
            {
                if (!related.TryGetValue(from, out var set)) related[from] = set = new HashSet<TablePlan>(ReferenceEqualityComparer.Instance);
                set.Add(to);
            }
        }
        return _related.GetValueOrDefault(table) ?? [];
    }
}
