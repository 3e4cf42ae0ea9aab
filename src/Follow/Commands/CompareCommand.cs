using System.CommandLine;
using Follow.Cli.Output;
using Follow.Compare;
using Follow.Connections;
using Follow.Diagnostics;
using Follow.Pipeline;
using Follow.State;
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
        var live = new Option<bool>("--live")
        {
            Description = "While the follower streams: hold it at a source snapshot's exact LSN, compare there, then let it go on. Implies by tenant.",
        };
        var tenants = CommonOptions.Repeated("--tenant", "Compare by tenant, only this distribution-key value (repeatable).", "VALUE");
        var maxRows = new Option<int>("--max-rows") { Description = "By tenant: rows listed per table at most (the total is given).", DefaultValueFactory = _ => 20, HelpName = "N" };
        var waitTimeout = WaitTimeout();
        command.Add(live);
        command.Add(tenants);
        command.Add(maxRows);
        command.Add(waitTimeout);
        maxRows.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0) result.AddError("--max-rows must be 0 or more");
        });
        command.Validators.Add(result =>
        {
            if (result.GetValue(live) && result.GetValue(snapshot) is not null) result.AddError("--live takes its own snapshot: give --live or --snapshot, not both");
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var logger = context.LoggerFactory.CreateLogger("follow.compare");
            var (plan, _, source, targetConnection) = await PlanAsync(context, parse, inputs, target, name: "follow compare", logger, cancellationToken);
            var targetCatalog = await TargetCatalog.ReadAsync(targetConnection, cancellationToken);
            var tenantValues = parse.GetValue(tenants) ?? [];
            if (!parse.GetValue(live) && tenantValues.Length == 0)
            {
                var comparer = new DataComparer(plan, source, targetConnection, targetCatalog,
                    new DataCompareOptions(parse.GetValue(tableJobs), parse.GetValue(snapshot)), logger);
                return Report(context, await comparer.CompareAsync(cancellationToken), parse.GetValue(json));
            }

            // Checked before the follower is asked to hold.
            await TenantComparer.KeyTypeAsync(plan, targetCatalog, targetConnection, tenantValues, cancellationToken);
            PausePoint? pause = parse.GetValue(live)
                ? await PausePoint.TakeAsync(source, targetConnection, TimeSpan.FromSeconds(parse.GetValue(waitTimeout)), logger, cancellationToken)
                : null;
            CompareReport report;
            await using (pause)
            {
                // Recorded on the target for follow list progress, on a connection of its own; not on a target Follow never touched.
                await using var state = await targetConnection.OpenAsync("follow compare progress", ExitCode.TargetFailure, cancellationToken);
                var recording = pause is not null || await SentinelState.TryReadAsync(state, cancellationToken) is not null;
                if (recording) await CompareRecord.StartAsync(state, pause?.Lsn, plan.Tables.Count, cancellationToken);
                var terminal = new CompareProgressRenderer(context);
                var comparer = new TenantComparer(plan, source, targetConnection, targetCatalog,
                    new TenantCompareOptions(parse.GetValue(tableJobs), pause?.Snapshot ?? parse.GetValue(snapshot), tenantValues, parse.GetValue(maxRows)), logger)
                {
                    OnProgress = async (progress, token) =>
                    {
                        terminal.Report(progress);
                        if (recording) await CompareRecord.ProgressAsync(state, progress.TablesDone, progress.TenantsDone, token);
                    },
                };
                report = await comparer.CompareAsync(cancellationToken);
                if (recording) await CompareRecord.FinishAsync(state, report.Equal, cancellationToken);
            }
            if (pause is not null) context.Error.WriteLine($"compared at LSN {pause.Lsn}; the follower goes on");
            return Report(context, report, parse.GetValue(json));
        });
        return command;
    }

    /// <summary>How long to wait for the follower to hold at a pause point.</summary>
    public static Option<int> WaitTimeout()
    {
        var option = new Option<int>("--wait-timeout")
        {
            Description = "Seconds the follower may take to reach the pause point.",
            DefaultValueFactory = _ => 300,
            HelpName = "SECONDS",
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1) result.AddError("--wait-timeout must be at least 1");
        });
        return option;
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
