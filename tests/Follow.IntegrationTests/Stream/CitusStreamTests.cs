using Follow.IntegrationTests.Cli;
using Follow.IntegrationTests.Infrastructure;
using static Follow.IntegrationTests.Snapshot.CopyFixture;

namespace Follow.IntegrationTests.Stream;

/// <summary>What the stream must land on Citus that session_replication_role would lose: TRUNCATE, and no trigger run twice.</summary>
public sealed class CitusStreamTests
{
    // company_events is written by a trigger on companies, on the source; the stream carries those rows already.
    private const string Extra = """
        CREATE TABLE countries (code text PRIMARY KEY, name text NOT NULL);
        INSERT INTO countries VALUES ('fr', 'France'), ('nl', 'Netherlands');
        """ + StreamKit.CompanyEvents;

    private const string Rules = """
        distribute companies using id
        distribute countries as reference table
        cast column impressions.seen_at to "timestamp with time zone"
        """;

    private const string Click =
        "INSERT INTO clicks (ad_id, clicked_at, site_url, cost_per_click_usd, user_ip, user_data) VALUES (777777, now(), 'https://after', 1, '10.6.6.6', '{}')";

    [CitusFact]
    public async Task Truncates_of_distributed_and_reference_tables_and_with_cascade_land_and_triggers_do_not_fire_twice()
    {
        var servers = await PostgresServers.GetAsync();
        await using var source = await servers.Source.CreateDatabaseAsync("citus_truncate");
        await source.ExecuteFileAsync(SamplePaths.Get("ad-platform", "schema.sql"));
        await LoadSampleDataAsync(source, 0.01);
        await source.ExecuteAsync(Extra);
        await using var target = await CitusServer.CreateDatabaseAsync("citus_truncate");
        var rules = RulesFile(Rules);
        string[] connections = ["--slot-name", source.Name, "--source", source.Uri, "--target", target.ConnectionString, "--rules", rules];
        var clone = await FollowProcess.RunAsync(["clone", .. connections]);
        Assert.True(clone.ExitCode == 0, clone.Error);
        try
        {
            // One transaction each, in the order an application would write them.
            string[] workload =
            [
                "INSERT INTO companies (id, name, created_at, updated_at) VALUES (90001, 'new one', now(), now())",
                "TRUNCATE ads CASCADE",
                "INSERT INTO ads (id, campaign_id, name, image_url, target_url, impressions_count, clicks_count, created_at, updated_at) "
                    + "SELECT 777777, min(id), 'after cascade', 'https://i', 'https://t', 0, 0, now(), now() FROM campaigns",
                Click, Click,
                "TRUNCATE clicks",
                Click,
                "TRUNCATE countries",
                "INSERT INTO countries VALUES ('de', 'Germany')",
                "INSERT INTO companies (id, name, created_at, updated_at) VALUES (90002, 'another', now(), now())",
            ];
            foreach (var statement in workload) await source.ExecuteAsync(statement);
            var endpos = await FollowProcess.RunAsync("sentinel", "set", "endpos", "--current", "--source", source.Uri, "--target", target.ConnectionString);
            Assert.True(endpos.ExitCode == 0, endpos.Error);

            var follow = await FollowProcess.RunAsync(["follow", .. connections]);

            Assert.True(follow.ExitCode == 0, follow.Error);
            Assert.Equal(1L, await target.ScalarAsync<long>("SELECT count(*) FROM clicks"));
            Assert.Equal("de", await target.ScalarAsync<string>("SELECT string_agg(code, ',') FROM countries"));
            Assert.Equal(0L, await target.ScalarAsync<long>("SELECT count(*) FROM impressions"));
            Assert.Equal(1L, await target.ScalarAsync<long>("SELECT count(*) FROM ads"));
            Assert.Equal(await source.ScalarAsync<long>("SELECT count(*) FROM company_events"), await target.ScalarAsync<long>("SELECT count(*) FROM company_events"));
            var compare = await FollowProcess.RunAsync(["compare", "data", "--source", source.Uri, "--target", target.ConnectionString, "--rules", rules]);
            Assert.True(compare.ExitCode == 0, compare.Output + compare.Error);

            // After endpos the trigger is the application's again: enabled, and firing.
            Assert.Equal("O", await target.ScalarAsync<string>("SELECT tgenabled::text FROM pg_trigger WHERE tgname = 'companies_log'"));
            await target.ScalarAsync<int>("INSERT INTO companies (id, name, created_at, updated_at) VALUES (90003, 'on the target', now(), now()) RETURNING 1");
            Assert.Equal(1L, await target.ScalarAsync<long>("SELECT count(*) FROM company_events WHERE company_id = 90003"));
        }
        finally
        {
            await FollowProcess.RunAsync("stream", "cleanup", "--source", source.Uri, "--target", target.ConnectionString, "--slot-name", source.Name);
        }
    }
    [CitusFact]
    public async Task Updates_of_many_rows_of_one_shard_with_array_and_box_columns_land_as_the_source_has_them()
    {
        var servers = await PostgresServers.GetAsync();
        await using var source = await servers.Source.CreateDatabaseAsync("citus_row_type");
        await source.ExecuteAsync("""
            CREATE TABLE companies (id bigint PRIMARY KEY, name text NOT NULL);
            CREATE TABLE tagged (
                company_id bigint NOT NULL REFERENCES companies (id),
                id bigint NOT NULL,
                note text,
                tags text[],
                area box,
                PRIMARY KEY (company_id, id));
            INSERT INTO companies VALUES (1, 'one'), (2, 'two');
            INSERT INTO tagged SELECT 1 + g / 50, g, 'n' || g, ARRAY['a'], box(point(1, 1), point(0, 0)) FROM generate_series(1, 60) g;
            """);
        await using var target = await CitusServer.CreateDatabaseAsync("citus_row_type");
        var rules = RulesFile("distribute companies using id\n");
        string[] connections = ["--slot-name", source.Name, "--source", source.Uri, "--target", target.ConnectionString, "--rules", rules];
        var clone = await FollowProcess.RunAsync(["clone", .. connections]);
        Assert.True(clone.ExitCode == 0, clone.Error);
        try
        {
            // One transaction a row, three times over: the follower groups each round's 49 rows of company 1 (one shard).
            await source.ExecuteAsync("""
                DO $$
                BEGIN
                    FOR r IN 1..3 LOOP
                        FOR g IN 1..60 LOOP
                            UPDATE tagged SET tags = ARRAY['r' || r, NULL, E'q"{x},\\' || g], area = box(point(r, g), point(0, 0)), note = 'round ' || r
                             WHERE id = g;
                            COMMIT;
                        END LOOP;
                    END LOOP;
                END $$;
                """);
            var endpos = await FollowProcess.RunAsync("sentinel", "set", "endpos", "--current", "--source", source.Uri, "--target", target.ConnectionString);
            Assert.True(endpos.ExitCode == 0, endpos.Error);

            var follow = await FollowProcess.RunAsync(["follow", .. connections]);

            Assert.True(follow.ExitCode == 0, follow.Error);
            const string rows = "SELECT string_agg(concat_ws('|', company_id, id, note, tags::text, area::text), ',' ORDER BY company_id, id) FROM tagged";
            Assert.Equal(await source.ScalarAsync<string>(rows), await target.ScalarAsync<string>(rows));
        }
        finally
        {
            await FollowProcess.RunAsync("stream", "cleanup", "--source", source.Uri, "--target", target.ConnectionString, "--slot-name", source.Name);
        }
    }
}
