using Follow.Model;
using Follow.Planning;

namespace Follow.Compare;

/// <summary>
/// One side of a by-tenant comparison of a table: checksums grouped by the distribution key (on Citus a GROUP BY on
/// the distribution column runs on the shards), and each row's primary key with its hash, for one tenant or for a
/// whole reference or local table. Tenant values are bound as text and cast to the key's type.
/// </summary>
/// <param name="Values">The target's columns, in the plan's order.</param>
/// <param name="From">The FROM clause; <see cref="Where"/> holds its conditions.</param>
/// <param name="Key">The distribution key's expression; null for a table compared whole.</param>
/// <param name="RowKey">The primary key's columns (every column when there is none), as a row's text.</param>
/// <param name="KeyType">The distribution column's type on the target.</param>
public sealed record TenantQuery(IReadOnlyList<string> Values, string From, IReadOnlyList<string> Where, string? Key, string RowKey, string? KeyType)
{
    public static TenantQuery ForSource(TablePlan table, DistributionPlan plan, string? keyType)
    {
        var rows = SourceRows.Of(table, plan);
        var names = ExpectedTable.ColumnsOf(table).Select(c => c.Name).ToList();
        return new TenantQuery(rows.Values, rows.From, rows.Where is { } where ? [where] : [], rows.Key, RowKeyOf(table, names, rows.Values), keyType);
    }

    public static TenantQuery ForTarget(TablePlan table, string? keyType)
    {
        var names = ExpectedTable.ColumnsOf(table).Select(c => c.Name).ToList();
        var values = names.Select(ChecksumQuery.Column).ToList();
        var key = table.Category.IsDistributed() && table.DistributionColumn is { } column ? ChecksumQuery.Column(column) : null;
        return new TenantQuery(values, $"{table.Name.Quoted} {Sql.Ident(ChecksumQuery.Alias)}", [], key, RowKeyOf(table, names, values), keyType);
    }

    private static string RowKeyOf(TablePlan table, List<string> names, IReadOnlyList<string> values)
    {
        var columns = table.Source.PrimaryKey?.Columns ?? names;
        return $"ROW({string.Join(", ", columns.Select(c => values[names.IndexOf(c)]))})::text";
    }

    /// <summary>Per tenant: its value as text, count and checksum; $1, when bound, the tenants to compare (text[]).</summary>
    public string ByTenant(bool filtered) =>
        $"SELECT ({Key})::text, {ChecksumQuery.Sums(Values)} FROM {From}{Conditions(filtered ? $"{Key} = ANY(CAST($1 AS text[])::{KeyType}[])" : null)} GROUP BY {Key}";

    /// <summary>The whole table's count and checksum.</summary>
    public string Whole() => $"SELECT {ChecksumQuery.Sums(Values)} FROM {From}{Conditions(null)}";

    /// <summary>Each row's key and hash; $1, with a key, the tenant (text).</summary>
    public string Rows() =>
        $"SELECT {RowKey}, {ChecksumQuery.RowHash(Values)} FROM {From}{Conditions(Key is null ? null : $"{Key} = CAST(CAST($1 AS text) AS {KeyType})")}";

    private string Conditions(string? extra)
    {
        var all = extra is null ? Where : [.. Where, extra];
        return all.Count == 0 ? "" : " WHERE " + string.Join(" AND ", all);
    }
}
