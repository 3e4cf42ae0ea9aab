using System.Diagnostics;
using Follow.IntegrationTests.Cli;
using Follow.IntegrationTests.Infrastructure;
using static Follow.IntegrationTests.Snapshot.CopyFixture;
using static Follow.IntegrationTests.Stream.StreamKit;

namespace Follow.IntegrationTests.Stream;

/// <summary>Clone, then stream changes until the sentinel's endpos; the target must end equal to the source.</summary>
public sealed class StreamTests
{
    private const string ExtraSchema = """
        CREATE TYPE asset_kind AS ENUM ('image', 'video');
        CREATE TABLE assets (
            id uuid PRIMARY KEY, kind asset_kind, data bytea, meta jsonb, price numeric(12,4),
            tags text[], at timestamptz, ip inet);
        CREATE TABLE settings (key text PRIMARY KEY, value jsonb);
        ALTER TABLE campaigns ALTER COLUMN blacklisted_site_urls SET STORAGE EXTERNAL;
        """;

    private const string Rules = """
        distribute companies using id
        distribute assets as reference table
        cast column impressions.seen_at to "timestamp with time zone"
        """;

    private static string[] Connections(TestDatabase source, TestDatabase target, string rules) => Arguments(source, target, rules);

    /// <summary>The ad-platform sample cloned with its rules, for a follower to start on.</summary>
    private static async Task<(TestDatabase Source, TestDatabase Target, string Rules)> ClonedAdPlatformAsync(string name)
    {
        var (source, target) = await AdPlatformAsync(name, 0.01);
        var rules = SamplePaths.Get("ad-platform", "rules.txt");
        var clone = await FollowProcess.RunAsync(["clone", .. Connections(source, target, rules)]);
        Assert.True(clone.ExitCode == 0, clone.Error);
        return (source, target, rules);
    }

    /// <summary>
    /// Once the copy's run is recorded, its snapshot is taken: changes made from then on reach the target through
    /// the stream, not the copy.
    /// </summary>
    private static async Task WaitForCopyAsync(TestDatabase target, Process follower)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && !follower.HasExited
            && !(await target.ScalarAsync<bool>("SELECT to_regclass('follow.run') IS NOT NULL")
                 && await target.ScalarAsync<long>("SELECT count(*) FROM follow.run") > 0))
        {
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task A_workload_across_every_table_category_streams_to_a_target_equal_to_the_source()
    {
        var (source, target) = await AdPlatformAsync("stream_workload", 0.02);
        await using var _ = source;
        await using var __ = target;
        await source.ExecuteAsync(ExtraSchema);
        var rules = RulesFile(Rules);

        using var follower = FollowProcess.Start(new Dictionary<string, string> { ["FOLLOW_LOG_LEVEL"] = "Debug" }, ["clone", "--follow", .. Connections(source, target, rules)]);
        var output = follower.StandardOutput.ReadToEndAsync();
        var error = follower.StandardError.ReadToEndAsync();
        await WaitForCopyAsync(target, follower);
        await source.ExecuteAsync("""
            BEGIN;
            INSERT INTO companies (id, name, created_at, updated_at) VALUES (90001, 'New', now(), now());
            INSERT INTO campaigns (id, company_id, name, cost_model, state, created_at, updated_at) VALUES (90001, 90001, 'c', 'cpc', 'running', now(), now());
            INSERT INTO ads (id, campaign_id, name, created_at, updated_at) VALUES (90001, 90001, 'a', now(), now());
            INSERT INTO impressions (id, ad_id, seen_at, site_url, cost_per_impression_usd, user_ip, user_data)
                 VALUES (90001, 90001, now(), 'https://x', NULL, '10.1.1.1', '{"new": true}');
            INSERT INTO clicks (id, ad_id, clicked_at, site_url, cost_per_click_usd, user_ip, user_data)
                 VALUES (90001, 90001, now(), 'https://x', 1.5, '10.1.1.2', '{}');
            COMMIT;
            INSERT INTO assets VALUES ('6f1c1e4e-2b1a-4c43-9d52-0b7b6a2f9a11', 'video', '\xdeadbeef', '{"a": [1, 2]}', 12.3456, ARRAY['x', NULL, 'y'], '2026-01-02 03:04:05+02', '192.168.0.1/24');
            INSERT INTO settings VALUES ('mode', '"fast"'), ('gone', 'null');
            UPDATE campaigns SET blacklisted_site_urls = (SELECT array_agg(md5(g::text)) FROM generate_series(1, 500) g) WHERE id = 3;
            UPDATE campaigns SET state = 'paused' WHERE id = 3;
            UPDATE ads SET name = 'renamed', image_url = NULL WHERE id = 5;
            DELETE FROM clicks WHERE id IN (SELECT id FROM clicks ORDER BY id LIMIT 3);
            DELETE FROM settings WHERE key = 'gone';
            UPDATE assets SET kind = 'image', data = NULL WHERE id = '6f1c1e4e-2b1a-4c43-9d52-0b7b6a2f9a11';
            """);
        // Moves: an ad to another tenant's campaign (its clicks and impressions follow), and a campaign to another company.
        await source.ExecuteAsync("""
            UPDATE ads SET campaign_id = (SELECT id FROM campaigns WHERE company_id <> (SELECT c.company_id FROM ads a JOIN campaigns c ON c.id = a.campaign_id WHERE a.id = 7) LIMIT 1) WHERE id = 7;
            UPDATE campaigns SET company_id = (SELECT max(id) FROM companies WHERE id < 90000) WHERE id = 9;
            BEGIN;
            UPDATE companies SET name = 'multi' WHERE id = 1;
            INSERT INTO impressions (ad_id, seen_at, site_url, cost_per_impression_usd, user_ip, user_data) VALUES (5, now(), 'https://y', 0.1, '10.2.2.2', '[]');
            DELETE FROM impressions WHERE id = 11;
            COMMIT;
            TRUNCATE settings;
            """);
        // A long run of inserts into one table goes through COPY: values with a tab, a newline, a backslash and NULL.
        await source.ExecuteAsync("""
            INSERT INTO impressions (ad_id, seen_at, site_url, cost_per_impression_usd, user_ip, user_data)
            SELECT 5 + g % 3, now(), E'https://bulk/\t' || g || E'\n\\', CASE WHEN g % 2 = 0 THEN 0.5 END, '10.3.3.3', jsonb_build_object('g', g, 's', E'a\tb')
              FROM generate_series(1, 1000) g;
            """);
        await SetEndposAsync(source, target);

        await WaitOrKillAsync(follower, TimeSpan.FromSeconds(60), error);
        Assert.True(follower.ExitCode == 0, await error);
        var compare = await CompareAsync(source, target, rules);
        Assert.True(compare.ExitCode == 0, compare.Output);
        Assert.Equal(await source.ScalarAsync<long>("SELECT last_value FROM impressions_id_seq"), await target.ScalarAsync<long>("SELECT last_value FROM impressions_id_seq"));
        // The source was told what the target committed: the slot's confirmed position moved past the copy's start.
        var replay = await target.ScalarAsync<string>("SELECT replay_lsn::text FROM follow.sentinel");
        Assert.NotNull(replay);
        Assert.True(await target.ScalarAsync<bool>("SELECT replay_lsn > startpos FROM follow.sentinel"));
        Assert.True(await source.ScalarAsync<bool>(
            $"SELECT confirmed_flush_lsn >= '{replay}'::pg_lsn FROM pg_replication_slots WHERE slot_name = '{source.Name}'"));
        await output;
    }

    /// <summary>
    /// A backlog of small transactions that the applier writes in groups, with what a wrong regrouping would break:
    /// a unique value freed by a delete and taken by another row, a key deleted and inserted again, a key
    /// changed and taken by a new row, a REPLICA IDENTITY FULL table, an array column, and values that need quoting
    /// in an array's text form. The target refuses or differs if a write passes one it must not.
    /// </summary>
    [Fact]
    public async Task A_backlog_written_in_groups_keeps_every_transactions_outcome()
    {
        var (source, target) = await AdPlatformAsync("stream_groups", 0.01);
        await using var _ = source;
        await using var __ = target;
        await source.ExecuteAsync("""
            CREATE TABLE handles (id int PRIMARY KEY, handle text NOT NULL UNIQUE, seen int);
            INSERT INTO handles VALUES (1, 'h1', 0), (2, 'h2', 0), (3, 'h3', 0);
            CREATE TABLE kv (k text PRIMARY KEY, v text);
            CREATE TABLE notes (id int PRIMARY KEY, body text, tags text[], v int);
            INSERT INTO notes SELECT g, 'note ' || g, ARRAY['a', NULL], 0 FROM generate_series(1, 5) g;
            CREATE TABLE log (a int, b text);
            ALTER TABLE log REPLICA IDENTITY FULL;
            """);
        var rules = SamplePaths.Get("ad-platform", "rules.txt");
        var clone = await FollowProcess.RunAsync(["clone", .. Connections(source, target, rules)]);
        Assert.True(clone.ExitCode == 0, clone.Error);

        await source.ExecuteAsync("""
            DO $$
            DECLARE
                first_click bigint;
            BEGIN
                FOR i IN 1..300 LOOP
                    INSERT INTO kv VALUES ('k' || i, CASE WHEN i % 7 = 0 THEN NULL WHEN i % 5 = 0 THEN '' ELSE E'q"\\{a,b}\t' || i END);
                    COMMIT;
                    INSERT INTO clicks (ad_id, clicked_at, site_url, cost_per_click_usd, user_ip, user_data)
                    VALUES (1 + i % 20, now(), 'https://groups/' || i, i / 100.0, '10.9.9.9', jsonb_build_object('i', i));
                    UPDATE ads SET clicks_count = clicks_count + 1 WHERE id = 1 + i % 20;
                    SELECT min(id) INTO first_click FROM clicks;
                    DELETE FROM clicks WHERE id = first_click;
                    COMMIT;
                    -- A handle freed by a delete is taken by another row, then the deleted row comes back with
                    -- the other's old handle: the update must not pass the delete, as the one before it could.
                    UPDATE handles SET seen = i WHERE id = 3;
                    COMMIT;
                    DELETE FROM handles WHERE id = 1;
                    COMMIT;
                    UPDATE handles SET handle = CASE WHEN i % 2 = 1 THEN 'h1' ELSE 'h2' END, seen = i WHERE id = 2;
                    COMMIT;
                    INSERT INTO handles VALUES (1, CASE WHEN i % 2 = 1 THEN 'h2' ELSE 'h1' END, i);
                    COMMIT;
                    IF i % 3 = 0 THEN
                        UPDATE kv SET k = k || '-moved' WHERE k = 'k' || i;
                        COMMIT;
                        INSERT INTO kv VALUES ('k' || i, 'taken again ' || i);
                        COMMIT;
                    END IF;
                    INSERT INTO notes VALUES (1000 + i, 'first', ARRAY['x'], i);
                    COMMIT;
                    DELETE FROM notes WHERE id = 1000 + i;
                    COMMIT;
                    INSERT INTO notes VALUES (1000 + i, 'second', ARRAY[E'"q"', NULL, '{b}'], i);
                    COMMIT;
                    UPDATE notes SET tags = ARRAY['t' || i, NULL], v = i WHERE id = 1 + i % 5;
                    COMMIT;
                    INSERT INTO log VALUES (i, 'x');
                    UPDATE log SET b = 'y' WHERE a = i - 1;
                    DELETE FROM log WHERE a = i - 2;
                    COMMIT;
                END LOOP;
            END $$;
            """);
        await SetEndposAsync(source, target);

        var follow = await FollowProcess.RunAsync(["follow", .. Connections(source, target, rules)]);

        Assert.True(follow.ExitCode == 0, follow.Error);
        var compare = await CompareAsync(source, target, rules);
        Assert.True(compare.ExitCode == 0, compare.Output);
        Assert.Equal("1:h1,2:h2,3:h3", await target.ScalarAsync<string>("SELECT string_agg(id || ':' || handle, ',' ORDER BY id) FROM handles"));
        Assert.Equal(400L, await target.ScalarAsync<long>("SELECT count(*) FROM kv"));
    }

    [Fact]
    public async Task An_endpos_inside_a_transaction_applies_the_ones_before_and_a_later_run_applies_it_once()
    {
        var (source, target) = await AdPlatformAsync("stream_endpos", 0.01);
        await using var _ = source;
        await using var __ = target;
        var rules = SamplePaths.Get("ad-platform", "rules.txt");
        var clone = await FollowProcess.RunAsync(["clone", .. Connections(source, target, rules)]);
        Assert.True(clone.ExitCode == 0, clone.Error);
        var consistent = await target.ScalarAsync<string>("SELECT consistent_point::text FROM follow.run");

        await source.ExecuteAsync("INSERT INTO companies (id, name, created_at, updated_at) VALUES (80001, 'before', now(), now())");
        string inside;
        await using (var connection = await source.OpenAsync())
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var insert = new Npgsql.NpgsqlCommand("INSERT INTO companies (id, name, created_at, updated_at) VALUES (80002, 'inside', now(), now())", connection, transaction))
            {
                await insert.ExecuteNonQueryAsync();
            }
            await using (var lsn = new Npgsql.NpgsqlCommand("SELECT pg_current_wal_insert_lsn()::text", connection, transaction))
            {
                inside = (string)(await lsn.ExecuteScalarAsync())!;
            }
            await using (var more = new Npgsql.NpgsqlCommand("UPDATE companies SET name = 'inside, later' WHERE id = 80002", connection, transaction))
            {
                await more.ExecuteNonQueryAsync();
            }
            await transaction.CommitAsync();
        }
        await SetEndposAsync(source, target, inside);

        var first = await FollowProcess.RunAsync(["follow", .. Connections(source, target, rules)]);

        Assert.True(first.ExitCode == 0, first.Error);
        Assert.Equal(1L, await target.ScalarAsync<long>("SELECT count(*) FROM companies WHERE id = 80001"));
        Assert.Equal(0L, await target.ScalarAsync<long>("SELECT count(*) FROM companies WHERE id = 80002"));
        Assert.NotNull(consistent);

        await SetEndposAsync(source, target);
        var second = await FollowProcess.RunAsync(["follow", .. Connections(source, target, rules)]);

        Assert.True(second.ExitCode == 0, second.Error);
        Assert.Equal("inside, later", await target.ScalarAsync<string>("SELECT string_agg(name, ',') FROM companies WHERE id = 80002"));
        Assert.Equal(0, (await CompareAsync(source, target, rules)).ExitCode);
    }

    [Fact]
    public async Task An_idle_source_with_endpos_set_lets_the_follower_exit_within_five_seconds()
    {
        var (source, target, rules) = await ClonedAdPlatformAsync("stream_idle");
        await using var _ = source;
        await using var __ = target;
        using var follower = FollowProcess.Start(null, ["follow", .. Connections(source, target, rules)]);
        var error = follower.StandardError.ReadToEndAsync();
        await WaitForActiveSlotAsync(source);
        await SetEndposAsync(source, target);
        // The walsender reads the whole cluster's WAL, which other tests fill: the follower's own delay starts once
        // the source has sent past endpos.
        var endpos = await target.ScalarAsync<string>("SELECT endpos::text FROM follow.sentinel");
        await WaitUntilSentAsync(source, endpos!);
        var clock = Stopwatch.StartNew();
        await WaitOrKillAsync(follower, TimeSpan.FromSeconds(60), error);

        Assert.True(follower.ExitCode == 0, await error);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"exited {clock.Elapsed.TotalSeconds:F1} s after endpos was set");
        Assert.NotNull(await target.ScalarAsync<DateTime?>("SELECT done_at FROM follow.sentinel"));
    }

    [Fact]
    public async Task Writing_200_MB_to_an_unpublished_table_keeps_the_slots_retained_wal_under_64_MB()
    {
        var (source, target) = await AdPlatformAsync("stream_wal", 0.01);
        await using var _ = source;
        await using var __ = target;
        await source.ExecuteAsync("CREATE TABLE junk (id bigint PRIMARY KEY, payload text)");
        var rules = RulesFile("distribute companies using id\n[exclude-table]\njunk\n");
        var clone = await FollowProcess.RunAsync(["clone", .. Connections(source, target, rules)]);
        Assert.True(clone.ExitCode == 0, clone.Error);

        using var follower = FollowProcess.Start(null, ["follow", .. Connections(source, target, rules)]);
        var error = follower.StandardError.ReadToEndAsync();
        await WaitForActiveSlotAsync(source);
        var before = await source.ScalarAsync<string>("SELECT pg_current_wal_lsn()::text");
        for (var batch = 0; batch < 4; batch++)
        {
            await source.ExecuteAsync($"INSERT INTO junk SELECT g, repeat(md5(g::text), 32) FROM generate_series({batch * 50000 + 1}, {(batch + 1) * 50000}) g");
        }
        var written = await source.ScalarAsync<decimal>($"SELECT pg_current_wal_lsn() - '{before}'::pg_lsn");
        Assert.True(written > 200m * 1024 * 1024, $"wrote only {written / 1024 / 1024:F0} MB of WAL");

        decimal retained = decimal.MaxValue;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            retained = await source.ScalarAsync<decimal>(
                $"SELECT pg_current_wal_lsn() - confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '{source.Name}'");
            if (retained < 64m * 1024 * 1024) break;
            await Task.Delay(200);
        }

        await SetEndposAsync(source, target);
        await WaitOrKillAsync(follower, TimeSpan.FromSeconds(60), error);
        Assert.True(retained < 64m * 1024 * 1024, $"the slot retains {retained / 1024 / 1024:F0} MB of WAL");
        Assert.Equal(0, follower.ExitCode);
    }

    [Fact]
    public async Task A_follower_killed_ten_times_during_a_workload_ends_equal_without_applying_a_transaction_twice()
    {
        var (source, target) = await AdPlatformAsync("stream_crash", 0.02);
        await using var _ = source;
        await using var __ = target;
        await source.ExecuteAsync(AppliedOnceTable);
        var rules = RulesFile(AppliedOnceRules);
        var clone = await FollowProcess.RunAsync(["clone", .. Connections(source, target, rules)]);
        Assert.True(clone.ExitCode == 0, clone.Error);

        using var stop = new CancellationTokenSource();
        var writer = WriteNumberedAsync(source, AppliedOnceWorkload, TimeSpan.Zero, stop.Token);

        var random = new Random(11);
        for (var kill = 0; kill < 10; kill++)
        {
            using var follower = FollowProcess.Start(null, ["follow", .. Connections(source, target, rules)]);
            await Task.Delay(300 + random.Next(1200));
            Assert.False(follower.HasExited, $"the follower stopped by itself: {(follower.HasExited ? await follower.StandardError.ReadToEndAsync() : "")}");
            follower.Kill(entireProcessTree: true);
            await follower.WaitForExitAsync();
        }
        await stop.CancelAsync();
        var transactions = await writer;
        await SetEndposAsync(source, target);

        var last = await FollowProcess.RunAsync(["follow", .. Connections(source, target, rules)]);

        Assert.True(last.ExitCode == 0, last.Error);
        Assert.Equal(transactions, await target.ScalarAsync<long>("SELECT count(*) FROM applied_once"));
        var compare = await CompareAsync(source, target, rules);
        Assert.True(compare.ExitCode == 0, compare.Output);
    }
    [Fact]
    public async Task Ctrl_c_stops_the_follower_with_status_143_and_the_same_command_resumes_to_endpos()
    {
        var (source, target, rules) = await ClonedAdPlatformAsync("stream_ctrl_c");
        await using var _ = source;
        await using var __ = target;
        using var follower = FollowProcess.Start(null, ["follow", .. Connections(source, target, rules)]);
        var error = follower.StandardError.ReadToEndAsync();
        await WaitForActiveSlotAsync(source);
        await source.ExecuteAsync("UPDATE companies SET name = name || ' (renamed)' WHERE id = (SELECT min(id) FROM companies)");
        Infrastructure.PgTools.SignalInterrupt(follower.Id);
        await WaitOrKillAsync(follower, TimeSpan.FromSeconds(30), error);

        Assert.True(follower.ExitCode == 143, $"exit {follower.ExitCode}: {await error}");
        Assert.Contains("stopped before done", await error);
        await SetEndposAsync(source, target);
        var resumed = await FollowProcess.RunAsync(["follow", .. Connections(source, target, rules)]);
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.Equal(0, (await CompareAsync(source, target, rules)).ExitCode);
    }
}
