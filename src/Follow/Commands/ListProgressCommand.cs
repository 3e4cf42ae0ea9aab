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
        var source = new Option<string?>("--source")
        {
            Description = "Source database, to measure the stream's lag there. Default: FOLLOW_SOURCE_PGURI; without either, no lag is shown.",
            HelpName = "URI",
        };
        var json = CommonOptions.Json();
        var watch = new Option<bool>("--watch")
        {
            Description = "In a terminal, refresh every second until the migration is done (or the copy failed). Elsewhere, or with --json, print once.",
        };
        var command = new Command("progress",
            "Show the migration's phase, the latest copy run (each table's state, rows, bytes, rate and time left, and the total) and the stream's positions and lag.");
        command.Add(target);
        command.Add(source);
        command.Add(json);
        command.Add(watch);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var connection = context.Remember(
                ConnectionResolver.Resolve(ConnectionRole.Target, parse.GetValue(target), null, "", context.Environment)
                ?? throw new BadInputException("no target database: give --target or set FOLLOW_TARGET_PGURI"));
            await using var session = await connection.OpenAsync("follow list progress", ExitCode.TargetFailure, cancellationToken);
            var sourceInfo = ConnectionResolver.Resolve(ConnectionRole.Source, parse.GetValue(source), null, "", context.Environment) is { } found
                ? context.Remember(found)
                : null;
            await using var sourceSession = sourceInfo is null
                ? null
                : await sourceInfo.OpenAsync("follow list progress", ExitCode.SourceFailure, cancellationToken);
            var report = await ReadAsync(session, sourceSession, connection, cancellationToken);

            if (parse.GetValue(json))
            {
                context.Output.Write(ProgressRendering.Json(report));
            }
            else if (parse.GetValue(watch) && context.IsInteractive && !WatchEnds(report))
            {
                await WatchAsync(context, report, ct => ReadAsync(session, sourceSession, connection, ct), cancellationToken);
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
                    while (!WatchEnds(report))
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

    /// <summary>Nothing more will move: no copy ever started, the copy failed, or the stream is done.</summary>
    private static bool WatchEnds(ProgressReport report) => report.Phase is "not started" or "copy failed" or "done";

    private static async Task<ProgressReport> ReadAsync(
        NpgsqlConnection session, NpgsqlConnection? source, ConnectionInfo target, CancellationToken cancellationToken)
    {
        try
        {
            return await ProgressReader.ReadAsync(session, source, cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or IOException)
        {
            throw TargetFailure(target, ex);
        }
    }

    private static FollowException TargetFailure(ConnectionInfo target, Exception ex) =>
        new($"cannot read the copy progress from the target database {target.Redacted}: {ex.Message}", ExitCode.TargetFailure, ex);
}
