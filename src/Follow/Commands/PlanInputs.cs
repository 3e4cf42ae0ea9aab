using System.CommandLine;
using Follow.Connections;
using Follow.Diagnostics;
using Follow.Discovery;
using Follow.Model;
using Follow.Pipeline;
using Follow.Planning;
using Follow.Rules;
using Follow.State;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Follow.Cli.Commands;

/// <summary>The options every planning command takes, and the steps from them to a plan: rules, filters, source, catalog.</summary>
public sealed partial class PlanInputs
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
    public RuleSet ReadRules(ParseResult parse, CliContext context) => GivenRules.Parse(ReadRulesText(parse, context));

    /// <summary>The rules' text and where it was read, as given; null when none were.</summary>
    private GivenRules? ReadRulesText(ParseResult parse, CliContext context)
    {
        var path = parse.GetValue(Rules) ?? NullIfEmpty(context.Environment("FOLLOW_RULES"));
        if (path is not null)
        {
            try
            {
                return new GivenRules(File.ReadAllText(path), path);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                throw new BadInputException($"{path}: the rules file does not exist; check the path", e);
            }
        }
        var lines = context.Configuration.GetSection("Follow:Rules").Get<string[]>();
        return lines is { Length: > 0 } ? new GivenRules(string.Join('\n', lines), "configuration Follow:Rules") : null;
    }

    /// <summary>Rules as text with where they came from, the way the clone records them.</summary>
    internal sealed record GivenRules(string Text, string Origin)
    {
        public static RuleSet Parse(GivenRules? rules) => rules is null ? RuleSet.Empty : RulesParser.Parse(rules.Text, rules.Origin);

        /// <summary>The text to record on the target: a load command's URIs without their passwords.</summary>
        public string Recorded => Password().Replace(Text, "$1@");
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"(\w+://[^:/@\s]+):[^@\s]*@")]
    private static partial System.Text.RegularExpressions.Regex Password();

    public Filters ReadFilters(ParseResult parse) => FiltersOf(FilterArguments(parse));

    /// <summary>The filter options as given, option and value in turn, the way the clone records them.</summary>
    private string[] FilterArguments(ParseResult parse) =>
    [
        .. Arguments(parse, IncludeSchema), .. Arguments(parse, ExcludeSchema), .. Arguments(parse, IncludeTable), .. Arguments(parse, ExcludeTable),
    ];

    private static IEnumerable<string> Arguments(ParseResult parse, Option<string[]> option) =>
        (parse.GetValue(option) ?? []).SelectMany(value => new[] { option.Name, value });

    private static Filters FiltersOf(IReadOnlyList<string> arguments)
    {
        var position = new SourcePosition("command line", 0, 0);
        var pairs = arguments.Chunk(2).Where(p => p.Length == 2).ToList();
        IEnumerable<string> Values(string option) => pairs.Where(p => p[0] == option).Select(p => p[1]);
        return new Filters(
            [.. Values("--include-schema")],
            [.. Values("--exclude-schema")],
            [.. Values("--include-table").Select(t => TablePatternOf(t, "--include-table", position))],
            [.. Values("--exclude-table").Select(t => TablePatternOf(t, "--exclude-table", position))]);
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


    /// <summary>
    /// What every command that moves data starts with: rules, filters, both connections, the catalog, the plan, kept to
    /// the plan the clone recorded on the target (compare, which reads the target).
    /// </summary>
    public async Task<Planned> PlanAsync(ParseResult parse, CliContext context, Option<string?> target, string command, ILogger logger, CancellationToken cancellationToken)
    {
        var resolved = Resolve(parse, context, target).ReadingCatalog(logger, cancellationToken);
        var recorded = (await MigrationRecord.ReadAsync(resolved.Target, cancellationToken))?.Plan;
        var planned = await resolved.PlanAsync(recorded, logger, cancellationToken);
        if (recorded is not null) PlanAgreement.RefuseOtherPlan(recorded, planned.Record, command);
        return planned;
    }

    /// <summary>Rules, filters and both connections: what is known before the source is read.</summary>
    public Resolved Resolve(ParseResult parse, CliContext context, Option<string?> target)
    {
        var given = ReadRulesText(parse, context);
        var rules = GivenRules.Parse(given);
        var source = ResolveSource(parse, context, rules);
        var targetConnection = context.Remember(ConnectionResolver.Require(
            ConnectionRole.Target, parse.GetValue(target), rules.Load?.TargetUri, "the rules' load command", context.Environment));
        return new Resolved(given, FilterArguments(parse), source, targetConnection);
    }

    /// <summary>The rules and filter options given (null, empty: none), and both connections.</summary>
    public sealed record Resolved
    {
        private readonly GivenRules? _rules;
        private readonly IReadOnlyList<string> _filters;

        internal Resolved(GivenRules? rules, IReadOnlyList<string> filters, ConnectionInfo source, ConnectionInfo target)
        {
            (_rules, _filters, Source, Target) = (rules, filters, source, target);
        }

        public ConnectionInfo Source { get; }

        public ConnectionInfo Target { get; }

        private Task<Catalog>? _catalog;

        /// <summary>
        /// Starts reading the source's catalog, which <see cref="PlanAsync"/> then takes: it needs nothing of the
        /// target's record, and reading it while the record is read spares the first connection to each server in
        /// turn (0.1–0.2 s each, the first to a Citus coordinator the longer). A failure is reported by PlanAsync.
        /// </summary>
        public Resolved ReadingCatalog(ILogger logger, CancellationToken cancellationToken)
        {
            _catalog ??= ReadCatalogAsync(Source, logger, cancellationToken);
            // Observed here too, for when an earlier step fails and PlanAsync never runs.
            _catalog.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            return this;
        }

        /// <summary>
        /// The plan from the rules and filters given, or, where none are given, from those the clone recorded
        /// (<paramref name="recorded"/>): a later command need not be told them again.
        /// </summary>
        public async Task<Planned> PlanAsync(PlanRecord? recorded, ILogger logger, CancellationToken cancellationToken)
        {
            var rules = _rules ?? (recorded?.Rules is { } recordedRules ? new GivenRules(recordedRules, recorded.RulesOrigin ?? "the rules recorded on the target") : null);
            var filters = _filters.Count > 0 || recorded is null ? _filters : recorded.Filters;
            if (recorded is not null && (_rules is null || _filters.Count == 0))
            {
                Log.RecordedInputs(logger, _rules is null && _filters.Count == 0 ? "rules and filters" : _rules is null ? "rules" : "filters");
            }
            var ruleSet = GivenRules.Parse(rules);
            var catalog = await (_catalog ?? ReadCatalogAsync(Source, logger, cancellationToken));
            var plan = DistributionPlanner.Plan(catalog, ruleSet, FiltersOf(filters));
            // follow plan shows them too; a clone or a run must not change a key without saying so.
            foreach (var warning in plan.Warnings) Log.PlanWarning(logger, warning);
            var text = PlanFingerprint.Text(plan);
            var record = new PlanRecord(rules?.Recorded, rules?.Origin, filters, text, PlanFingerprint.Of(text));
            return new Planned(ruleSet, catalog, plan, Source, Target, record);
        }
    }

    public sealed record Planned(RuleSet Rules, Catalog Catalog, DistributionPlan Plan, ConnectionInfo Source, ConnectionInfo Target, PlanRecord Record)
    {
        public PlannedMigration ToMigration() => new(Catalog, Plan, Source, Target, Rules.Load?.IncludeDrop == true, Record);
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
