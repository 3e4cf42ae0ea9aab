using System.Text;
using Follow.Model;

namespace Follow.Planning;

/// <summary>
/// The joins that walk a backfill path, as in pgloader's backfill query
/// (<c>FROM impressions JOIN ads ON impressions.ad_id = ads.id JOIN campaigns ON ads.campaign_id = campaigns.id</c>).
/// Each table gets its own alias, so a path may pass through the same table twice.
/// </summary>
public static class BackfillJoins
{
    /// <param name="childAlias">Alias of the table the path starts from.</param>
    /// <param name="aliasPrefix">Prefix of the joined tables' aliases, numbered from 1.</param>
    /// <param name="joinKind">JOIN or LEFT JOIN.</param>
    /// <returns>The join clauses, and the alias of the table that holds the distribution column.</returns>
    public static (string Sql, string HolderAlias) Render(BackfillPath path, string childAlias, string aliasPrefix, string joinKind = "JOIN")
    {
        var sql = new StringBuilder();
        var previous = childAlias;
        for (var i = 0; i < path.Hops.Count; i++)
        {
            var hop = path.Hops[i];
            var alias = $"{aliasPrefix}{i + 1}";
            sql.Append(' ').Append(joinKind).Append(' ').Append(hop.Parent.Quoted).Append(' ').Append(Sql.Ident(alias)).Append(" ON ");
            sql.AppendJoin(" AND ", hop.ChildColumns.Select((c, k) =>
                $"{Sql.Ident(previous)}.{Sql.Ident(c)} = {Sql.Ident(alias)}.{Sql.Ident(hop.ParentColumns[k])}"));
            previous = alias;
        }
        return (sql.ToString(), previous);
    }
}
