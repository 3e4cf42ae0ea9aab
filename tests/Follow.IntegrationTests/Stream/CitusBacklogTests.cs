using Follow.IntegrationTests.Cli;
using Follow.IntegrationTests.Infrastructure;
using Npgsql;
using static Follow.IntegrationTests.Snapshot.CopyFixture;

namespace Follow.IntegrationTests.Stream;

/// <summary>A held backlog of every kind of change, applied into Citus in groups by a follower killed again and again.</summary>
public sealed class CitusBacklogTests
{
    // More than one target transaction holds (2,000 source transactions at most), so kills land between commits too.
    private const int Transactions = 2100;

    private const string Rules = """
        distribute companies using id
        distribute applied_once as reference table
        cast column impressions.seen_at to "timestamp with time zone"
        """;

    /// <summary>
    /// Transaction n, across tables: a reference-table row (applied once: its key refuses a second), an insert, updates
    /// of ordinary columns (a campaign's with its TOASTed list unchanged; another's list, 30 campaigns in turn, so that
    /// groups of updates with an array column form), every 10th a click given a new key, every
    /// 25th an ad moved to another tenant's campaign with its clicks and impressions, a delete.
    /// </summary>
    private static string[] Statements(long n) =>
    [
        $"INSERT INTO applied_once (n) VALUES ({n})",
        $"INSERT INTO impressions (ad_id, seen_at, site_url, cost_per_impression_usd, user_ip, user_data) VALUES ({1 + n % 200}, now(), 'https://backlog', 0.01, '10.7.7.7', '{{\"n\": {n}}}')",
        $"UPDATE ads SET clicks_count = {n} WHERE id = {1 + n % 150}",
        $"UPDATE campaigns SET monthly_budget = {n} WHERE id = {1 + n % 40}",
        $"UPDATE campaigns SET blacklisted_site_urls = ARRAY['n{n}', NULL, 'q\"{{x}}'] WHERE id = (SELECT max(id) FROM campaigns) - {n % 30}",
        n % 10 == 0 ? "UPDATE clicks SET id = id + 100000000 WHERE id = (SELECT min(id) FROM clicks WHERE id < 100000000)" : "SELECT 1",
        n % 25 == 0 ? $"UPDATE ads SET campaign_id = {1 + n * 7 % 100} WHERE id = {151 + n / 25 % 40}" : "SELECT 1",
        "DELETE FROM clicks WHERE id = (SELECT max(id) FROM clicks WHERE id < 100000000)",
    ];

    /// <summary>Until the follower's apply session is on the target: kills from then on land in the apply.</summary>
    private static async Task<bool> ApplyingAsync(CitusDatabase target, System.Diagnostics.Process follower)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !follower.HasExited)
        {
            if (await target.ScalarAsync<long>("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'follow apply'") > 0) return true;
            await Task.Delay(50);
        }
        return false;
    }

    [CitusFact]
    public async Task A_backlog_of_every_kind_of_change_lands_once_on_citus_through_five_kills()
    {
        var servers = await PostgresServers.GetAsync();
        await using var source = await servers.Source.CreateDatabaseAsync("citus_backlog");
        await source.ExecuteFileAsync(SamplePaths.Get("ad-platform", "schema.sql"));
        await LoadSampleDataAsync(source, 0.02);
        await source.ExecuteAsync("""
            CREATE TABLE applied_once (n bigint PRIMARY KEY);
            ALTER TABLE campaigns ALTER COLUMN blacklisted_site_urls SET STORAGE EXTERNAL;
            UPDATE campaigns SET blacklisted_site_urls = ARRAY(SELECT md5(g::text || id::text) FROM generate_series(1, 100) g);
            """);
        await using var target = await CitusServer.CreateDatabaseAsync("citus_backlog");
        var rules = RulesFile(Rules);
        string[] connections = ["--slot-name", source.Name, "--source", source.Uri, "--target", target.ConnectionString, "--rules", rules];
        var clone = await FollowProcess.RunAsync(["clone", .. connections]);
        Assert.True(clone.ExitCode == 0, clone.Error);
        try
        {
            await using (var connection = await source.OpenAsync())
            {
                for (var n = 1L; n <= Transactions; n++)
                {
                    // Statements of one batch run in one transaction.
                    await using var batch = new NpgsqlBatch(connection);
                    foreach (var sql in Statements(n)) batch.BatchCommands.Add(new NpgsqlBatchCommand(sql));
                    await batch.ExecuteNonQueryAsync();
                }
            }
            var endpos = await FollowProcess.RunAsync("sentinel", "set", "endpos", "--current", "--source", source.Uri, "--target", target.ConnectionString);
            Assert.True(endpos.ExitCode == 0, endpos.Error);

            // Each kill lands a little later in the apply; once the backlog is all applied there is nothing left to kill.
            var applied = new List<long>();
            for (var kill = 0; kill < 5 && (applied.Count == 0 || applied[^1] < Transactions); kill++)
            {
                using var follower = FollowProcess.Start(null, ["follow", .. connections]);
                if (await ApplyingAsync(target, follower))
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100 + 400 * kill));
                    follower.Kill(entireProcessTree: true);
                }
                await follower.WaitForExitAsync();
                applied.Add(await target.ScalarAsync<long>("SELECT count(*) FROM applied_once"));
            }
            // The rest of the backlog in one run, however slow the machine: FollowProcess.RunAsync gives two minutes.
            using (var last = FollowProcess.Start(null, ["follow", .. connections]))
            {
                var error = last.StandardError.ReadToEndAsync();
                _ = last.StandardOutput.ReadToEndAsync();
                using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(10));
                await last.WaitForExitAsync(limit.Token);
                Assert.True(last.ExitCode == 0, await error);
            }
            Assert.Equal(Transactions, await target.ScalarAsync<long>("SELECT count(*) FROM applied_once"));
            Assert.True(applied[0] < Transactions, $"the first kill came after the follower was done: {string.Join(", ", applied)}");
            var compare = await FollowProcess.RunAsync(["compare", "data", "--source", source.Uri, "--target", target.ConnectionString, "--rules", rules]);
            Assert.True(compare.ExitCode == 0, compare.Output + compare.Error);
        }
        finally
        {
            await FollowProcess.RunAsync("stream", "cleanup", "--source", source.Uri, "--target", target.ConnectionString, "--slot-name", source.Name);
        }
    }
}
