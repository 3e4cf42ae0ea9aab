using System.CommandLine;
using Follow.Connections;
using Follow.Diagnostics;
using Follow.Planning;
using Follow.TargetSchema;
using Microsoft.Extensions.Logging;

namespace Follow.Cli.Commands;

/// <summary><c>follow clone</c>: the target schema from the plan (and, in a later version, the data).</summary>
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
        var indexJobs = new Option<int>("--index-jobs") { Description = "Sessions that build keys and indexes at once.", DefaultValueFactory = _ => 2, HelpName = "N" };
        var shardCount = new Option<int?>("--shard-count") { Description = "Shards of each new colocation group (Citus' default when absent).", HelpName = "N" };
        var command = new Command("clone", "Clone the source into the target with the distribution plan applied.");
        inputs.AddTo(command);
        command.Add(target);
        command.Add(schemaOnly);
        command.Add(dropIfExists);
        command.Add(indexJobs);
        command.Add(shardCount);
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
            if (!parse.GetValue(schemaOnly))
            {
                throw new BadInputException("this version of Follow clones the schema only: run follow clone --schema-only");
            }
            var logger = context.LoggerFactory.CreateLogger("follow.clone");
            var rules = inputs.ReadRules(parse, context);
            var filters = inputs.ReadFilters(parse);
            var source = inputs.ResolveSource(parse, context, rules);
            var targetConnection = context.Remember(ConnectionResolver.Require(
                ConnectionRole.Target, parse.GetValue(target), rules.Load?.TargetUri, "the rules' load command", context.Environment));
            var catalog = await PlanInputs.ReadCatalogAsync(source, logger, cancellationToken);
            var plan = DistributionPlanner.Plan(catalog, rules, filters);

            var options = new SchemaCloneOptions(
                DropIfExists: parse.GetValue(dropIfExists) || rules.Load?.IncludeDrop == true,
                IndexJobs: parse.GetValue(indexJobs),
                ShardCount: parse.GetValue(shardCount));
            var cloner = new SchemaCloner(plan, catalog, source, targetConnection, PgTools.Locate(context.Environment), options, logger);
            try
            {
                await cloner.PrepareAsync(cancellationToken);
                await cloner.CreateAsync(cancellationToken);
                await cloner.FinishAsync(cancellationToken);
            }
            finally
            {
                cloner.Cleanup();
            }
            return (int)ExitCode.Done;
        });
        return command;
    }
}
