using System.Text;
using Follow.Model;
using Follow.Planning;

namespace Follow.Snapshot;

/// <summary>
/// The two sides of one table's copy. The source SELECT yields the target's columns in the target's order: the
/// added distribution column first, read through the backfill joins (pgloader's query), cast columns cast, and
/// generated columns left out (the target computes them). Both COPYs are binary, so the bytes pass through as is.
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

    /// <param name="range">A ctid page range [first, last) of a split table; last null for the final part.</param>
    public static string Select(TablePlan plan, PageRange? range = null)
    {
        var casts = plan.Casts.ToDictionary(c => c.Column, c => c.TargetType);
        var select = new List<string>();
        var (joins, holder) = plan.Backfill is { } path ? BackfillJoins.Render(path, Alias, "p") : ("", Alias);
        if (plan.AddsDistributionColumn)
        {
            // The holder's column may be cast on its own table: the added column takes the root key's type.
            select.Add($"{Sql.Ident(holder)}.{Sql.Ident(plan.DistributionColumn!)}::{plan.DistributionColumnType}");
        }
        foreach (var column in plan.Source.Columns.Where(c => !c.IsGenerated))
        {
            var value = $"{Sql.Ident(Alias)}.{Sql.Ident(column.Name)}";
            select.Add(casts.TryGetValue(column.Name, out var type) ? $"{value}::{type}" : value);
        }
        var sql = new StringBuilder("SELECT ").AppendJoin(", ", select)
            .Append(" FROM ").Append(plan.Name.Quoted).Append(' ').Append(Sql.Ident(Alias)).Append(joins);
        var conditions = new List<string>();
        // Rows without a key were counted before the copy; with --orphans skip they are left out here.
        if (plan.Category.IsDistributed()) conditions.Add($"{Sql.Ident(holder)}.{Sql.Ident(plan.DistributionColumn!)} IS NOT NULL");
        if (range is not null) conditions.Add(range.Predicate(Alias));
        if (conditions.Count > 0) sql.Append(" WHERE ").AppendJoin(" AND ", conditions);
        return sql.ToString();
    }

    public static string CopyOut(TablePlan plan, PageRange? range = null) =>
        $"COPY ({Select(plan, range)}) TO STDOUT (FORMAT binary)";

    public static string CopyIn(TablePlan plan) =>
        $"COPY {plan.Name.Quoted} ({Sql.Idents(TargetColumns(plan))}) FROM STDIN (FORMAT binary)";

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
