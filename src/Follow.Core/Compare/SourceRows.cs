using Follow.Model;
using Follow.Planning;

namespace Follow.Compare;

/// <summary>
/// The rows the target should hold, computed on the source: the added distribution column first, through the copy's
/// backfill joins, then the source's columns in order, cast where a rule says so. Generated columns are included: the
/// target computes them from the same values.
/// </summary>
/// <param name="Values">One expression a target column, in the plan's order (<see cref="ExpectedTable.ColumnsOf"/>).</param>
/// <param name="From">The FROM clause.</param>
/// <param name="Where">The condition that leaves out what the copy leaves out, or null.</param>
/// <param name="Key">The tenant: the distribution key as the target holds it; null for a reference or local table.</param>
internal sealed record SourceRows(IReadOnlyList<string> Values, string From, string? Where, string? Key)
{
    public static SourceRows Of(TablePlan table, DistributionPlan plan)
    {
        const string alias = ChecksumQuery.Alias;
        var values = new List<string>();
        var (joins, holderAlias) = table.Backfill is { } path ? BackfillJoins.Render(path, alias, "p") : ("", alias);
        var holder = table.Backfill is { } backfill ? plan.Get(backfill.Holder) : table;
        var key = holder.DistributionColumn is { } keyColumn ? $"{Sql.Ident(holderAlias)}.{Sql.Ident(keyColumn)}" : null;
        if (table.AddsDistributionColumn)
        {
            // The holder's column as the source has it: a cast rule on it applies here too.
            var holderType = holder.Source.Column(holder.DistributionColumn!)!.Type;
            values.Add(TypeNames.Same(holderType, table.DistributionColumnType!) ? key! : $"CAST({key} AS {table.DistributionColumnType})");
        }
        var casts = table.Casts.ToDictionary(c => c.Column, c => c.TargetType);
        foreach (var column in table.Source.Columns)
        {
            var value = ChecksumQuery.Column(column.Name);
            values.Add(casts.TryGetValue(column.Name, out var type) ? $"CAST({value} AS {type})" : value);
        }
        var from = $"{table.Name.Quoted} {Sql.Ident(alias)}{joins}";
        // The copy's rows (Snapshot.CopyQuery): inner joins leave out a row whose path leads to no parent (an
        // orphan), and a row without a distribution key is left out too, so neither is counted here.
        var distributed = table.Category.IsDistributed() && key is not null;
        return new SourceRows(values, from, distributed ? $"{key} IS NOT NULL" : null, distributed ? values[KeyIndex(table)] : null);
    }

    /// <summary>Where the distribution column is among the target's columns.</summary>
    private static int KeyIndex(TablePlan table) =>
        table.AddsDistributionColumn ? 0 : table.Source.Columns.ToList().FindIndex(c => c.Name == table.DistributionColumn);
}
