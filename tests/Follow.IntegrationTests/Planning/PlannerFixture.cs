using Follow.Discovery;
using Follow.IntegrationTests.Infrastructure;
using Follow.Model;
using Follow.Planning;
using Follow.Rules;
using Npgsql;

namespace Follow.IntegrationTests.Planning;

/// <summary>Builds a real source database from SQL, reads its catalog and plans it with rules written as text.</summary>
internal static class PlannerFixture
{
    public static async Task<Catalog> CatalogAsync(string hint, params string[] sql)
    {
        var servers = await PostgresServers.GetAsync();
        await using var database = await servers.Source.CreateDatabaseAsync(hint);
        foreach (var script in sql) await database.ExecuteAsync(script);
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        return await CatalogReader.ReadAsync(connection, CancellationToken.None);
    }

    public static string Sample(params string[] parts) => File.ReadAllText(SamplePaths.Get(parts));

    public static DistributionPlan Plan(Catalog catalog, string rules) =>
        DistributionPlanner.Plan(catalog, RulesParser.Parse(rules, "test.rules"));

    public static PlanRefusedException Refuse(Catalog catalog, string rules) =>
        Assert.Throws<PlanRefusedException>(() => Plan(catalog, rules));

    public static QualifiedName Public(string name) => new("public", name);
}
