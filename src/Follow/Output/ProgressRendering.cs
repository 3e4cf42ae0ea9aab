using System.Globalization;
using System.Text;
using System.Text.Json;
using Follow.Progress;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Follow.Cli.Output;

/// <summary>The latest copy run for people (a text table, or a live Spectre table) and for scripts (JSON).</summary>
public static class ProgressRendering
{
    private static readonly string[] Headers =
        ["table", "state", "parts", "rows", "estimated", "done", "bytes", "elapsed", "rows/s", "MB/s", "time left"];

    public static string NoRunMessage(ProgressReport report) => report.HasState
        ? "No copy has run on this target yet: follow.run is empty."
        : "No copy has run on this target: it has no follow schema (follow clone creates it).";

    public static string Heading(ProgressReport report)
    {
        var run = report.Run!;
        var of = report.Runs > 1 ? $", the latest of {report.Runs} runs" : "";
        var finished = run.FinishedAt is { } at ? $", finished {Timestamp(at)}" : "";
        return $"Run {run.RunId} (slot {run.SlotName}{of}), started {Timestamp(run.StartedAt)}{finished}: {report.Total!.State.Key()}";
    }

    public static string Text(ProgressReport report)
    {
        if (report.Run is null) return NoRunMessage(report) + "\n";
        var table = new TextTable(Headers);
        foreach (var line in report.Tables) table.Add(Cells(line, "parts"));
        table.Add(Cells(report.Total!, "jobs"));

        var text = new StringBuilder(Heading(report)).Append("\n\n").Append(table);
        var errors = Errors(report).ToList();
        if (errors.Count > 0)
        {
            text.Append("\nErrors:\n");
            foreach (var error in errors) text.Append("  ").Append(error).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>The same report as a Spectre table, refreshed in place by <c>--watch</c>.</summary>
    public static IRenderable Live(ProgressReport report)
    {
        if (report.Run is null) return new Text(NoRunMessage(report));
        var table = new Table { Border = TableBorder.Simple };
        foreach (var (header, i) in Headers.Select((h, i) => (h, i)))
        {
            table.AddColumn(new TableColumn(header) { Alignment = i >= 3 ? Justify.Right : Justify.Left, NoWrap = i < 2 });
        }
        foreach (var line in report.Tables) table.AddRow(Cells(line, "parts").Select(c => new Text(c)).ToArray<IRenderable>());
        table.AddEmptyRow();
        table.AddRow(Cells(report.Total!, "jobs").Select(c => new Markup($"[bold]{Markup.Escape(c)}[/]")).ToArray<IRenderable>());
        var rows = new List<IRenderable> { new Text(Heading(report)), table };
        rows.AddRange(Errors(report).Select(e => new Markup($"[red]{Markup.Escape(e)}[/]")));
        return new Rows(rows);
    }

    private static string[] Cells(ProgressLine line, string partsWord) =>
    [
        line.Name,
        line.State.Key(),
        line.Parts > 1 ? $"{line.PartsCompleted}/{line.Parts} {partsWord}" : "",
        ProgressFormat.Count(line.Rows),
        line.EstimatedRows > 0 ? ProgressFormat.Count(line.EstimatedRows) : "",
        ProgressFormat.Percent(line.Percent),
        ProgressFormat.Size(line.Bytes),
        line.State == JobState.Pending ? "" : ProgressFormat.Duration(line.Elapsed),
        ProgressFormat.Count(line.RowsPerSecond),
        ProgressFormat.MegabytesPerSecond(line.BytesPerSecond),
        ProgressFormat.Duration(line.TimeLeft),
    ];

    private static IEnumerable<string> Errors(ProgressReport report) =>
        report.Jobs.Where(j => j.State == JobState.Failed).Select(j =>
            $"{j.Table}{(j.Parts > 1 ? $" part {j.Part}/{j.Parts}" : "")}: {j.Error ?? "failed without a message"}");

    private static string Timestamp(DateTimeOffset at) =>
        at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>
    /// For scripts: <c>runs</c> (0 when none), <c>finished</c>, <c>message</c> (only without a run), <c>run</c>,
    /// <c>tables</c> (empty without a run) and <c>total</c> (null without a run). Times in seconds, sizes in bytes.
    /// </summary>
    public static string Json(ProgressReport report)
    {
        var run = report.Run;
        var document = new
        {
            runs = report.Runs,
            finished = report.IsFinished,
            message = run is null ? NoRunMessage(report) : null,
            run = run is null ? null : new
            {
                runId = run.RunId,
                slotName = run.SlotName,
                snapshot = run.Snapshot,
                consistentPoint = run.ConsistentPoint,
                startedAt = run.StartedAt,
                finishedAt = run.FinishedAt,
            },
            tables = report.Tables.Select(line => JsonLine(line, report.Jobs.Where(j => j.Table == line.Name))),
            total = report.Total is null ? null : JsonLine(report.Total, null),
        };
        return JsonSerializer.Serialize(document, Options) + "\n";
    }

    /// <summary>A table's line (with its name and failed parts) or the total (without them).</summary>
    private static Dictionary<string, object?> JsonLine(ProgressLine line, IEnumerable<JobProgress>? jobs)
    {
        var json = new Dictionary<string, object?>();
        if (jobs is not null) json["table"] = line.Name;
        json["state"] = line.State.Key();
        json["parts"] = line.Parts;
        json["partsCompleted"] = line.PartsCompleted;
        json["rows"] = line.Rows;
        json["estimatedRows"] = line.EstimatedRows;
        json["percent"] = Round(line.Percent, 1);
        json["bytes"] = line.Bytes;
        json["elapsedSeconds"] = Math.Round(line.Elapsed.TotalSeconds, 3);
        json["rowsPerSecond"] = Round(line.RowsPerSecond, 1);
        json["bytesPerSecond"] = Round(line.BytesPerSecond, 1);
        json["secondsLeft"] = Round(line.TimeLeft?.TotalSeconds, 1);
        if (jobs is not null)
        {
            json["errors"] = jobs.Where(j => j.State == JobState.Failed).Select(j => new { part = j.Part, error = j.Error }).ToList();
        }
        return json;
    }

    private static double? Round(double? value, int digits) => value is null ? null : Math.Round(value.Value, digits);

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
