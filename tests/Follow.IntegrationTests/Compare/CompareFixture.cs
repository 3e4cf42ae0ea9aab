using Follow.Discovery;
using Follow.IntegrationTests.Cli;
using Follow.IntegrationTests.Infrastructure;
using Follow.Planning;
using Follow.Rules;
using Npgsql;

namespace Follow.IntegrationTests.Compare;

[CollectionDefinition(Name)]
public sealed class CompareCollection : ICollectionFixture<CompareFixture>
{
    public const string Name = "compare";
}

/// <summary>
/// The sample source, and a plain PostgreSQL target cloned with follow clone --schema-only and filled as the copy
/// does. Both are templates: each test changes a copy of its own.
/// </summary>
public sealed class CompareFixture : IAsyncLifetime
{
    private TestDatabase? _source;
    private TestDatabase? _target;

    public TestDatabase Source => _source ?? throw new InvalidOperationException("not initialized");

    public TestDatabase Target => _target ?? throw new InvalidOperationException("not initialized");

    public string RulesPath { get; } = CompareSample.WriteRules();

    public async Task InitializeAsync()
    {
        var servers = await PostgresServers.GetAsync();
        _source = await servers.Source.CreateDatabaseAsync("compare_source");
        await CompareSample.LoadAsync(_source);
        _target = await servers.Target.CreateDatabaseAsync("compare_target");
        await UnlikeDefaultsAsync(_source);
        await UnlikeDefaultsAsync(_target);
        var clone = await FollowProcess.RunAsync("clone", "--schema-only", "--source", _source.Uri, "--target", _target.Uri, "--rules", RulesPath);
        if (clone.ExitCode != 0) throw new InvalidOperationException($"follow clone --schema-only failed ({clone.ExitCode}): {clone.Error}");
        await TargetFill.CopyAsync(_source.ConnectionString, _target.ConnectionString, await PlanAsync(_source, RulesPath));
        // A template must have no sessions, pooled ones included.
        NpgsqlConnection.ClearAllPools();
    }

    public static async Task<DistributionPlan> PlanAsync(TestDatabase source, string rulesPath)
    {
        await using var connection = await source.OpenAsync();
        return DistributionPlanner.Plan(await CatalogReader.ReadAsync(connection, CancellationToken.None), RulesParser.ParseFile(rulesPath));
    }

    /// <summary>A new database made from one of the templates.</summary>
    public static async Task<TestDatabase> CopyAsync(TestDatabase template, string hint)
    {
        var name = $"{hint}_{Guid.NewGuid():N}"[..40];
        await using var connection = new NpgsqlConnection(template.Server.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\" TEMPLATE \"{template.Name}\"", connection);
        await command.ExecuteNonQueryAsync();
        var copy = new TestDatabase(template.Server, name);
        await UnlikeDefaultsAsync(copy);
        return copy;
    }

    /// <summary>
    /// Gives each side other defaults for the settings that change how values print, so that compare has to set
    /// them itself. A template copy does not inherit them.
    /// </summary>
    public static async Task UnlikeDefaultsAsync(TestDatabase database)
    {
        var onSource = (await PostgresServers.GetAsync()).Source == database.Server;
        var settings = onSource
            ? new[] { "TimeZone = 'Asia/Tokyo'", "DateStyle = 'German'" }
            : ["TimeZone = 'America/New_York'", "DateStyle = 'SQL, DMY'", "IntervalStyle = 'iso_8601'", "extra_float_digits = 0"];
        await database.ExecuteAsync(string.Concat(settings.Select(s => $"ALTER DATABASE \"{database.Name}\" SET {s};")));
        // Sessions already pooled keep the old defaults.
        await using var pooled = new NpgsqlConnection(database.ConnectionString);
        NpgsqlConnection.ClearPool(pooled);
    }

    internal static Task<FollowProcess.Result> CompareAsync(string what, TestDatabase source, string target, string rules, params string[] extra) =>
        FollowProcess.RunAsync(["compare", what, "--source", source.Uri, "--target", target, "--rules", rules, .. extra]);

    public async Task DisposeAsync()
    {
        if (_source is not null) await _source.DisposeAsync();
        if (_target is not null) await _target.DisposeAsync();
        File.Delete(RulesPath);
    }
}
