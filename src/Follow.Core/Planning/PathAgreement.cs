using Follow.Model;

namespace Follow.Planning;

/// <summary>
/// A data-quality check for a table with more than one path to its distribution key: the rows whose paths lead
/// to different keys would land on the tenant of the chosen path, and their other foreign key would then fail.
/// </summary>
public static class PathAgreement
{
    /// <summary>A query counting the rows where <paramref name="chosen"/> and <paramref name="other"/> disagree.</summary>
    public static string CountDisagreements(TablePlan table, BackfillPath chosen, BackfillPath other, string holderColumnOfOther)
    {
        var (chosenJoins, chosenHolder) = BackfillJoins.Render(chosen, "t", "a");
        var (otherJoins, otherHolder) = BackfillJoins.Render(other, "t", "b");
        return $"SELECT count(*) FROM {table.Name.Quoted} {Sql.Ident("t")}{chosenJoins}{otherJoins}"
            + $" WHERE {Sql.Ident(chosenHolder)}.{Sql.Ident(table.DistributionColumn!)} IS DISTINCT FROM {Sql.Ident(otherHolder)}.{Sql.Ident(holderColumnOfOther)}";
    }
}
