using Follow.Diagnostics;
using Follow.Model;
using Follow.Planning;

namespace Follow.Enrich;

/// <summary>Changes whose distribution key cannot be found: each error names the table, the key and the way on.</summary>
public static class KeyRefusals
{
    /// <summary>A backfilled row whose parent the target does not have.</summary>
    public static FollowException MissingParent(TablePlan table, Relation relation, IReadOnlyList<ColumnValue> values)
    {
        var hop = table.Backfill!.Hops[0];
        return new FollowException(
            $"a row of {table.Name} refers to {hop.Parent} ({string.Join(", ", hop.ParentColumns)}) = ({string.Join(", ", hop.ChildColumns.Select(c => values[relation.IndexOf(c)].Text))}), which the target does not have, so its {table.DistributionColumn} is unknown; nothing of that transaction was applied",
            ExitCode.TargetFailure);
    }

    /// <summary>A backfilled row whose foreign key is NULL.</summary>
    public static FollowException NullParent(TablePlan table) => new(
        $"a row of {table.Name} has no {table.DistributionColumn}: its foreign key ({string.Join(", ", table.Backfill!.Hops[0].ChildColumns)}) to {table.Backfill.Hops[0].Parent} is NULL; Citus cannot store it. Fix the row on the source, then run follow follow again",
        ExitCode.SourceFailure);

    /// <summary>An update or delete of a row the target does not have.</summary>
    public static FollowException MissingRow(TablePlan table, Relation relation, IReadOnlyList<int> key, IReadOnlyList<ColumnValue> values) => new(
        $"the target has no row of {table.Name} with ({string.Join(", ", key.Select(k => relation.Columns[k].Name))}) = ({string.Join(", ", values.Select(v => v.Text))}) for a change the source sent; the target has diverged from the source: compare the table (follow compare data) and clone it again",
        ExitCode.TargetFailure);

    /// <summary>An update that sets the distribution column to NULL.</summary>
    public static FollowException NullKey(TablePlan table) => new(
        $"an update sets {table.Name}.{table.DistributionColumn} to NULL, which Citus cannot store; fix the row on the source, then run follow follow again",
        ExitCode.SourceFailure);
}
