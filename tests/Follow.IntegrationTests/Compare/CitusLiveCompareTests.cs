using Follow.IntegrationTests.Cli;
using Follow.IntegrationTests.Infrastructure;
using static Follow.IntegrationTests.Compare.LiveCompareTests;
using static Follow.IntegrationTests.Snapshot.CopyFixture;
using static Follow.IntegrationTests.Stream.StreamKit;

namespace Follow.IntegrationTests.Compare;

/// <summary>
/// follow compare data --live and follow repair on Citus, with a workload on the source and the follower streaming:
/// the checksums by tenant run on the shards, and the target is read while the follower holds.
/// </summary>
public sealed class CitusLiveCompareTests
{
    [CitusFact]
    public async Task A_live_compare_on_citus_names_the_tenants_and_rows_changed_behind_its_back_and_repair_puts_them_right()
    {
        var servers = await PostgresServers.GetAsync();
        await using var source = await servers.Source.CreateDatabaseAsync("citus_live");
        await source.ExecuteFileAsync(SamplePaths.Get("ad-platform", "schema.sql"));
        await LoadSampleDataAsync(source, 0.01);
        await source.ExecuteAsync(AppliedOnceTable);
        await using var target = await CitusServer.CreateDatabaseAsync("citus_live");
        var rules = RulesFile(AppliedOnceRules);
        var clone = await FollowProcess.RunAsync(["clone", "--slot-name", source.Name, "--source", source.Uri, "--target", target.ConnectionString, "--rules", rules]);
        Assert.True(clone.ExitCode == 0, clone.Error);

        try
        {
            await RunScenarioAsync(source, target.ConnectionString, sql => target.ExecuteAsync(sql), sql => target.ScalarAsync<long>(sql), rules);
        }
        finally
        {
            await FollowProcess.RunAsync("stream", "cleanup", "--source", source.Uri, "--target", target.ConnectionString, "--slot-name", source.Name);
        }
    }
}
