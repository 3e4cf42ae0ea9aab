using System.CommandLine;
using Follow.Connections;
using Follow.Diagnostics;
using Follow.Pipeline;
using Follow.Planning;
using Microsoft.Extensions.Logging;

namespace Follow.Cli.Commands;

/// <summary><c>follow follow</c>: resume streaming alone, until the sentinel's endpos.</summary>
public static class FollowCommand
{
    public static Command Create(CliContext context)
    {
        var inputs = new PlanInputs();
        var target = CommonOptions.Target();
        var slotName = new Option<string>("--slot-name") { Description = "Name of the replication slot and publication.", DefaultValueFactory = _ => "follow", HelpName = "NAME" };
        var command = new Command("follow", "Stream changes from the slot into the target until the sentinel's endpos, then set the sequences and exit 0.");
        inputs.AddTo(command);
        command.Add(target);
        command.Add(slotName);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var logger = context.LoggerFactory.CreateLogger("follow.stream");
            var planned = await inputs.PlanAsync(parse, context, target, logger, cancellationToken);
            await new StreamRunner(planned.Plan, planned.Catalog, planned.Source, planned.Target, parse.GetValue(slotName)!, logger).RunAsync(cancellationToken);
            return (int)ExitCode.Done;
        });
        return command;
    }
}
