using System.CommandLine;
using Follow.Cli.Output;
using Follow.Connections;
using Follow.Progress;
using Follow.Diagnostics;
using Follow.Pipeline;
using Follow.Planning;
using Follow.Snapshot;
using Follow.TargetSchema;
using Microsoft.Extensions.Logging;

namespace Follow.Cli.Commands;

/// <summary><c>follow clone</c>: the target schema from the plan, the data from a slot's snapshot, and with --follow the stream.</summary>
public static class CloneCommand
{
    public static Command Create(CliContext context)
    {
        var inputs = new PlanInputs();
        var target = CommonOptions.Target();
        var schemaOnly = new Option<bool>("--schema-only") { Description = "Create the target schema (pre-data, distribution, post-data) without copying data." };
        var dropIfExists = new Option<bool>("--drop-if-exists")
        {
            Description = "Drop and recreate target tables that already exist, even with rows (pgloader's include drop). Without it, a target table with rows is an error.",
        };
        var indexJobs = new Option<int>("--index-jobs") { Description = "Sessions that build keys and indexes at once.", DefaultValueFactory = _ => 2, HelpName = "N" }.WithEnvironment(context);
        var shardCount = new Option<int?>("--shard-count") { Description = "Shards of each new colocation group (Citus' default when absent).", HelpName = "N" }.WithEnvironment(context);
        var tableJobs = new Option<int>("--table-jobs") { Description = "Tables (or parts of tables) copied at once.", DefaultValueFactory = _ => 2, HelpName = "N" }.WithEnvironment(context);
        var split = new Option<string?>("--split-tables-larger-than")
        {
            Description = "Copy tables larger than this (e.g. 1GB) as several ctid ranges in parallel.",
            HelpName = "SIZE",
        }.WithEnvironment(context);
        var backfillMemory = new Option<string>("--backfill-memory")
        {
            Description = "Memory for the maps of parent keys that fill the distribution column without joining on the source (0: always join).",
            DefaultValueFactory = _ => "64MB",
            HelpName = "SIZE",
        }.WithEnvironment(context);
        var orphans = new Option<OrphanPolicy>("--orphans")
        {
            Description = "Rows whose foreign-key path gives no distribution key: refuse the copy (default), or skip them.",
            DefaultValueFactory = _ => OrphanPolicy.Refuse,
        }.WithEnvironment(context);
        var slotName = CommonOptions.SlotName();
        var retries = FollowCommand.Retries().WithEnvironment(context);
        var maxRetainedWal = FollowCommand.MaxRetainedWal().WithEnvironment(context);
        var follow = new Option<bool>("--follow") { Description = "After the copy, stream changes until the sentinel's endpos (follow sentinel set endpos)." };
        var command = new Command("clone", "Clone the source into the target with the distribution plan applied.");
        inputs.AddTo(command);
        command.Add(target);
        command.Add(schemaOnly);
        command.Add(dropIfExists);
        command.Add(indexJobs);
        command.Add(shardCount);
        command.Add(tableJobs);
        command.Add(split);
        command.Add(backfillMemory);
        command.Add(orphans);
        command.Add(slotName);
        command.Add(follow);
        command.Add(retries);
        command.Add(maxRetainedWal);
        tableJobs.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1) result.AddError("--table-jobs must be at least 1");
        });
        indexJobs.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1) result.AddError("--index-jobs must be at least 1");
        });
        shardCount.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 1) result.AddError("--shard-count must be at least 1");
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(follow) && parse.GetValue(schemaOnly))
            {
                throw new BadInputException("--follow streams after the data copy: give it without --schema-only");
            }
            var splitSize = parse.GetValue(split) is { } text ? ByteSize.Parse(text, "--split-tables-larger-than") : (long?)null;
            var mapMemory = ByteSize.Parse(parse.GetValue(backfillMemory)!, "--backfill-memory");
            var logger = context.LoggerFactory.CreateLogger("follow.clone");
            var options = new CloneOptions(
                new SchemaCloneOptions(parse.GetValue(dropIfExists), parse.GetValue(indexJobs), parse.GetValue(shardCount)),
                new CopyOptions(parse.GetValue(tableJobs), splitSize, BackfillMemory: mapMemory),
                parse.GetValue(orphans),
                parse.GetValue(slotName)!,
                SlotNameGiven: parse.GetResult(slotName) is { Implicit: false });
            var scope = parse.GetValue(schemaOnly) ? MigrationScope.SchemaOnly
                : parse.GetValue(follow) ? MigrationScope.CloneAndFollow
                : MigrationScope.Clone;
            var resolved = inputs.Resolve(parse, context, target).ReadingCatalog(logger, cancellationToken);
            var coordinator = new MigrationCoordinator(
                resolved.Target, async (recorded, ct) => (await resolved.PlanAsync(recorded, logger, ct)).ToMigration(),
                scope, options, parse.GetValue(retries), () => PgTools.Locate(context.Environment), logger)
            {
                CopyWatcher = connection => new CopyDisplay(connection, context.Error, !Console.IsErrorRedirected, logger),
            };
            await FollowCommand.Watched(parse, maxRetainedWal, resolved.Source, options.SlotName, context, logger)
                .AlongsideAsync(coordinator.RunAsync, cancellationToken);
            return (int)ExitCode.Done;
        });
        return command;
    }
}
