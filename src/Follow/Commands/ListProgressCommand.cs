using System.CommandLine;
using Follow.Cli.Output;
using Follow.Connections;
using Follow.Diagnostics;
using Follow.Progress;
using Npgsql;
using Spectre.Console;

namespace Follow.Cli.Commands;

/// <summary><c>follow list progress</c>: the latest copy run, read from the target's follow schema.</summary>
public static class ListProgressCommand
{
    public static Command Create(CliContext context)
    {
        var target = CommonOptions.Target();
        var json = CommonOptions.Json();
        var watch = new Option<bool>("--watch")
        {
            Description = "In a terminal, refresh every second until every job completed or failed. Elsewhere, or with --json, print once.",
        };
        var command = new Command("progress", "Show the latest copy run: each table's state, rows, bytes, rate and time left, and the total.");
        command.Add(target);
        command.Add(json);
        command.Add(watch);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var connection = context.Remember(
                ConnectionResolver.Resolve(ConnectionRole.Target, parse.GetValue(target), null, "", context.Environment)
                ?? throw new BadInputException("no target database: give --target or set FOLLOW_TARGET_PGURI"));
            await using var session = await connection.OpenAsync("follow list progress", ExitCode.TargetFailure, cancellationToken);
            var report = await ReadAsync(session, connection, cancellationToken);

            if (parse.GetValue(json))
            {
                context.Output.Write(ProgressRendering.Json(report));
            }
            else if (parse.GetValue(watch) && context.IsInteractive && !report.IsFinished)
            {
                await WatchAsync(context, report, ct => ReadAsync(session, connection, ct), cancellationToken);
            }
            else
            {
                context.Output.Write(ProgressRendering.Text(report));
            }
            return (int)ExitCode.Done;
        });
        return command;
    }

    private static async Task WatchAsync(
        CliContext context, ProgressReport report, Func<CancellationToken, Task<ProgressReport>> read, CancellationToken cancellationToken)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(context.Output) });
        try
        {
            await console.Live(ProgressRendering.Live(report))
                .Overflow(VerticalOverflow.Ellipsis)
                .StartAsync(async live =>
                {
                    while (!report.IsFinished)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                        report = await read(cancellationToken);
                        live.UpdateTarget(ProgressRendering.Live(report));
                    }
                });
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C ends watching; the last table stays on the screen.
        }
    }

    private static async Task<ProgressReport> ReadAsync(NpgsqlConnection session, ConnectionInfo target, CancellationToken cancellationToken)
    {
        try
        {
            return await ProgressReader.ReadAsync(session, cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or IOException)
        {
            throw TargetFailure(target, ex);
        }
    }

    private static FollowException TargetFailure(ConnectionInfo target, Exception ex) =>
        new($"cannot read the copy progress from the target database {target.Redacted}: {ex.Message}", ExitCode.TargetFailure, ex);
}
