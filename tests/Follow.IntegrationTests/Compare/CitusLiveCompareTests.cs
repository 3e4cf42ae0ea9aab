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
        string[] connections = ["--slot-name", source.Name, "--source", source.Uri, "--target", target.ConnectionString, "--rules", rules];
        var clone = await FollowProcess.RunAsync(["clone", .. connections]);
        Assert.True(clone.ExitCode == 0, clone.Error);

        using var follower = FollowProcess.Start(null, ["follow", .. connections]);
        var error = follower.StandardError.ReadToEndAsync();
        await WaitForActiveSlotAsync(source);
        try
        {
            var idle = await LiveAsync(source.Uri, target.ConnectionString, rules);
            Assert.True(idle.ExitCode == 0, idle.All);

            using var stop = new CancellationTokenSource();
            var writer = WriteNumberedAsync(source, AppliedOnceWorkload, TimeSpan.FromMilliseconds(5), stop.Token);
            var busy = await LiveAsync(source.Uri, target.ConnectionString, rules);
            Assert.True(busy.ExitCode == 0, busy.All);

            var tampered = await PickAsync(sql => source.ScalarAsync<long>(sql));
            await target.ExecuteAsync(Tamper(tampered));
            AssertNamesExactly(await LiveAsync(source.Uri, target.ConnectionString, rules), tampered);

            var repair = await FollowProcess.RunAsync(["repair", "--tenant", tampered.A.ToString(), "--tenant", tampered.B.ToString(), "--tenant", tampered.C.ToString(),
                "--source", source.Uri, "--target", target.ConnectionString, "--rules", rules]);
            Assert.True(repair.ExitCode == 0, repair.All);
            var repaired = await LiveAsync(source.Uri, target.ConnectionString, rules);
            Assert.True(repaired.ExitCode == 0, repaired.All);

            await stop.CancelAsync();
            var transactions = await writer;
            var endpos = await FollowProcess.RunAsync("sentinel", "set", "endpos", "--current", "--source", source.Uri, "--target", target.ConnectionString);
            Assert.True(endpos.ExitCode == 0, endpos.Error);
            await WaitOrKillAsync(follower, TimeSpan.FromSeconds(120), error);
            Assert.True(follower.ExitCode == 0, await error);
            Assert.Equal(transactions, await target.ScalarAsync<long>("SELECT count(*) FROM applied_once"));
            var compare = await FollowProcess.RunAsync(["compare", "data", "--source", source.Uri, "--target", target.ConnectionString, "--rules", rules]);
            Assert.True(compare.ExitCode == 0, compare.Output + compare.Error);
        }
        finally
        {
            if (!follower.HasExited) follower.Kill(entireProcessTree: true);
            await FollowProcess.RunAsync("stream", "cleanup", "--source", source.Uri, "--target", target.ConnectionString, "--slot-name", source.Name);
        }
    }
}
