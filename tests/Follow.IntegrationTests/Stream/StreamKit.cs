using System.Diagnostics;
using Follow.IntegrationTests.Cli;
using Follow.IntegrationTests.Infrastructure;

namespace Follow.IntegrationTests.Stream;

/// <summary>What the stream and worker tests share: connections, endpos, comparison, a numbered writer, waiting.</summary>
internal static class StreamKit
{
    /// <summary>Each workload transaction inserts a row of its own here: applied twice, it would break the primary key.</summary>
    public const string AppliedOnceTable = "CREATE TABLE applied_once (n bigint PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())";

    public const string AppliedOnceRules = "distribute companies using id\ndistribute applied_once as reference table\n";

    /// <summary>
    /// A transaction of the numbered writer: its own applied_once row, an ad's counter updated, the oldest click
    /// deleted (found by its source key alone) and an impression inserted under that ad.
    /// </summary>
    public const string AppliedOnceWorkload = """
        WITH once AS (INSERT INTO applied_once (n) VALUES ($1) RETURNING n),
             ad AS (UPDATE ads SET clicks_count = $1 WHERE id = 1 + $1 % 200 RETURNING id),
             gone AS (DELETE FROM clicks WHERE id = (SELECT min(id) FROM clicks) RETURNING id)
        INSERT INTO impressions (ad_id, seen_at, site_url, cost_per_impression_usd, user_ip, user_data)
        SELECT ad.id, now(), 'https://workload', 0.01, '10.3.3.3', jsonb_build_object('n', once.n) FROM ad, once
        """;

    public static string[] Arguments(TestDatabase source, TestDatabase target, string rules) =>
        ["--slot-name", source.Name, "--source", source.Uri, "--target", target.Uri, "--rules", rules];

    public static async Task<FollowProcess.Result> CompareAsync(TestDatabase source, TestDatabase target, string rules) =>
        await FollowProcess.RunAsync(["compare", "data", "--source", source.Uri, "--target", target.Uri, "--rules", rules]);

    public static async Task SetEndposAsync(TestDatabase source, TestDatabase target, string? lsn = null)
    {
        var result = lsn is null
            ? await FollowProcess.RunAsync("sentinel", "set", "endpos", "--current", "--source", source.Uri, "--target", target.Uri)
            : await FollowProcess.RunAsync("sentinel", "set", "endpos", lsn, "--target", target.Uri);
        Assert.True(result.ExitCode == 0, result.Error);
    }

    /// <summary>
    /// Runs one statement again and again, each in a transaction of its own with its number as $1, until stopped;
    /// returns how many committed.
    /// </summary>
    public static Task<long> WriteNumberedAsync(TestDatabase source, string sql, TimeSpan pause, CancellationToken stop) => Task.Run(async () =>
    {
        await using var connection = await source.OpenAsync();
        long n = 0;
        while (!stop.IsCancellationRequested)
        {
            n++;
            await using var command = new Npgsql.NpgsqlCommand(sql, connection);
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = n });
            await command.ExecuteNonQueryAsync();
            if (pause > TimeSpan.Zero) await Task.Delay(pause);
        }
        return n;
    });

    public static async Task WaitOrKillAsync(Process follower, TimeSpan limit, Task<string> error)
    {
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await follower.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            follower.Kill(entireProcessTree: true);
            await follower.WaitForExitAsync();
            Assert.Fail($"the follower did not exit within {limit.TotalSeconds} s:\n{await error}");
        }
    }

    /// <summary>Until the follower reads the slot: what is written from then on reaches it through the stream.</summary>
    /// <summary>Waits (up to 60 s) until the walsender of the test's slot has sent the source's WAL up to <paramref name="lsn"/>, or let go of the slot.</summary>
    public static async Task WaitUntilSentAsync(TestDatabase source, string lsn)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !await source.ScalarAsync<bool>(
            $"""
            SELECT coalesce(bool_or(r.sent_lsn IS NULL OR r.sent_lsn >= '{lsn}'::pg_lsn), true)
            FROM pg_replication_slots s LEFT JOIN pg_stat_replication r ON r.pid = s.active_pid
            WHERE s.slot_name = '{source.Name}'
            """))
        {
            await Task.Delay(20);
        }
    }

    public static async Task WaitForActiveSlotAsync(TestDatabase source)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && await source.ScalarAsync<bool>(
            $"SELECT NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = '{source.Name}' AND active)"))
        {
            await Task.Delay(50);
        }
    }
}
