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
            foreach (var difference in table.Differences) text.Append(table.Table).Append(": ").Append(difference.Message).Append('\n');
        }
        return text.Append($"{report.EqualCount} {Tables(report.EqualCount)} equal, {report.DifferCount} differ\n").ToString();
    }

    private static string Tables(int count) => count == 1 ? "table" : "tables";

    public static string Json(CompareReport report)
    {
        var document = new
        {
            compare = report.Kind == CompareKind.Schema ? "schema" : "data",
            equal = report.Equal,
            tablesEqual = report.EqualCount,
            tablesDiffering = report.DifferCount,
            tables = report.Tables.Select(t => new
            {
                table = t.Table.ToString(),
                schema = t.Table.Schema,
                name = t.Table.Name,
                equal = t.Equal,
                source = Side(t.Source),
                target = Side(t.Target),
                differences = t.Differences.Select(d => new { kind = d.Kind, name = d.Name, message = d.Message }),
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
