using System.CommandLine;
using System.Text.Json;
using Follow.Connections;
using Follow.Diagnostics;
using Follow.State;
using Npgsql;
using NpgsqlTypes;

namespace Follow.Cli.Commands;

/// <summary><c>follow sentinel get | set endpos (--current | LSN) | set apply | set no-apply</c>.</summary>
public static class SentinelCommand
{
    public static Command Create(CliContext context)
    {
        var target = CommonOptions.Target();
        var json = CommonOptions.Json();
        var get = new Command("get", "Show the stream's sentinel: startpos, endpos, apply, and how far it got.") { target, json };
        get.SetAction(async (parse, cancellationToken) =>
        {
            await using var connection = await OpenTargetAsync(parse, target, context, cancellationToken);
            var state = await SentinelState.ReadAsync(connection, cancellationToken);
            context.Output.Write(parse.GetValue(json) ? Json(state) : Text(state));
            return (int)ExitCode.Done;
        });

        var source = CommonOptions.Source();
        var current = new Option<bool>("--current") { Description = "The source's current WAL position (pg_current_wal_insert_lsn())." };
        var lsn = new Argument<string?>("LSN") { Description = "An LSN such as 0/3000060.", Arity = ArgumentArity.ZeroOrOne };
        var endpos = new Command("endpos", "Stop the stream once every transaction committed at or before this position is applied.")
        {
            target, source, current, lsn,
        };
        endpos.SetAction(async (parse, cancellationToken) =>
        {
            NpgsqlLogSequenceNumber position;
            if (parse.GetValue(current))
            {
                var sourceConnection = context.Remember(ConnectionResolver.Require(ConnectionRole.Source, parse.GetValue(source), null, "", context.Environment));
                await using var connection = await sourceConnection.OpenAsync("follow", ExitCode.SourceFailure, cancellationToken);
                // The insert position, not the write position: with synchronous_commit off, the last commits may not be
                // written yet, and an endpos before them would leave them out of the cutover.
                await using var command = new NpgsqlCommand("SELECT pg_current_wal_insert_lsn()", connection);
                position = (NpgsqlLogSequenceNumber)(await command.ExecuteScalarAsync(cancellationToken))!;
            }
            else if (parse.GetValue(lsn) is { } text && NpgsqlLogSequenceNumber.TryParse(text, out var parsed))
            {
                position = parsed;
            }
            else
            {
                throw new BadInputException("give --current or an LSN such as 0/3000060: follow sentinel set endpos --current");
            }
            await using var target2 = await OpenTargetAsync(parse, target, context, cancellationToken);
            await SentinelState.SetEndPosAsync(target2, position, cancellationToken);
            context.Output.WriteLine($"endpos {position}");
            return (int)ExitCode.Done;
        });

        var apply = new Command("apply", "Apply the changes as they stream (the default).") { target };
        apply.SetAction((parse, cancellationToken) => SetApplyAsync(parse, target, context, true, cancellationToken));
        var noApply = new Command("no-apply", "Keep streaming but hold the apply: the stream waits, the slot keeps the WAL.") { target };
        noApply.SetAction((parse, cancellationToken) => SetApplyAsync(parse, target, context, false, cancellationToken));

        var resume = new Command("resume", "Clear a pause point left by a compare --live or repair that was stopped: the follower goes on.") { target };
        resume.SetAction(async (parse, cancellationToken) =>
        {
            await using var connection = await OpenTargetAsync(parse, target, context, cancellationToken);
            await SentinelState.SetPauseAsync(connection, null, cancellationToken);
            context.Output.WriteLine("resume");
            return (int)ExitCode.Done;
        });

        return new Command("sentinel", "Read or set the stream's sentinel in the target's follow schema.")
        {
            get,
            new Command("set", "Set endpos, apply or no-apply, or resume from a pause point.") { endpos, apply, noApply, resume },
        };
    }

    private static async Task<int> SetApplyAsync(ParseResult parse, Option<string?> target, CliContext context, bool apply, CancellationToken cancellationToken)
    {
        await using var connection = await OpenTargetAsync(parse, target, context, cancellationToken);
        await SentinelState.SetApplyAsync(connection, apply, cancellationToken);
        context.Output.WriteLine(apply ? "apply" : "no-apply");
        return (int)ExitCode.Done;
    }

    private static Task<NpgsqlConnection> OpenTargetAsync(ParseResult parse, Option<string?> target, CliContext context, CancellationToken cancellationToken) =>
        context.Remember(ConnectionResolver.Require(ConnectionRole.Target, parse.GetValue(target), null, "", context.Environment))
            .OpenAsync("follow", ExitCode.TargetFailure, cancellationToken);

    private static string Text(SentinelState s) =>
        $"startpos   {s.StartPos?.ToString() ?? "-"}\nendpos     {s.EndPos?.ToString() ?? "-"}\napply      {(s.Apply ? "yes" : "no")}\n"
        + $"write_lsn  {s.WriteLsn?.ToString() ?? "-"}\nflush_lsn  {s.FlushLsn?.ToString() ?? "-"}\nreplay_lsn {s.ReplayLsn?.ToString() ?? "-"}\n"
        + $"done       {(s.DoneAt is { } d ? d.ToString("u") : "-")}\npause_lsn  {s.PauseLsn?.ToString() ?? "-"}\nheld_lsn   {s.HeldLsn?.ToString() ?? "-"}\n";

    private static string Json(SentinelState s) => JsonSerializer.Serialize(new
    {
        startpos = s.StartPos?.ToString(),
        endpos = s.EndPos?.ToString(),
        apply = s.Apply,
        writeLsn = s.WriteLsn?.ToString(),
        flushLsn = s.FlushLsn?.ToString(),
        replayLsn = s.ReplayLsn?.ToString(),
        doneAt = s.DoneAt,
        pauseLsn = s.PauseLsn?.ToString(),
        heldLsn = s.HeldLsn?.ToString(),
    }, new JsonSerializerOptions { WriteIndented = true }) + "\n";
}
