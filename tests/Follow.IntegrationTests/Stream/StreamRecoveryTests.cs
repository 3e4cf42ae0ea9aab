using System.Diagnostics;
using Follow.IntegrationTests.Cli;
using Follow.IntegrationTests.Infrastructure;
using static Follow.IntegrationTests.Snapshot.CopyFixture;
using static Follow.IntegrationTests.Stream.StreamKit;

namespace Follow.IntegrationTests.Stream;

/// <summary>The stream on Citus with kills, its cleanup, and its retries after a lost connection.</summary>
public sealed class StreamRecoveryTests
{
    private static string[] Connections(TestDatabase source, TestDatabase target, string rules) => Arguments(source, target, rules);

    [CitusFact]
    public async Task On_citus_a_workload_with_moves_and_kills_streams_to_a_target_equal_to_the_source()
    {
        var servers = await PostgresServers.GetAsync();
        await using var source = await servers.Source.CreateDatabaseAsync("citus_stream");
        await source.ExecuteFileAsync(SamplePaths.Get("ad-platform", "schema.sql"));
        await LoadSampleDataAsync(source, 0.02);
        await source.ExecuteAsync("CREATE TABLE applied_once (n bigint PRIMARY KEY)");
        await using var target = await CitusServer.CreateDatabaseAsync("citus_stream");
        var rules = RulesFile("distribute companies using id\ndistribute applied_once as reference table\n");
        string[] connections = ["--slot-name", source.Name, "--source", source.Uri, "--target", target.ConnectionString, "--rules", rules];
        var clone = await FollowProcess.RunAsync(["clone", .. connections]);
        Assert.True(clone.ExitCode == 0, clone.Error);

        try
        {
            using var stop = new CancellationTokenSource();
            // A single-shard transaction (one tenant's impression), a reference-table row, and every 50th time an ad moved
            // to another tenant's campaign, its clicks and impressions with it. Each costs a two-phase commit on Citus:
            // the pause keeps the backlog to a few hundred.
            var writer = WriteNumberedAsync(source, """
                WITH once AS (INSERT INTO applied_once (n) VALUES ($1) RETURNING n),
                     moved AS (UPDATE ads SET campaign_id = 1 + ($1 * 7) % 100 WHERE id = 1 + $1 % 150 AND $1 % 50 = 0 RETURNING id)
                INSERT INTO impressions (ad_id, seen_at, site_url, cost_per_impression_usd, user_ip, user_data)
                SELECT 1 + $1 % 200, now(), 'https://citus', 0.01, '10.4.4.4', jsonb_build_object('n', once.n) FROM once
                """, TimeSpan.FromMilliseconds(15), stop.Token);

            for (var kill = 0; kill < 3; kill++)
            {
                using var follower = FollowProcess.Start(null, ["follow", .. connections]);
                await Task.Delay(1500);
                follower.Kill(entireProcessTree: true);
                await follower.WaitForExitAsync();
            }
            await stop.CancelAsync();
            var transactions = await writer;
            var endpos = await FollowProcess.RunAsync("sentinel", "set", "endpos", "--current", "--source", source.Uri, "--target", target.ConnectionString);
            Assert.True(endpos.ExitCode == 0, endpos.Error);

            var last = await FollowProcess.RunAsync(["follow", .. connections]);

            Assert.True(last.ExitCode == 0, last.Error);
            Assert.Equal(transactions, await target.ScalarAsync<long>("SELECT count(*) FROM applied_once"));
            var compare = await FollowProcess.RunAsync(["compare", "data", "--source", source.Uri, "--target", target.ConnectionString, "--rules", rules]);
            Assert.True(compare.ExitCode == 0, compare.Output);
        }
        finally
        {
            // Replication origins belong to the whole Citus server, which outlives this test's database: each run
            // would leave one behind, and the server has as many origin slots as max_replication_slots.
            await FollowProcess.RunAsync("stream", "cleanup", "--source", source.Uri, "--target", target.ConnectionString, "--slot-name", source.Name);
        }
    }

    [Fact]
    public async Task Stream_cleanup_drops_the_slot_the_publication_and_the_origin_and_with_all_the_follow_schema()
    {
        var (source, target) = await AdPlatformAsync("stream_cleanup", 0.01);
        await using var _ = source;
        await using var __ = target;
        var rules = SamplePaths.Get("ad-platform", "rules.txt");
        var clone = await FollowProcess.RunAsync(["clone", .. Connections(source, target, rules)]);
        Assert.True(clone.ExitCode == 0, clone.Error);
        await SetEndposAsync(source, target);
        var follow = await FollowProcess.RunAsync(["follow", .. Connections(source, target, rules)]);
        Assert.True(follow.ExitCode == 0, follow.Error);
        Assert.Equal(1L, await target.ScalarAsync<long>("SELECT count(*) FROM pg_replication_origin WHERE roname = 'follow_' || (SELECT oid FROM pg_database WHERE datname = current_database())"));
        // The stream found changed rows by their source key through indexes of its own; compare schema leaves them out.
        Assert.Equal("ads,campaigns,clicks,impressions", await target.ScalarAsync<string>(
            "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_indexes WHERE indexname LIKE 'follow\\_lookup\\_%'"));
        var schema = await FollowProcess.RunAsync(["compare", "schema", "--source", source.Uri, "--target", target.Uri, "--rules", rules]);
        Assert.True(schema.ExitCode == 0, schema.Output);

        var cleanup = await FollowProcess.RunAsync("stream", "cleanup", "--slot-name", source.Name, "--source", source.Uri, "--target", target.Uri);

        Assert.True(cleanup.ExitCode == 0, cleanup.Error);
        Assert.Equal(0L, await source.ScalarAsync<long>($"SELECT count(*) FROM pg_replication_slots WHERE slot_name = '{source.Name}'"));
        Assert.Equal(0L, await source.ScalarAsync<long>($"SELECT count(*) FROM pg_publication WHERE pubname = '{source.Name}'"));
        Assert.Equal(0L, await target.ScalarAsync<long>("SELECT count(*) FROM pg_replication_origin WHERE roname = 'follow_' || (SELECT oid FROM pg_database WHERE datname = current_database())"));
        Assert.Equal(0L, await target.ScalarAsync<long>("SELECT count(*) FROM pg_indexes WHERE indexname LIKE 'follow\\_lookup\\_%'"));
        Assert.True(await target.ScalarAsync<bool>("SELECT to_regnamespace('follow') IS NOT NULL"));

        // Once more with --all, after the slot is gone: the follow schema goes too.
        var all = await FollowProcess.RunAsync("stream", "cleanup", "--all", "--slot-name", source.Name, "--source", source.Uri, "--target", target.Uri);

        Assert.True(all.ExitCode == 0, all.Error);
        Assert.True(await target.ScalarAsync<bool>("SELECT to_regnamespace('follow') IS NULL"));
    }

    /// <summary>The pid of the WAL sender reading the test's slot, once it is another than the one given.</summary>
    private static async Task<int> ActiveSenderAsync(TestDatabase source, int previous)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var pid = await source.ScalarAsync<int?>(
                $"SELECT active_pid FROM pg_replication_slots WHERE slot_name = '{source.Name}' AND active") ?? 0;
            if (pid != 0 && pid != previous) return pid;
            Assert.True(DateTime.UtcNow < deadline, "the follower did not read the slot again");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_lost_source_or_target_connection_is_retried_and_the_stream_ends_equal()
    {
        var (source, target) = await AdPlatformAsync("stream_retry", 0.01);
        await using var _ = source;
        await using var __ = target;
        await source.ExecuteAsync("CREATE TABLE applied_once (n bigint PRIMARY KEY)");
        var rules = RulesFile("distribute companies using id\ndistribute applied_once as reference table\n");
        var clone = await FollowProcess.RunAsync(["clone", .. Connections(source, target, rules)]);
        Assert.True(clone.ExitCode == 0, clone.Error);

        using var follower = FollowProcess.Start(null, ["follow", .. Connections(source, target, rules)]);
        var error = follower.StandardError.ReadToEndAsync();
        await WaitForActiveSlotAsync(source);
        using var stop = new CancellationTokenSource();
        var writer = WriteNumberedAsync(source, "INSERT INTO applied_once (n) VALUES ($1)", TimeSpan.FromMilliseconds(5), stop.Token);
        await Task.Delay(1000);
        // The target's applier session, then the source's WAL sender, are ended under the follower; each time the
        // test waits for the follower to read the slot again through a new WAL sender, so that neither end is missed.
        var sender = await ActiveSenderAsync(source, 0);
        await target.ExecuteAsync("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'follow apply' AND datname = current_database()");
        sender = await ActiveSenderAsync(source, sender);
        await Task.Delay(1000);
        await source.ExecuteAsync($"SELECT pg_terminate_backend({sender})");
        await ActiveSenderAsync(source, sender);
        await Task.Delay(1000);
        await stop.CancelAsync();
        var transactions = await writer;
        await SetEndposAsync(source, target);
        await WaitOrKillAsync(follower, TimeSpan.FromSeconds(60), error);

        var log = await error;
        Assert.True(follower.ExitCode == 0, log);
        Assert.True(log.Split("the connection was lost").Length >= 3, log);
        Assert.Equal(transactions, await target.ScalarAsync<long>("SELECT count(*) FROM applied_once"));
    }
}
