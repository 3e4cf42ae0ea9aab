using System.CommandLine;
using Follow.Connections;
using Follow.Diagnostics;
using Follow.Pipeline;
using Follow.Planning;
using Follow.TargetSchema;
using Microsoft.Extensions.Logging;

namespace Follow.Cli.Commands;

/// <summary><c>follow follow</c>: resume streaming alone, until the sentinel's endpos.</summary>
public static class FollowCommand
{
    public static Command Create(CliContext context)
    {
        var inputs = new PlanInputs();
        var target = CommonOptions.Target();
        var slotName = CommonOptions.SlotName();
        var retries = Retries().WithEnvironment(context);
        var command = new Command("follow", "Stream changes from the slot into the target until the sentinel's endpos, then set the sequences and exit 0.");
        inputs.AddTo(command);
        command.Add(target);
        command.Add(slotName);
        command.Add(retries);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var logger = context.LoggerFactory.CreateLogger("follow.stream");
            var resolved = inputs.Resolve(parse, context, target);
            var options = new CloneOptions(new(), new(), SlotName: parse.GetValue(slotName)!, SlotNameGiven: parse.GetResult(slotName) is { Implicit: false });
            var coordinator = new MigrationCoordinator(
                resolved.Target, async (recorded, ct) => (await resolved.PlanAsync(recorded, logger, ct)).ToMigration(),
                MigrationScope.Follow, options, parse.GetValue(retries),
                () => PgTools.Locate(context.Environment), logger);
            await coordinator.RunAsync(cancellationToken);
            return (int)ExitCode.Done;
        });
        return command;
    }

    /// <summary>How often the stream starts again after losing the source or the target; shared with clone --follow.</summary>
    public static Option<int> Retries() => new("--retries")
    {
        Description = "Times to resume the stream after the source or the target went away, with a growing pause (1 s up to 30 s); after 10 minutes of work without a loss the count starts again.",
        DefaultValueFactory = _ => 10,
        HelpName = "N",
    };
}
