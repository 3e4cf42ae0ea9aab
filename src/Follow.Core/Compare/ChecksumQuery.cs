using Follow.Model;
using Follow.Planning;

namespace Follow.Compare;

/// <summary>
/// The queries that count a table's rows and sum a 64-bit hash of each row's text, as pgcopydb's compare does:
/// independent of row order, exact (a numeric sum), and pushed down to the shards on Citus. Both sides must
/// format values alike, which <see cref="ComparisonSession"/> sees to.
/// </summary>
public static class ChecksumQuery
{
    private const string Alias = "t";

    /// <summary>
    /// The rows the target should hold, computed on the source: the added distribution column first, through the
    /// copy's backfill joins, then the source's columns in order, cast where a rule says so. Generated columns are
    /// included: the target computes them from the same values.
    /// </summary>
    public static string ForSource(TablePlan table, DistributionPlan plan)
    {
        var values = new List<string>();
        var (joins, holderAlias) = table.Backfill is { } path ? BackfillJoins.Render(path, Alias, "p") : ("", Alias);
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
            var value = Column(column.Name);
            values.Add(casts.TryGetValue(column.Name, out var type) ? $"CAST({value} AS {type})" : value);
        }
        var from = $"{table.Name.Quoted} {Sql.Ident(Alias)}{joins}";
        // The copy's rows (Snapshot.CopyQuery): inner joins leave out a row whose path leads to no parent (an
        // orphan), and a row without a distribution key is left out too, so neither is counted here.
        if (table.Category.IsDistributed() && key is not null) from += $" WHERE {key} IS NOT NULL";
        return Checksum(values, from);
    }

    /// <summary>The target table as it is: its own columns, in its order.</summary>
    public static string ForTarget(Table table) =>
        Checksum(table.Columns.Select(c => Column(c.Name)), $"{table.Name.Quoted} {Sql.Ident(Alias)}");

    private static string Column(string name) => $"{Sql.Ident(Alias)}.{Sql.Ident(name)}";

    // The first 16 hex digits of the row's md5 as a signed 64-bit integer, summed as numeric so it cannot overflow.
    private static string Checksum(IEnumerable<string> values, string from) =>
        "SELECT count(*), coalesce(sum(('x' || substr(md5(ROW("
        + string.Join(", ", values)
        + ")::text), 1, 16))::bit(64)::bigint::numeric), 0)::text FROM "
        + from;
}
