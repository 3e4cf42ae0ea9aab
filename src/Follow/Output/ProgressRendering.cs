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

    /// <summary>The phase, then the stream's positions and lag, when there is a run to speak of.</summary>
    public static IEnumerable<string> StreamLines(ProgressReport report)
    {
        yield return $"Phase: {report.Phase}";
        if (report.Run is null || report.Stream is not { } stream) yield break;
        if (stream.Sentinel is { } sentinel)
        {
            var held = sentinel.Apply ? "" : ", apply held (follow sentinel set apply resumes it)";
            if (sentinel.PauseLsn is { } pause)
            {
                held += sentinel.HeldLsn == pause
                    ? $", holding at pause point {pause} (compare --live or repair; follow sentinel set resume lets it go)"
                    : $", asked to hold at pause point {pause}";
            }
            yield return $"Stream: from {Lsn(sentinel.StartPos, "-")}, applied up to {Lsn(sentinel.ReplayLsn, "nothing yet")}, "
                + $"endpos {Lsn(sentinel.EndPos, "not set")}{held}";
        }
        if (stream.Slot is { } slot)
        {
            var seconds = slot.LagSeconds is { } s ? $", {s.ToString("F1", CultureInfo.InvariantCulture)} s" : "";
            var reader = slot.Active ? "a follower reads the slot" : "no follower reads the slot";
            yield return $"Lag: {ProgressFormat.Size(slot.LagBytes ?? 0)} of WAL{seconds} (source at {slot.CurrentLsn}; {reader})";
            var safe = slot.SafeWalSize is { } size ? $"{ProgressFormat.Size(size)} more before max_slot_wal_keep_size invalidates it" : "max_slot_wal_keep_size unbounded";
            yield return $"Retained WAL: {ProgressFormat.Size(slot.RetainedBytes ?? 0)} on the source's disk (wal_status {slot.WalStatus ?? "-"}; {safe})";
        }
        else
        {
            yield return "Lag: give --source (or FOLLOW_SOURCE_PGURI) to measure it on the source";
        }
        if (report.Compare is { } compare) yield return CompareLine(compare);
        if (report.Recorded is { } recorded) yield return Recorded(recorded);
    }

    private static string CompareLine(State.CompareRecord c)
    {
        var at = c.Lsn is { } lsn ? $" at {lsn}" : "";
        var state = c.FinishedAt is { } end ? $"finished {Timestamp(end)}, {(c.Equal == true ? "equal" : "differences found")}" : $"{ProgressFormat.Duration(c.Left)} left";
        return $"Compare{at}: {c.TablesDone}/{c.Tables} tables, {ProgressFormat.Count(c.TenantsDone)} tenants ({ProgressFormat.Count(c.TenantsPerSecond)}/s) "
            + $"in {ProgressFormat.Duration(c.Elapsed)}; {state}";
    }

    private static string Lsn(NpgsqlTypes.NpgsqlLogSequenceNumber? lsn, string none) => lsn?.ToString() ?? none;

    public static string Text(ProgressReport report)
    {
        var phase = string.Join("\n", StreamLines(report)) + "\n";
        if (report.Run is null) return phase + NoRunMessage(report) + "\n";
        var table = new TextTable(Headers);
        foreach (var line in report.Tables) table.Add(Cells(line, "parts"));
        table.Add(Cells(report.Total!, "jobs"));

        var text = new StringBuilder(phase).Append('\n').Append(Heading(report)).Append("\n\n").Append(table);
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
        var phase = StreamLines(report).Select(line => new Text(line)).ToList<IRenderable>();
        if (report.Run is null) return new Rows([.. phase, new Text(NoRunMessage(report))]);
        var table = new Table { Border = TableBorder.Simple };
        foreach (var (header, i) in Headers.Select((h, i) => (h, i)))
        {
            table.AddColumn(new TableColumn(header) { Alignment = i >= 3 ? Justify.Right : Justify.Left, NoWrap = i < 2 });
        }
        foreach (var line in report.Tables) table.AddRow(Cells(line, "parts").Select(c => new Text(c)).ToArray<IRenderable>());
        table.AddEmptyRow();
        table.AddRow(Cells(report.Total!, "jobs").Select(c => new Markup($"[bold]{Markup.Escape(c)}[/]")).ToArray<IRenderable>());
        var rows = new List<IRenderable>(phase) { new Text(Heading(report)), table };
        rows.AddRange(Errors(report).Select(e => new Markup($"[red]{Markup.Escape(e)}[/]")));
        return new Rows(rows);
    }

    private static string[] Cells(ProgressLine line, string partsWord) =>
    [
        line.Name,
        line.KeptFrom is { } run ? $"kept (run {run})" : line.State.Key(),
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
    /// For scripts: <c>phase</c>, <c>runs</c> (0 when none), <c>finished</c> (the copy), <c>message</c> (only without a run),
    /// <c>run</c>, <c>tables</c> (empty without a run), <c>total</c> (null without a run) and <c>stream</c> (the sentinel, and
    /// the lag when the source was given). Times in seconds, sizes in bytes.
    /// </summary>
    /// <summary>What later commands take from the target when not told: the clone's rules, filters and slot.</summary>
    private static string Recorded(State.MigrationRecord recorded)
    {
        if (recorded.Plan is not { } plan) return $"Clone: slot {recorded.SlotName}, {State.MigrationRecord.Key(recorded.Phase)} (recorded by an older Follow: no plan)";
        var rules = plan.Rules is null ? "no rules" : $"rules from {plan.RulesOrigin}";
        var filters = plan.Filters.Count == 0 ? "no filters" : $"filters {string.Join(' ', plan.Filters)}";
        return $"Clone: {rules}, {filters}, plan {plan.Fingerprint[..12]}, slot {recorded.SlotName}, {State.MigrationRecord.Key(recorded.Phase)}";
    }

    public static string Json(ProgressReport report)
    {
        var run = report.Run;
        var document = new
        {
            phase = report.Phase,
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
            recorded = report.Recorded is not { } recorded ? null : new
            {
                phase = State.MigrationRecord.Key(recorded.Phase),
                slotName = recorded.SlotName,
                rules = recorded.Plan?.Rules,
                rulesOrigin = recorded.Plan?.RulesOrigin,
                filters = recorded.Plan?.Filters,
                fingerprint = recorded.Plan?.Fingerprint,
            },
            tables = report.Tables.Select(line => JsonLine(line, report.Jobs.Where(j => j.Table == line.Name))),
            total = report.Total is null ? null : JsonLine(report.Total, null),
            compare = report.Compare is not { } c ? null : new
            {
                lsn = c.Lsn?.ToString(),
                startedAt = c.StartedAt,
                tables = c.Tables,
                tablesDone = c.TablesDone,
                tenantsDone = c.TenantsDone,
                tenantsPerSecond = c.TenantsPerSecond,
                secondsLeft = c.Left?.TotalSeconds,
                finishedAt = c.FinishedAt,
                equal = c.Equal,
            },
            stream = report.Stream is not { } stream ? null : new
            {
                startpos = stream.Sentinel?.StartPos?.ToString(),
                replayLsn = stream.Sentinel?.ReplayLsn?.ToString(),
                endpos = stream.Sentinel?.EndPos?.ToString(),
                apply = stream.Sentinel?.Apply,
                pauseLsn = stream.Sentinel?.PauseLsn?.ToString(),
                heldLsn = stream.Sentinel?.HeldLsn?.ToString(),
                doneAt = stream.Sentinel?.DoneAt,
                sourceLsn = stream.Slot?.CurrentLsn.ToString(),
                confirmedFlushLsn = stream.Slot?.ConfirmedFlushLsn?.ToString(),
                slotActive = stream.Slot?.Active,
                lagBytes = stream.Slot?.LagBytes,
                lagSeconds = stream.Slot?.LagSeconds,
                restartLsn = stream.Slot?.RestartLsn?.ToString(),
                retainedBytes = stream.Slot?.RetainedBytes,
                walStatus = stream.Slot?.WalStatus,
                safeWalSize = stream.Slot?.SafeWalSize,
            },
        };
        return JsonSerializer.Serialize(document, Options) + "\n";
    }

    /// <summary>A table's line (with its name and failed parts) or the total (without them).</summary>
    private static Dictionary<string, object?> JsonLine(ProgressLine line, IEnumerable<JobProgress>? jobs)
    {
        var json = new Dictionary<string, object?>();
        if (jobs is not null)
        {
            json["table"] = line.Name;
            // A resumed copy's tables: kept from the run that copied them, or copied (again) by this one.
            json["kept"] = line.KeptFrom is not null;
            json["keptFromRun"] = line.KeptFrom;
        }
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
