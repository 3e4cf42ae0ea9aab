using Follow.Progress;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Follow.Cli.Output;

/// <summary>
/// Shows a copy while it runs: a progress bar per running table in a terminal, a log line per running table
/// every <see cref="LogInterval"/> elsewhere. It ends by itself once every job completed or failed, or when the
/// token is cancelled (cancel it when the copy stops early). A failing read ends the display, never the copy.
/// </summary>
/// <param name="readJobs">The jobs of the current run as they are now, e.g. the copy's own counters.</param>
public sealed class CopyProgressRenderer(
    Func<CancellationToken, Task<IReadOnlyList<JobProgress>>> readJobs, TextWriter output, bool interactive, ILogger logger)
{
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan LogInterval { get; init; } = TimeSpan.FromSeconds(10);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (interactive) await ShowBarsAsync(cancellationToken);
            else await LogLinesAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The copy is over: stopping the display is not an error.
        }
        catch (Exception ex)
        {
            Log.ProgressDisplayFailed(logger, ex.Message);
        }
    }

    private async Task ShowBarsAsync(CancellationToken cancellationToken)
    {
        // The caller found a terminal; Spectre's own detection would fall back to plain text on some of them.
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.Yes,
            Interactive = InteractionSupport.Yes,
        });
        var bars = new Dictionary<string, ProgressTask>();
        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                while (true)
                {
                    var jobs = await readJobs(cancellationToken);
                    foreach (var line in ProgressSummary.Tables(jobs).Where(l => l.State != JobState.Pending))
                    {
                        if (!bars.TryGetValue(line.Name, out var bar))
                        {
                            // Tables that finished between two reads without being seen running get no bar.
                            if (line.State != JobState.Running) continue;
                            bar = bars[line.Name] = progress.AddTask(line.Name);
                        }
                        if (bar.IsFinished) continue;
                        bar.MaxValue = Math.Max(1, Math.Max(line.EstimatedRows, line.Rows));
                        bar.Value = line.State == JobState.Completed ? bar.MaxValue : line.Rows;
                        bar.Description = Markup.Escape(Describe(line));
                        if (line.State.IsFinished()) bar.StopTask();
                    }
                    if (ProgressSummary.IsFinished([.. jobs])) return;
                    await Task.Delay(RefreshInterval, cancellationToken);
                }
            });
    }

    private async Task LogLinesAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var jobs = await readJobs(cancellationToken);
            if (ProgressSummary.IsFinished([.. jobs])) return;
            foreach (var line in ProgressSummary.Tables(jobs).Where(l => l.State == JobState.Running))
            {
                Log.TableCopyProgress(
                    logger, line.Name, line.Rows, line.EstimatedRows, line.Bytes / Megabyte, line.RowsPerSecond ?? 0,
                    (line.BytesPerSecond ?? 0) / Megabyte, line.PartsCompleted, line.Parts);
            }
            await Task.Delay(LogInterval, cancellationToken);
        }
    }

    private const double Megabyte = 1024 * 1024;

    /// <summary>Short, so that the bar, percentage and time left fit on an 80-column terminal.</summary>
    private static string Describe(ProgressLine line)
    {
        var parts = line.Parts > 1 ? $" {line.PartsCompleted}/{line.Parts}" : "";
        var rate = line.State == JobState.Failed ? " failed" : $" {ProgressFormat.MegabytesPerSecond(line.BytesPerSecond ?? 0)} MB/s";
        return line.Name + parts + rate;
    }
}
