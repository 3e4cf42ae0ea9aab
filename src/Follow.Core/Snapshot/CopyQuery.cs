using System.Text;
using Follow.Model;
using Follow.Planning;

namespace Follow.Snapshot;

/// <summary>
/// The two sides of one table's copy. The source SELECT yields the target's columns in the target's order: the
/// added distribution column first, read through the backfill joins (pgloader's query), cast columns cast, and
/// generated columns left out (the target computes them). Both COPYs are binary, so the bytes pass through as is.
/// A table copied through a key map reads its first hop's column in place of the joins
/// (<see cref="CopyOutByKey"/>, <see cref="CopyOutKeyMap"/>).
/// </summary>
public static class CopyQuery
{
    private const string Alias = "t";

    /// <summary>The target's column list of a COPY FROM, in the order the source SELECT yields them.</summary>
    public static IReadOnlyList<string> TargetColumns(TablePlan plan)
    {
        var columns = new List<string>();
        if (plan.AddsDistributionColumn) columns.Add(plan.DistributionColumn!);
        columns.AddRange(plan.Source.Columns.Where(c => !c.IsGenerated).Select(c => c.Name));
        return columns;
    }

    /// <summary>
    /// The session setting that holds the one tenant a repair copies: COPY takes no bind parameters, so the value is
    /// set with set_config and read back with current_setting rather than written into the text.
    /// </summary>
    public const string TenantSetting = "follow.tenant";

    /// <param name="range">A ctid page range [first, last) of a split table; last null for the final part.</param>
    /// <param name="oneTenant">Only the rows of the tenant in <see cref="TenantSetting"/>.</param>
    public static string Select(TablePlan plan, PageRange? range = null, bool oneTenant = false)
    {
        var select = new List<string>();
        var (joins, holder) = plan.Backfill is { } path ? BackfillJoins.Render(path, Alias, "p") : ("", Alias);
        if (plan.AddsDistributionColumn)
        {
            // The holder's column may be cast on its own table: the added column takes the root key's type.
            select.Add($"{Sql.Ident(holder)}.{Sql.Ident(plan.DistributionColumn!)}::{plan.DistributionColumnType}");
        }
        select.AddRange(SourceColumns(plan));
        var sql = new StringBuilder("SELECT ").AppendJoin(", ", select)
            .Append(" FROM ").Append(plan.Name.Quoted).Append(' ').Append(Sql.Ident(Alias)).Append(joins);
        var conditions = new List<string>();
        // Rows without a key were counted before the copy; with --orphans skip they are left out here.
        if (plan.Category.IsDistributed()) conditions.Add($"{Sql.Ident(holder)}.{Sql.Ident(plan.DistributionColumn!)} IS NOT NULL");
        if (range is not null) conditions.Add(range.Predicate(Alias));
        if (oneTenant)
        {
            var type = plan.DistributionColumnType!;
            conditions.Add($"{Sql.Ident(holder)}.{Sql.Ident(plan.DistributionColumn!)}::{type} = current_setting('{TenantSetting}')::{type}");
        }
        if (conditions.Count > 0) sql.Append(" WHERE ").AppendJoin(" AND ", conditions);
        return sql.ToString();
    }

    /// <summary>The source table's own columns of the target, cast where a rule says so, generated ones left out.</summary>
    private static IEnumerable<string> SourceColumns(TablePlan plan)
    {
        var casts = plan.Casts.ToDictionary(c => c.Column, c => c.TargetType);
        foreach (var column in plan.Source.Columns.Where(c => !c.IsGenerated))
        {
            var value = $"{Sql.Ident(Alias)}.{Sql.Ident(column.Name)}";
            yield return casts.TryGetValue(column.Name, out var type) ? $"{value}::{type}" : value;
        }
    }

    public static string CopyOut(TablePlan plan, PageRange? range = null, bool oneTenant = false) =>
        $"COPY ({Select(plan, range, oneTenant)}) TO STDOUT (FORMAT binary)";

    // Types whose binary form is a fixed number of bytes that are equal exactly when the values are equal.
    private static readonly HashSet<string> MapKeyTypes = ["smallint", "integer", "bigint"];

    /// <summary>
    /// Whether a backfilled table can be copied through a map of its first parent's keys instead of the joins:
    /// its first hop is one column of the same integer type on both sides, so the raw bytes of the child's column
    /// are the map's key.
    /// </summary>
    public static bool CanUseKeyMap(TablePlan plan, DistributionPlan all)
    {
        if (!plan.AddsDistributionColumn || plan.Backfill is not { } path) return false;
        var hop = path.Hops[0];
        if (hop.ChildColumns.Count != 1) return false;
        var childType = plan.Source.Column(hop.ChildColumns[0])?.Type;
        var parentType = all.Find(hop.Parent)?.Source.Column(hop.ParentColumns[0])?.Type;
        return childType is not null && childType == parentType && MapKeyTypes.Contains(childType);
    }

    /// <summary>
    /// The child side of a copy through a key map: the first hop's column, then the target's other columns as
    /// <see cref="Select"/> gives them, from the table alone. <see cref="BackfillKeyRewriter"/> replaces the first
    /// field by the distribution key and leaves out the rows that have none.
    /// </summary>
    public static string CopyOutByKey(TablePlan plan, PageRange? range = null)
    {
        var hop = plan.Backfill!.Hops[0];
        var sql = new StringBuilder("SELECT ").Append(Sql.Ident(Alias)).Append('.').Append(Sql.Ident(hop.ChildColumns[0]));
        foreach (var column in SourceColumns(plan)) sql.Append(", ").Append(column);
        sql.Append(" FROM ").Append(plan.Name.Quoted).Append(' ').Append(Sql.Ident(Alias));
        if (range is not null) sql.Append(" WHERE ").Append(range.Predicate(Alias));
        return $"COPY ({sql}) TO STDOUT (FORMAT binary)";
    }

    /// <summary>
    /// The key map of a backfilled table: each row of its first parent that leads to a distribution key, as
    /// (the column the child references, the key), through the rest of the path's joins. Tables that share a
    /// parent and path share this query.
    /// </summary>
    public static string CopyOutKeyMap(TablePlan plan)
    {
        var hops = plan.Backfill!.Hops;
        const string first = "m";
        var (joins, holder) = hops.Count > 1 ? BackfillJoins.Render(new BackfillPath([.. hops.Skip(1)]), first, "p") : ("", first);
        var key = $"{Sql.Ident(first)}.{Sql.Ident(hops[0].ParentColumns[0])}";
        var value = $"{Sql.Ident(holder)}.{Sql.Ident(plan.DistributionColumn!)}";
        return $"COPY (SELECT {key}, {value}::{plan.DistributionColumnType} FROM {hops[0].Parent.Quoted} {Sql.Ident(first)}{joins}"
            + $" WHERE {key} IS NOT NULL AND {value} IS NOT NULL) TO STDOUT (FORMAT binary)";
    }

    public static string CopyIn(TablePlan plan, bool freeze = false) =>
        $"COPY {plan.Name.Quoted} ({Sql.Idents(TargetColumns(plan))}) FROM STDIN (FORMAT binary{(freeze ? ", FREEZE" : "")})";

    /// <summary>
    /// A cheap first look for rows without a key, without joining the whole path: on a ready table the column is
    /// NULL; on a backfilled one the first hop's key has a NULL (the source enforces the rest), or, when the source
    /// does not enforce that key, its parent row is missing. A parent's own orphans are counted on the parent.
    /// Zero everywhere means no table has any; otherwise <see cref="CountOrphans"/> counts them exactly.
    /// </summary>
    public static string? CountOrphansFirstHop(TablePlan plan)
    {
        if (!plan.Category.IsDistributed()) return null;
        var t = Sql.Ident(Alias);
        if (plan.Backfill is not { } path) return $"SELECT count(*) FROM {plan.Name.Quoted} {t} WHERE {t}.{Sql.Ident(plan.DistributionColumn!)} IS NULL";
        var hop = path.Hops[0];
        var anyNull = string.Join(" OR ", hop.ChildColumns.Select(c => $"{t}.{Sql.Ident(c)} IS NULL"));
        if (hop.Enforced) return $"SELECT count(*) FROM {plan.Name.Quoted} {t} WHERE {anyNull}";
        var (join, parent) = BackfillJoins.Render(new BackfillPath([hop]), Alias, "p", "LEFT JOIN");
        return $"SELECT count(*) FROM {plan.Name.Quoted} {t}{join} WHERE {anyNull} OR {Sql.Ident(parent)}.{Sql.Ident(hop.ParentColumns[0])} IS NULL";
    }

    /// <summary>
    /// Rows that would get no distribution key: their path is NULL or leads nowhere (an inner join would drop them
    /// silently), or, on a ready table, the column itself is NULL (Citus rejects those). Counted with one example
    /// row key (the primary key's values as a row, else the ctid); null when the table cannot have any.
    /// </summary>
    public static string? CountOrphans(TablePlan plan)
    {
        if (!plan.Category.IsDistributed()) return null;
        var example = plan.Source.PrimaryKey is { } pk
            ? $"ROW({string.Join(", ", pk.Columns.Select(c => $"{Sql.Ident(Alias)}.{Sql.Ident(c)}"))})::text"
            : $"{Sql.Ident(Alias)}.ctid::text";
        var (joins, holder) = plan.Backfill is { } path ? BackfillJoins.Render(path, Alias, "p", "LEFT JOIN") : ("", Alias);
        return $"SELECT count(*), min({example}) FROM {plan.Name.Quoted} {Sql.Ident(Alias)}{joins}"
            + $" WHERE {Sql.Ident(holder)}.{Sql.Ident(plan.DistributionColumn!)} IS NULL";
    }
}

/// <summary>A range of heap pages, for copying one part of a large table: ctid &gt;= (First,0) and &lt; (Last,0).</summary>
/// <remarks>COPY takes no bind parameters, so the page numbers (integers of our own) are written into the text.</remarks>
public sealed record PageRange(long First, long? Last)
{
    public string Predicate(string alias) =>
        Last is { } last
            ? $"{Sql.Ident(alias)}.ctid >= '({First},0)'::tid AND {Sql.Ident(alias)}.ctid < '({last},0)'::tid"
            : $"{Sql.Ident(alias)}.ctid >= '({First},0)'::tid";
}
