using System.CommandLine;
using Follow.Connections;
using Follow.Diagnostics;
using Follow.Discovery;
using Follow.Model;
using Follow.Pipeline;
using Follow.Planning;
using Follow.Rules;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Follow.Cli.Commands;

/// <summary>The options every planning command takes, and the steps from them to a plan: rules, filters, source, catalog.</summary>
public sealed class PlanInputs
{
    public Option<string?> Source { get; } = CommonOptions.Source();

    public Option<string?> Rules { get; } = CommonOptions.Rules();

    public Option<string[]> IncludeSchema { get; } = CommonOptions.Repeated("--include-schema", "Move only these schemas (repeatable).", "SCHEMA");

    public Option<string[]> ExcludeSchema { get; } = CommonOptions.Repeated("--exclude-schema", "Do not move these schemas (repeatable).", "SCHEMA");

    public Option<string[]> IncludeTable { get; } = CommonOptions.Repeated("--include-table", "Move only these tables, schema.table or table (repeatable).", "TABLE");

    public Option<string[]> ExcludeTable { get; } = CommonOptions.Repeated("--exclude-table", "Do not move these tables: neither copied nor streamed (repeatable).", "TABLE");

    public void AddTo(Command command)
    {
        command.Add(Source);
        command.Add(Rules);
        command.Add(IncludeSchema);
        command.Add(ExcludeSchema);
        command.Add(IncludeTable);
        command.Add(ExcludeTable);
    }

    /// <summary>
    /// The rules: the file named by --rules, else by FOLLOW_RULES, else the lines of the <c>Follow:Rules</c>
    /// configuration (appsettings.json or <c>Follow__Rules__0</c>… variables), else none.
    /// </summary>
    public RuleSet ReadRules(ParseResult parse, CliContext context)
    {
        var path = parse.GetValue(Rules) ?? NullIfEmpty(context.Environment("FOLLOW_RULES"));
        if (path is not null) return RulesParser.ParseFile(path);
        var lines = context.Configuration.GetSection("Follow:Rules").Get<string[]>();
        return lines is { Length: > 0 } ? RulesParser.Parse(string.Join('\n', lines), "configuration Follow:Rules") : RuleSet.Empty;
    }

    public Filters ReadFilters(ParseResult parse)
    {
        var position = new SourcePosition("command line", 0, 0);
        return new Filters(
            parse.GetValue(IncludeSchema) ?? [],
            parse.GetValue(ExcludeSchema) ?? [],
            [.. (parse.GetValue(IncludeTable) ?? []).Select(t => TablePatternOf(t, "--include-table", position))],
            [.. (parse.GetValue(ExcludeTable) ?? []).Select(t => TablePatternOf(t, "--exclude-table", position))]);
    }

    private static TablePattern TablePatternOf(string text, string option, SourcePosition position)
    {
        var name = TableNameText.Parse(text, option);
        return new TablePattern(name.Schema, name.Name, false, position);
    }

    public ConnectionInfo ResolveSource(ParseResult parse, CliContext context, RuleSet rules)
    {
        var source = ConnectionResolver.Require(
            ConnectionRole.Source, parse.GetValue(Source), rules.Load?.SourceUri, "the rules' load command", context.Environment);
        return context.Remember(source);
    }

    public sealed record Planned(RuleSet Rules, Catalog Catalog, DistributionPlan Plan, ConnectionInfo Source, ConnectionInfo Target)
    {
        public PlannedMigration ToMigration() => new(Catalog, Plan, Source, Target, Rules.Load?.IncludeDrop == true);
    }

    /// <summary>What every command that moves data starts with: rules, filters, both connections, the catalog, the plan.</summary>
    public Task<Planned> PlanAsync(ParseResult parse, CliContext context, Option<string?> target, ILogger logger, CancellationToken cancellationToken) =>
        Resolve(parse, context, target).PlanAsync(logger, cancellationToken);

    /// <summary>Rules, filters and both connections: what is known before the source is read.</summary>
    public Resolved Resolve(ParseResult parse, CliContext context, Option<string?> target)
    {
        var rules = ReadRules(parse, context);
        var filters = ReadFilters(parse);
        var source = ResolveSource(parse, context, rules);
        var targetConnection = context.Remember(ConnectionResolver.Require(
            ConnectionRole.Target, parse.GetValue(target), rules.Load?.TargetUri, "the rules' load command", context.Environment));
        return new Resolved(rules, filters, source, targetConnection);
    }

    public sealed record Resolved(RuleSet Rules, Filters Filters, ConnectionInfo Source, ConnectionInfo Target)
    {
        public async Task<Planned> PlanAsync(ILogger logger, CancellationToken cancellationToken)
        {
            var catalog = await ReadCatalogAsync(Source, logger, cancellationToken);
            var plan = DistributionPlanner.Plan(catalog, Rules, Filters);
            // follow plan shows them too; a clone or a run must not change a key without saying so.
            foreach (var warning in plan.Warnings) Log.PlanWarning(logger, warning);
            return new Planned(Rules, catalog, plan, Source, Target);
        }
    }

    /// <summary>Reads the source catalog; a failure there is a source failure (exit 6).</summary>
    public static async Task<Catalog> ReadCatalogAsync(ConnectionInfo source, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(source.WithApplicationName("follow").ToNpgsqlConnectionString());
            await connection.OpenAsync(cancellationToken);
            var catalog = await CatalogReader.ReadAsync(connection, cancellationToken);
            Log.CatalogRead(logger, source.Redacted, catalog.Tables.Count);
            return catalog;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or IOException)
        {
            throw new FollowException($"cannot read the source database {source.Redacted}: {ex.Message}", ExitCode.SourceFailure, ex);
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
