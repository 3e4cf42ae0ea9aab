using Follow.Model;
using Follow.Planning;
using Follow.State;

namespace Follow.Snapshot;

/// <summary>
/// Which tables a resumed copy keeps from the interrupted one: those whose every part completed, except a table
/// that takes its distribution key from a parent copied again. The stream looks up a backfilled change's key in
/// that parent on the target (one hop), so the parent must never be ahead of the child: a parent copied at a later
/// point may lack the rows, or hold other keys, that the child's earlier changes need.
/// </summary>
public static class KeptTables
{
    public static IReadOnlyDictionary<QualifiedName, TableCopy> Choose(DistributionPlan plan, CopyPoints latest)
    {
        var completed = latest.Tables.Where(t => t.Completed).ToDictionary(t => t.Table);
        var kept = plan.Tables.Where(t => completed.ContainsKey(t.Name.ToString())).ToDictionary(t => t.Name, t => completed[t.Name.ToString()]);
        bool changed;
        do
        {
            changed = false;
            foreach (var table in plan.Tables)
            {
                if (kept.TryGetValue(table.Name, out var child) && table.Backfill is { } path && plan.Find(path.Hops[0].Parent) is not null
                    && !(kept.TryGetValue(path.Hops[0].Parent, out var parent) && parent.Lsn <= child.Lsn))
                {
                    kept.Remove(table.Name);
                    changed = true;
                }
            }
        }
        while (changed);
        return kept;
    }
}
