using Follow.IntegrationTests.Cli;
using Follow.IntegrationTests.Infrastructure;
using Follow.Model;
using Npgsql;

namespace Follow.IntegrationTests.Compare;

/// <summary>follow compare against a Citus coordinator (FOLLOW_TEST_CITUS_URI): the checksums are computed on the shards.</summary>
public sealed class CitusCompareTests
{
    private static async Task ExecuteAsync(CitusDatabase database, string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await new NpgsqlCommand(sql, connection).ExecuteNonQueryAsync();
    }

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [CitusFact]
    public async Task Distributed_and_reference_tables_compare_equal_until_a_row_changes()
    {
        var servers = await PostgresServers.GetAsync();
        await using var source = await servers.Source.CreateDatabaseAsync("citus_compare");
        await CompareSample.LoadAsync(source);
        await CompareFixture.UnlikeDefaultsAsync(source);
        await using var target = await CitusServer.CreateDatabaseAsync("citus_compare");
        // Propagated to the workers, where the hashes are computed: compare must override it there too.
        await ExecuteAsync(target, $"ALTER DATABASE {Sql.Ident(target.Name)} SET TimeZone = 'America/New_York'");
        var rules = CompareSample.WriteRules();
        try
        {
            var clone = await FollowProcess.RunAsync("clone", "--schema-only", "--source", source.Uri, "--target", target.ConnectionString,
                "--rules", rules, "--shard-count", "4");
            Assert.True(clone.ExitCode == 0, clone.Error);
            await TargetFill.CopyAsync(source.ConnectionString, target.ConnectionString, await CompareFixture.PlanAsync(source, rules));
            Assert.Equal("n", await target.ScalarAsync<string>("SELECT partmethod::text FROM pg_dist_partition WHERE logicalrelid = 'countries'::regclass"));
            Assert.Equal("h", await target.ScalarAsync<string>("SELECT partmethod::text FROM pg_dist_partition WHERE logicalrelid = 'impressions'::regclass"));

            var equal = await FollowProcess.RunAsync("compare", "data", "--source", source.Uri, "--target", target.ConnectionString, "--rules", rules);
            var schema = await FollowProcess.RunAsync("compare", "schema", "--source", source.Uri, "--target", target.ConnectionString, "--rules", rules);
            await ExecuteAsync(target, "UPDATE countries SET vat_rate = 0.07 WHERE code = 'DE'; UPDATE impressions SET user_data = '{}' WHERE id = 7");
            var changed = await FollowProcess.RunAsync("compare", "data", "--source", source.Uri, "--target", target.ConnectionString, "--rules", rules);

            Assert.True(equal.ExitCode == 0, equal.All);
            Assert.Equal(["6 tables equal, 0 differ"], Lines(equal.Output));
            Assert.True(schema.ExitCode == 0, schema.All);
            Assert.Equal(1, changed.ExitCode);
            Assert.Equal(["public.countries: checksum differs", "public.impressions: checksum differs", "4 tables equal, 2 differ"],
                Lines(changed.Output));
        }
        finally
        {
            File.Delete(rules);
        }
    }
}
