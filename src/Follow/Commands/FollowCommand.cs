using System.CommandLine;
using Follow.Connections;
using Follow.Diagnostics;
using Follow.Pipeline;
using Follow.Planning;
using Follow.Snapshot;
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
        var maxRetainedWal = MaxRetainedWal().WithEnvironment(context);
        var command = new Command("follow", "Stream changes from the slot into the target until the sentinel's endpos, then set the sequences and exit 0.");
        inputs.AddTo(command);
        command.Add(target);
        command.Add(slotName);
        command.Add(retries);
        command.Add(maxRetainedWal);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var logger = context.LoggerFactory.CreateLogger("follow.stream");
            var resolved = inputs.Resolve(parse, context, target).ReadingCatalog(logger, cancellationToken);
            var options = new CloneOptions(new(), new(), SlotName: parse.GetValue(slotName)!, SlotNameGiven: parse.GetResult(slotName) is { Implicit: false });
            var coordinator = new MigrationCoordinator(
                resolved.Target, async (recorded, ct) => (await resolved.PlanAsync(recorded, logger, ct)).ToMigration(),
                MigrationScope.Follow, options, parse.GetValue(retries),
                () => PgTools.Locate(context.Environment), logger);
            await Watched(parse, maxRetainedWal, resolved.Source, options.SlotName, context, logger).AlongsideAsync(coordinator.RunAsync, cancellationToken);
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

    /// <summary>The retained WAL past which a warning is logged; shared with clone.</summary>
    public static Option<string?> MaxRetainedWal()
    {
        var option = new Option<string?>("--max-retained-wal")
        {
            Description = "Log a warning when the slot keeps more WAL than this (e.g. 50GB) on the source's disk. "
                + "A warning is logged anyway when safe_wal_size falls below a quarter of max_slot_wal_keep_size.",
            HelpName = "SIZE",
        };
        // Refused with the other options, before any connection.
        option.Validators.Add(result =>
        {
            try
            {
                if (result.GetValueOrDefault<string?>() is { } size) ByteSize.Parse(size, "--max-retained-wal");
            }
            catch (BadInputException ex)
            {
                result.AddError(ex.Message);
            }
        });
        return option;
    }

    /// <summary>The slot, read every few seconds while the command runs, with its retained WAL watched.</summary>
    public static SlotSampler Watched(
        ParseResult parse, Option<string?> maxRetainedWal, ConnectionInfo source, string slotName, CliContext context, ILogger logger)
    {
        var limit = parse.GetValue(maxRetainedWal) is { } size ? ByteSize.Parse(size, "--max-retained-wal") : (long?)null;
        return new SlotSampler(source, slotName, TimeSpan.FromSeconds(5), limit, logger) { Scrub = context.Scrub };
    }
}
