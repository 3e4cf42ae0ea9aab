using System.CommandLine;
using Follow.Connections;
using Follow.Diagnostics;
using Follow.Planning;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Follow.Cli.Commands;

/// <summary><c>follow plan</c>: shows what Follow would do with every table, or refuses with the reasons.</summary>
public static class PlanCommand
{
    public static Command Create(CliContext context)
    {
        var inputs = new PlanInputs();
        var json = CommonOptions.Json();
        var checkPaths = new Option<bool>("--check-paths")
        {
            Description = "Where a table reaches the distribution key by more than one path, count the source rows whose paths disagree.",
        };
        var command = new Command("plan", "Show the distribution plan: each table's category, distribution column, backfill path, keys and colocation.");
        inputs.AddTo(command);
        command.Add(json);
        command.Add(checkPaths);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var logger = context.LoggerFactory.CreateLogger("follow.plan");
            var rules = inputs.ReadRules(parse, context);
            var filters = inputs.ReadFilters(parse);
            var source = inputs.ResolveSource(parse, context, rules);
            var catalog = await PlanInputs.ReadCatalogAsync(source, logger, cancellationToken);
            var plan = DistributionPlanner.Plan(catalog, rules, filters);
            foreach (var warning in plan.Warnings) Log.PlanWarning(logger, warning);

            var disagreements = parse.GetValue(checkPaths)
                ? await CountDisagreementsAsync(plan, source, cancellationToken)
                : null;
            context.Output.Write(parse.GetValue(json)
                ? PlanRendering.Json(plan, disagreements)
                : PlanRendering.Text(plan, disagreements));
            return (int)ExitCode.Done;
        });
        return command;
    }

    private static async Task<Dictionary<(Model.QualifiedName, BackfillPath), long>> CountDisagreementsAsync(
        DistributionPlan plan, ConnectionInfo source, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<(Model.QualifiedName, BackfillPath), long>();
        try
        {
            await using var connection = new NpgsqlConnection(source.WithApplicationName("follow").ToNpgsqlConnectionString());
            await connection.OpenAsync(cancellationToken);
            foreach (var table in plan.Tables.Where(t => t.Backfill is not null))
            {
                foreach (var other in table.AlternativePaths)
                {
                    var sql = PathAgreement.CountDisagreements(table, table.Backfill!, other, plan.Get(other.Holder).DistributionColumn!);
                    await using var command = new NpgsqlCommand(sql, connection);
                    counts[(table.Name, other)] = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken));
                }
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or IOException)
        {
            throw new FollowException($"cannot check the paths on the source database {source.Redacted}: {ex.Message}", ExitCode.SourceFailure, ex);
        }
        return counts;
    }
}
