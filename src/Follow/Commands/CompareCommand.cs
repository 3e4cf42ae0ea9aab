using System.CommandLine;
using Follow.Cli.Output;
using Follow.Compare;
using Follow.Connections;
using Follow.Diagnostics;
using Follow.Planning;
using Microsoft.Extensions.Logging;

namespace Follow.Cli.Commands;

/// <summary><c>follow compare schema | data</c>: exit status 0 when the target matches the plan, 1 when it differs.</summary>
public static class CompareCommand
{
    public static Command Create(CliContext context) =>
        new("compare", "Compare the target with the source, as the plan rewrites it. Exit status 0 when equal, 1 when they differ.")
        {
            Schema(context),
            Data(context),
        };

    private static Command Schema(CliContext context)
    {
        var (command, inputs, target, json) = Common("schema",
            "Compare the moved tables' columns, keys, foreign keys, indexes, partitions and sequences with the plan's.");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var logger = context.LoggerFactory.CreateLogger("follow.compare");
            var (plan, catalog, _, targetConnection) = await PlanAsync(context, parse, inputs, target, name: "follow compare", logger, cancellationToken);
            var targetCatalog = await TargetCatalog.ReadAsync(targetConnection, cancellationToken);
            return Report(context, SchemaComparer.Compare(plan, catalog, targetCatalog.Catalog), parse.GetValue(json));
        });
        return command;
    }

    private static Command Data(CliContext context)
    {
        var (command, inputs, target, json) = Common("data",
            "Compare each moved table's row count and checksum: the source's rows as the copy writes them (backfilled, cast) against the target's.");
        var tableJobs = new Option<int>("--table-jobs") { Description = "Tables compared at once.", DefaultValueFactory = _ => 2, HelpName = "N" };
        var snapshot = new Option<string?>("--snapshot")
        {
            Description = "Read the source in this exported snapshot (pg_export_snapshot), as the copy did.",
            HelpName = "NAME",
        };
        command.Add(tableJobs);
        command.Add(snapshot);
        tableJobs.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1) result.AddError("--table-jobs must be at least 1");
        });
        snapshot.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } name && !ComparisonSession.IsSnapshotName(name))
            {
                result.AddError($"--snapshot {name} is not a snapshot name; pg_export_snapshot() returns names like 00000003-0000001B-1");
            }
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var logger = context.LoggerFactory.CreateLogger("follow.compare");
            var (plan, _, source, targetConnection) = await PlanAsync(context, parse, inputs, target, name: "follow compare", logger, cancellationToken);
            var targetCatalog = await TargetCatalog.ReadAsync(targetConnection, cancellationToken);
            var comparer = new DataComparer(plan, source, targetConnection, targetCatalog,
                new DataCompareOptions(parse.GetValue(tableJobs), parse.GetValue(snapshot)), logger);
            return Report(context, await comparer.CompareAsync(cancellationToken), parse.GetValue(json));
        });
        return command;
    }

    private static (Command Command, PlanInputs Inputs, Option<string?> Target, Option<bool> Json) Common(string name, string description)
    {
        var inputs = new PlanInputs();
        var target = CommonOptions.Target();
        var json = CommonOptions.Json();
        var command = new Command(name, description);
        inputs.AddTo(command);
        command.Add(target);
        command.Add(json);
        return (command, inputs, target, json);
    }

    private static async Task<(DistributionPlan Plan, Model.Catalog Catalog, ConnectionInfo Source, ConnectionInfo Target)> PlanAsync(
        CliContext context, ParseResult parse, PlanInputs inputs, Option<string?> target, string name, ILogger logger, CancellationToken cancellationToken)
    {
        var planned = await inputs.PlanAsync(parse, context, target, name, logger, cancellationToken);
        return (planned.Plan, planned.Catalog, planned.Source, planned.Target);
    }

    private static int Report(CliContext context, CompareReport report, bool json)
    {
        context.Output.Write(json ? CompareRendering.Json(report) : CompareRendering.Text(report));
        return (int)(report.Equal ? ExitCode.Done : ExitCode.DifferencesFound);
    }
}
