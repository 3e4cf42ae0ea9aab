using System.Text;
using System.Text.Json;
using Follow.Model;
using Follow.Planning;

namespace Follow.Cli.Output;

/// <summary>The plan for people (aligned text) and for scripts (JSON).</summary>
public static class PlanRendering
{
    public static string Text(DistributionPlan plan, IReadOnlyDictionary<(QualifiedName, BackfillPath), long>? disagreements)
    {
        var table = new TextTable("table", "category", "distribution column", "backfill path", "new primary key", "colocated with");
        foreach (var t in plan.Tables)
        {
            table.Add(
                t.Name.ToString(),
                t.Category.Display(),
                t.DistributionColumn is null ? "" : Sql.IdentIfNeeded(t.DistributionColumn) + (t.AddsDistributionColumn ? $" {t.DistributionColumnType} (added)" : ""),
                t.Backfill?.ToString(),
                t.PrimaryKey is null ? "(none)" : Columns(t.PrimaryKey.Columns) + (t.PrimaryKey.Rewritten ? " *" : ""),
                t.ColocateWith?.ToString());
        }

        var text = new StringBuilder(table.ToString());
        if (plan.Tables.Any(t => t.PrimaryKey?.Rewritten == true)) text.Append("* the distribution column was added to the key\n");

        Section(text, "Distribution calls, in order", plan.Calls.Select(c => c.ToString()));
        Section(text, "Keys rewritten", plan.Tables.SelectMany(t =>
            t.UniqueKeys.Where(k => k.Rewritten).Select(k => $"{t.Name}: unique {k}")
                .Concat(t.ForeignKeys.Where(f => f.Rewritten).Select(f => $"{t.Name}: foreign key {f}"))));
        Section(text, "Casts", plan.Tables.SelectMany(t =>
            t.Casts.Select(c => $"{t.Name}.{Sql.IdentIfNeeded(c.Column)}: {c.SourceType} → {c.TargetType}")));
        Section(text, "Other paths to the distribution key", plan.Tables.SelectMany(t =>
            t.AlternativePaths.Select(p => $"{t.Name}: also reaches it through {p}"
                + (disagreements is not null && disagreements.TryGetValue((t.Name, p), out var n)
                    ? $": {n} row{(n == 1 ? "" : "s")} disagree with the chosen path {t.Backfill}"
                    : " (follow plan --check-paths counts the rows where the paths disagree)"))));
        Section(text, "Excluded by the filters", plan.Excluded.Select(e => e.ToString()));
        Section(text, "Warnings", plan.Warnings);
        return text.ToString();
    }

    private static string Columns(IEnumerable<string?> columns) =>
        "(" + string.Join(", ", columns.Select(c => c is null ? "(expression)" : Sql.IdentIfNeeded(c))) + ")";

    private static void Section(StringBuilder text, string title, IEnumerable<string> lines)
    {
        var list = lines.ToList();
        if (list.Count == 0) return;
        text.Append('\n').Append(title).Append(":\n");
        foreach (var line in list) text.Append("  ").Append(line).Append('\n');
    }

    public static string Json(DistributionPlan plan, IReadOnlyDictionary<(QualifiedName, BackfillPath), long>? disagreements)
    {
        var document = new
        {
            tables = plan.Tables.Select(t => new
            {
                table = t.Name.ToString(),
                schema = t.Name.Schema,
                name = t.Name.Name,
                category = t.Category.Key(),
                distributionColumn = t.DistributionColumn,
                distributionColumnType = t.DistributionColumnType,
                addsDistributionColumn = t.AddsDistributionColumn,
                backfillPath = t.Backfill?.Tables.Select(n => n.ToString()),
                backfillJoins = t.Backfill?.Hops.Select(Hop),
                alternativePaths = t.AlternativePaths.Select(p => new
                {
                    path = p.Tables.Select(n => n.ToString()),
                    joins = p.Hops.Select(Hop),
                    disagreeingRows = disagreements is not null && disagreements.TryGetValue((t.Name, p), out var n) ? n : (long?)null,
                }),
                primaryKey = t.PrimaryKey is null ? null : Key(t.PrimaryKey),
                uniqueKeys = t.UniqueKeys.Select(Key),
                foreignKeys = t.ForeignKeys.Select(f => new
                {
                    name = f.Name,
                    columns = f.Columns,
                    references = f.ReferencedTable.ToString(),
                    referencedColumns = f.ReferencedColumns,
                    rewritten = f.Rewritten,
                }),
                colocateWith = t.ColocateWith?.ToString(),
                casts = t.Casts.Select(c => new { column = c.Column, from = c.SourceType, to = c.TargetType }),
            }),
            distributionCalls = plan.Calls.Select(c => new
            {
                table = c.Table.ToString(),
                function = c.IsReference ? "create_reference_table" : "create_distributed_table",
                column = c.Column,
                colocateWith = c.ColocateWith?.ToString(),
            }),
            excluded = plan.Excluded.Select(e => e.ToString()),
            warnings = plan.Warnings,
        };
        return JsonSerializer.Serialize(document, Options) + "\n";
    }

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static object Hop(ForeignKeyHop hop) => new
    {
        constraint = hop.Constraint,
        from = hop.Child.ToString(),
        columns = hop.ChildColumns,
        to = hop.Parent.ToString(),
        referencedColumns = hop.ParentColumns,
    };

    private static object Key(PlannedKey key) => new
    {
        name = key.Name,
        kind = key.Kind.ToString(),
        columns = key.Columns,
        rewritten = key.Rewritten,
        isConstraint = key.IsConstraint,
    };
}
