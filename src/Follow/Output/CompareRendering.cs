using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Follow.Compare;

namespace Follow.Cli.Output;

/// <summary>A comparison for people (a line per difference, then a count) and for scripts (JSON).</summary>
public static class CompareRendering
{
    public static string Text(CompareReport report)
    {
        var text = new StringBuilder();
        foreach (var table in report.Tables)
        {
            var rows = table.Rows ?? [];
            foreach (var difference in table.Differences)
            {
                text.Append(table.Table).Append(": ").Append(difference.Message).Append('\n');
                if (difference.Kind == "tenant") AppendRows(text, table, rows.Where(r => r.Tenant == difference.Name));
            }
            AppendRows(text, table, rows.Where(r => r.Tenant is null));
            if (table.RowsDiffering > rows.Count)
            {
                text.Append($"{table.Table}: {table.RowsDiffering} rows differ, {rows.Count} shown (--max-rows)\n");
            }
        }
        var tenants = Tenants(report);
        if (tenants.Count > 0) text.Append("tenants differing: ").AppendJoin(", ", tenants).Append('\n');
        return text.Append($"{report.EqualCount} {Tables(report.EqualCount)} equal, {report.DifferCount} differ\n").ToString();
    }

    /// <summary>One line a row: the table, the tenant's value, how the row differs and its key.</summary>
    private static void AppendRows(StringBuilder text, TableComparison table, IEnumerable<RowDifference> rows)
    {
        foreach (var row in rows)
        {
            text.Append(table.Table).Append(row.Tenant is null ? "" : $" tenant {row.Tenant}").Append(": ").Append(row.Kind).Append(' ').Append(row.Key).Append('\n');
        }
    }

    /// <summary>Every tenant that differs in some table, each once.</summary>
    private static List<string> Tenants(CompareReport report) =>
        [.. report.Tables.SelectMany(t => t.Tenants ?? []).Distinct().Order(TenantComparer.TenantOrderComparer)];

    private static string Tables(int count) => count == 1 ? "table" : "tables";

    public static string Json(CompareReport report)
    {
        var document = new
        {
            compare = report.Kind == CompareKind.Schema ? "schema" : "data",
            equal = report.Equal,
            tablesEqual = report.EqualCount,
            tablesDiffering = report.DifferCount,
            tenantsDiffering = report.Tables.Any(t => t.Tenants is not null) ? Tenants(report) : null,
            tables = report.Tables.Select(t => new
            {
                table = t.Table.ToString(),
                schema = t.Table.Schema,
                name = t.Table.Name,
                equal = t.Equal,
                source = Side(t.Source),
                target = Side(t.Target),
                differences = t.Differences.Select(d => new { kind = d.Kind, name = d.Name, message = d.Message }),
                tenants = t.Tenants,
                rowsDiffering = t.Rows is null ? (long?)null : t.RowsDiffering,
                rows = t.Rows?.Select(r => new { tenant = r.Tenant, key = r.Key, kind = r.Kind }),
            }),
        };
        return JsonSerializer.Serialize(document, Options) + "\n";
    }

    private static object? Side(RowSummary? side) => side is null ? null : new { rows = side.Rows, checksum = side.Checksum };

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
