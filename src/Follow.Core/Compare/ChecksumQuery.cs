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
    /// <summary>
    /// The rows the target should hold, computed on the source: the added distribution column first, through the
    /// copy's backfill joins, then the source's columns in order, cast where a rule says so. Generated columns are
    /// included: the target computes them from the same values.
    /// </summary>
    public static string ForSource(TablePlan table, DistributionPlan plan)
    {
        var rows = SourceRows.Of(table, plan);
        return Checksum(rows.Values, rows.Where is { } where ? $"{rows.From} WHERE {where}" : rows.From);
    }

    /// <summary>The target table as it is: its own columns, in its order.</summary>
    public static string ForTarget(Table table) =>
        Checksum(table.Columns.Select(c => Column(c.Name)), $"{table.Name.Quoted} {Sql.Ident(Alias)}");

    internal const string Alias = "t";

    internal static string Column(string name) => $"{Sql.Ident(Alias)}.{Sql.Ident(name)}";

    private static string Checksum(IEnumerable<string> values, string from) => $"SELECT {Sums(values)} FROM {from}";

    /// <summary>
    /// count(*) and the exact sum of the rows' hashes, as text: the first 16 hex digits of the row's md5 as a signed
    /// 64-bit integer, summed as numeric so it cannot overflow.
    /// </summary>
    internal static string Sums(IEnumerable<string> values) =>
        $"count(*), coalesce(sum(('x' || substr({RowHash(values)}, 1, 16))::bit(64)::bigint::numeric), 0)::text";

    /// <summary>A row's md5 over its text, as both sides print it.</summary>
    internal static string RowHash(IEnumerable<string> values) => $"md5(ROW({string.Join(", ", values)})::text)";
}
