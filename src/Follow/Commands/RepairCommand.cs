using System.CommandLine;
using Follow.Compare;
using Follow.Diagnostics;
using Follow.Model;
using Follow.Pipeline;
using Follow.Snapshot;
using Microsoft.Extensions.Logging;

namespace Follow.Cli.Commands;

/// <summary>
/// <c>follow repair --tenant VALUE… [--table T]</c>: at a pause point, the listed tenants' rows on the target are
/// replaced by the source's in the pause point's snapshot; then the follower goes on from there.
/// </summary>
public static class RepairCommand
{
    public static Command Create(CliContext context)
    {
        var inputs = new PlanInputs();
        var target = CommonOptions.Target();
        var tenants = CommonOptions.Repeated("--tenant", "A distribution-key value whose rows to replace (repeatable, at least one).", "VALUE");
        var table = new Option<string?>("--table")
        {
            Description = "Only this table, and the tables whose foreign keys lead to it. Default: every distributed table.",
            HelpName = "TABLE",
        };
        var waitTimeout = CompareCommand.WaitTimeout();
        var command = new Command("repair",
            "While the follower streams: hold it at a source snapshot's exact LSN, replace the tenants' rows on the target with the source's, one transaction a tenant, then let it go on.");
        inputs.AddTo(command);
        command.Add(target);
        command.Add(tenants);
        command.Add(table);
        command.Add(waitTimeout);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var logger = context.LoggerFactory.CreateLogger("follow.repair");
            var tenantValues = parse.GetValue(tenants) ?? [];
            if (tenantValues.Length == 0) throw new BadInputException("give the tenants to repair: follow repair --tenant VALUE [--tenant VALUE …]");
            QualifiedName? only = null;
            if (parse.GetValue(table) is { } tableName)
            {
                var parsed = Rules.TableNameText.Parse(tableName, "--table");
                only = new QualifiedName(parsed.Schema ?? "public", parsed.Name);
            }
            var planned = await inputs.PlanAsync(parse, context, target, "follow repair", logger, cancellationToken);
            var tables = TenantRepair.TablesToRepair(planned.Plan, only);
            var targetCatalog = await TargetCatalog.ReadAsync(planned.Target, cancellationToken);
            // Checked before the follower is asked to hold.
            await TenantComparer.KeyTypeAsync(planned.Plan, targetCatalog, planned.Target, tenantValues, cancellationToken);
            await using var pause = await PausePoint.TakeAsync(planned.Source, planned.Target, TimeSpan.FromSeconds(parse.GetValue(waitTimeout)), logger, cancellationToken);
            var repair = new TenantRepair(planned.Source, planned.Target, logger);
            foreach (var (tenant, rows) in await repair.RepairAsync(pause.Snapshot, tenantValues.Distinct().ToList(), tables, cancellationToken))
            {
                context.Output.WriteLine($"tenant {tenant}: {rows} rows in {tables.Count} tables replaced by the source's at LSN {pause.Lsn}");
            }
            return (int)ExitCode.Done;
        });
        return command;
    }
}
