using Follow.Planning;

namespace Follow.Snapshot;

/// <summary>
/// The foreign keys that the copy cannot break, because of how it fills the tables from one snapshot:
/// <list type="bullet">
/// <item>the first hop of a backfilled table's path: each copied row takes its distribution key from the very parent
/// row that this key references (a row whose parent is missing gets no key and is refused or left out, see
/// <see cref="OrphanCheck"/>), and the parent's own key comes through the same joins;</item>
/// <item>a key the plan left as it is on the source, which the source validated, when no row is left out anywhere.</item>
/// </list>
/// Any other key (a rewritten key off the path: rows may point across tenants) must be checked on the target.
/// </summary>
public static class ForeignKeysHeldByCopy
{
    public static IReadOnlyList<PlannedForeignKey> Find(DistributionPlan plan, OrphanPolicy orphans)
    {
        var held = new List<PlannedForeignKey>();
        foreach (var child in plan.Tables)
        {
            foreach (var fk in child.ForeignKeys)
            {
                if (plan.Find(fk.ReferencedTable) is not { } parent) continue;
                // A cast could map two source values to one; the key is then for the target to check.
                if (Casts(child, fk.Columns) || Casts(parent, fk.ReferencedColumns)) continue;
                if (ThroughBackfill(child, fk, parent) || (Unchanged(fk) && fk.Source.Validated && orphans == OrphanPolicy.Refuse)) held.Add(fk);
            }
        }
        return held;
    }

    private static bool ThroughBackfill(TablePlan child, PlannedForeignKey fk, TablePlan parent)
    {
        if (!child.AddsDistributionColumn || child.Backfill is not { } path || path.Hops[0].Constraint != fk.Name) return false;
        // The child's key and the parent's must come the same way: straight from the parent's own column, or through
        // the same joins the parent's copy takes.
        var agrees = path.Hops.Count == 1
            ? !parent.AddsDistributionColumn
            : parent.Backfill is { } own && own.Hops.SequenceEqual(path.Hops.Skip(1));
        return agrees
            && fk.Columns.SequenceEqual([child.DistributionColumn!, .. fk.Source.Columns])
            && fk.ReferencedColumns.SequenceEqual([parent.DistributionColumn!, .. fk.Source.ReferencedColumns]);
    }

    private static bool Unchanged(PlannedForeignKey fk) =>
        fk.Columns.SequenceEqual(fk.Source.Columns) && fk.ReferencedColumns.SequenceEqual(fk.Source.ReferencedColumns);

    private static bool Casts(TablePlan table, IEnumerable<string> columns) => table.Casts.Any(c => columns.Contains(c.Column));
}
