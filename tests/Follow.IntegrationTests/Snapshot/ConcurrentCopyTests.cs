using Follow.IntegrationTests.Cli;
using Follow.IntegrationTests.Infrastructure;
using Npgsql;
using static Follow.IntegrationTests.Snapshot.CopyFixture;

namespace Follow.IntegrationTests.Snapshot;

/// <summary>The copy under load and under a crash: the target must equal the source as of the slot's snapshot.</summary>
public sealed class ConcurrentCopyTests
{
    private const string Rules = """
        distribute companies using id
        cast column impressions.seen_at to "timestamp with time zone"
        [exclude-table]
        writer_log
        writer_visible
        ads_initial
        """;

    /// <summary>
    /// One writer, one transaction at a time: insert an impression, bump its ad's clicks_count to a counter, and log
    /// both with the transaction id, so that the snapshot's visibility tells which writes the target must have.
    /// </summary>
    private static async Task<long> WriteUntilAsync(TestDatabase source, CancellationToken stop)
    {
        await using var connection = await source.OpenAsync();
        var maxAd = await source.ScalarAsync<long>("SELECT max(id) FROM ads");
        var random = new Random(7);
        long n = 0;
        while (!stop.IsCancellationRequested)
        {
            n++;
            var ad = 1 + random.NextInt64(maxAd);
            await using var command = new NpgsqlCommand("""
                WITH i AS (
                    INSERT INTO impressions (ad_id, seen_at, site_url, cost_per_impression_usd, user_ip, user_data)
                    VALUES ($1, timestamp '2025-01-01' + $2 * interval '1 second', 'https://writer.example.com/', 0.5, '10.9.9.9', '{"writer": true}')
                    RETURNING id),
                u AS (UPDATE ads SET clicks_count = $2 WHERE id = $1 RETURNING id)
                INSERT INTO writer_log (xid, impression_id, ad_id, n)
                SELECT pg_current_xact_id(), i.id, $1, $2 FROM i, u
                """, connection);
            command.Parameters.Add(new NpgsqlParameter { Value = ad });
            command.Parameters.Add(new NpgsqlParameter { Value = n });
            await command.ExecuteNonQueryAsync(CancellationToken.None);
        }
        return n;
    }

    [Fact]
    public async Task Writers_busy_during_the_copy_leave_the_target_equal_to_the_source_as_of_the_snapshot()
    {
        var (source, target) = await AdPlatformAsync("copy_writers", 0.2);
        await using var _ = source;
        await using var __ = target;
        await source.ExecuteAsync("""
            CREATE TABLE writer_log (xid xid8 NOT NULL, impression_id bigint NOT NULL, ad_id bigint NOT NULL, n bigint PRIMARY KEY);
            CREATE TABLE ads_initial AS SELECT id, clicks_count FROM ads;
            ALTER TABLE ads_initial ADD PRIMARY KEY (id);
            """);
        var rules = RulesFile(Rules);
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(() => WriteUntilAsync(source, stop.Token));
        await Task.Delay(300);

        var result = await FollowProcess.RunAsync("clone", "--slot-name", source.Name, "--source", source.Uri, "--target", target.Uri, "--rules", rules);
        await Task.Delay(200);
        await stop.CancelAsync();
        await writer;

        Assert.True(result.ExitCode == 0, result.Error);
        var snapshot = await target.ScalarAsync<string>("SELECT source_snapshot::text FROM follow.run");
        await using (var connection = await source.OpenAsync())
        await using (var visible = new NpgsqlCommand(
            "CREATE TABLE writer_visible AS SELECT * FROM writer_log WHERE pg_visible_in_snapshot(xid, $1::text::pg_snapshot)", connection))
        {
            visible.Parameters.Add(new NpgsqlParameter { Value = snapshot });
            await visible.ExecuteNonQueryAsync();
        }
        var visibleWrites = await source.ScalarAsync<long>("SELECT count(*) FROM writer_visible");
        var allWrites = await source.ScalarAsync<long>("SELECT count(*) FROM writer_log");
        Assert.True(visibleWrites > 0 && allWrites > visibleWrites, $"{visibleWrites} of {allWrites} writes before the snapshot");

        var plan = await PlanAsync(source, rules);
        foreach (var table in new[] { "companies", "campaigns", "clicks" })
        {
            var t = plan.Get(new Model.QualifiedName("public", table));
            Assert.Equal(await FingerprintAsync(source.ConnectionString, SourceRows(t)), await FingerprintAsync(target.ConnectionString, TargetRows(t)));
        }
        var impressions = plan.Get(new Model.QualifiedName("public", "impressions"));
        Assert.Equal(
            await FingerprintAsync(source.ConnectionString, SourceRows(impressions,
                "s.id NOT IN (SELECT impression_id FROM writer_log EXCEPT SELECT impression_id FROM writer_visible)")),
            await FingerprintAsync(target.ConnectionString, TargetRows(impressions)));
        Assert.Equal(
            await FingerprintAsync(source.ConnectionString, """
                SELECT a.id, coalesce(v.n, i.clicks_count) AS clicks_count
                  FROM ads a JOIN ads_initial i USING (id)
                  LEFT JOIN (SELECT ad_id, max(n) AS n FROM writer_visible GROUP BY ad_id) v ON v.ad_id = a.id
                """),
            await FingerprintAsync(target.ConnectionString, "SELECT id, clicks_count FROM ads"));
    }

    [Fact]
    public async Task A_copy_killed_midway_and_run_again_leaves_the_target_equal_and_without_duplicates()
    {
        var (source, target) = await AdPlatformAsync("copy_kill", 2.0);
        await using var _ = source;
        await using var __ = target;
        var rules = SamplePaths.Get("ad-platform", "rules.txt");
        string[] args = ["clone", "--slot-name", source.Name, "--source", source.Uri, "--target", target.Uri, "--rules", rules, "--table-jobs", "1"];

        using (var first = FollowProcess.Start(null, args))
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline && !first.HasExited
                && await target.ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE schemaname = 'follow' AND tablename = 'job'") == 0)
            {
                await Task.Delay(20);
            }
            while (DateTime.UtcNow < deadline && !first.HasExited
                && await target.ScalarAsync<long>("SELECT count(*) FROM follow.job WHERE state = 'running'") == 0)
            {
                await Task.Delay(20);
            }
            Assert.False(first.HasExited, $"the first clone ended before it could be killed: {(first.HasExited ? await first.StandardError.ReadToEndAsync() : "")}");
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
        }
        var completedBeforeKill = await target.ScalarAsync<long>("SELECT count(*) FROM follow.job WHERE state = 'completed'");
        Assert.True(completedBeforeKill < 5, "the copy was killed after it finished");
        // A part that was being copied is rolled back with its job record: no job is marked done without its rows.
        Assert.Equal(0L, await target.ScalarAsync<long>("""
            SELECT count(*) FROM follow.job j
             WHERE j.state = 'completed' AND j.rows <> (SELECT count(*) FROM impressions) AND j.table_name = 'public.impressions'
            """));

        var second = await FollowProcess.RunAsync(null, args);

        Assert.True(second.ExitCode == 0, second.Error);
        await AssertTablesEqualAsync(await PlanAsync(source, rules), source, target.ConnectionString);
        Assert.Equal(1L, await target.ScalarAsync<long>("SELECT count(*) FROM pg_constraint WHERE conname = 'impressions_pkey'"));
    }
}
