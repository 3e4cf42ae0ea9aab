using System.Diagnostics;
using System.Text.Json;
using Follow.IntegrationTests.Cli;
using Follow.IntegrationTests.Infrastructure;
using Follow.State;

namespace Follow.IntegrationTests.Progress;

public sealed class ListProgressCommandTests
{
    /// <summary>
    /// An older run with a table of its own, then the latest run: companies completed, impressions split in four
    /// parts (two completed, one running, one pending), clicks failed, ads pending.
    /// </summary>
    private const string TwoRuns = """
        INSERT INTO follow.run (slot_name, started_at, finished_at) VALUES ('follow_old', now() - interval '1 day', now() - interval '23 hours');
        INSERT INTO follow.job (run_id, table_name, state, rows, estimated_rows, bytes, started_at, elapsed)
        SELECT max(run_id), 'public.old_table', 'completed', 5, 5, 50, now() - interval '1 day', interval '1 second' FROM follow.run;

        INSERT INTO follow.run (slot_name, snapshot, consistent_point) VALUES ('follow_new', '00000003-00000002-1', '0/1A2B3C4');
        INSERT INTO follow.job (run_id, table_name, part, parts, state, rows, estimated_rows, bytes, started_at, elapsed, error)
        SELECT r.run_id, j.*
          FROM (SELECT max(run_id) AS run_id FROM follow.run) r,
               (VALUES ('public.companies',   1, 1, 'completed', 2000, 2000, 200000, now() - interval '60 seconds', interval '2 seconds', NULL),
                       ('public.impressions', 1, 4, 'completed', 1000, 1000, 100000, now() - interval '30 seconds', interval '10 seconds', NULL),
                       ('public.impressions', 2, 4, 'completed', 1000, 1000, 100000, now() - interval '30 seconds', interval '10 seconds', NULL),
                       ('public.impressions', 3, 4, 'running',    500, 1000,  50000, now() - interval '20 seconds', interval '10 seconds', NULL),
                       ('public.impressions', 4, 4, 'pending',      0, 1000,      0, NULL,                          interval '0',          NULL),
                       ('public.clicks',      1, 1, 'failed',     300, 1000,  30000, now() - interval '50 seconds', interval '5 seconds',
                        'duplicate key value violates unique constraint "clicks_pkey"'),
                       ('public.ads',         1, 1, 'pending',      0,  500,      0, NULL,                          interval '0',          NULL)
               ) AS j (table_name, part, parts, state, rows, estimated_rows, bytes, started_at, elapsed, error);
        """;

    /// <summary>One table running at 100 rows/s (1,000 rows in 10 s) of 3,000, and one completed.</summary>
    private const string RunningRun = """
        INSERT INTO follow.run (slot_name) VALUES ('follow_running');
        INSERT INTO follow.job (run_id, table_name, state, rows, estimated_rows, bytes, started_at, elapsed)
        SELECT r.run_id, j.*
          FROM (SELECT max(run_id) AS run_id FROM follow.run) r,
               (VALUES ('public.campaigns', 'completed', 6000, 6000, 1048576, now() - interval '40 seconds', interval '4 seconds'),
                       ('public.clicks',    'running',   1000, 3000, 2097152, now() - interval '10 seconds', interval '10 seconds')
               ) AS j (table_name, state, rows, estimated_rows, bytes, started_at, elapsed);
        """;

    private static async Task<TestDatabase> TargetAsync(string hint, string? seed)
    {
        var servers = await PostgresServers.GetAsync();
        var database = await servers.Target.CreateDatabaseAsync(hint);
        await using (var connection = await database.OpenAsync())
        {
            await TargetState.EnsureAsync(connection, CancellationToken.None);
        }
        if (seed is not null) await database.ExecuteAsync(seed);
        return database;
    }

    private static async Task<JsonElement> JsonAsync(TestDatabase database)
    {
        var result = await FollowProcess.RunAsync("list", "progress", "--json", "--target", database.Uri);
        Assert.True(result.ExitCode == 0, result.All);
        using var json = JsonDocument.Parse(result.Output);
        return json.RootElement.Clone();
    }

    private static JsonElement Table(JsonElement report, string name) =>
        report.GetProperty("tables").EnumerateArray().Single(t => t.GetProperty("table").GetString() == name);

    private static string Line(string output, string table) =>
        output.Split('\n').Single(l => l.StartsWith(table + " "));

    [Fact]
    public async Task Without_a_follow_schema_it_says_no_copy_has_run_and_exits_0()
    {
        var servers = await PostgresServers.GetAsync();
        await using var database = await servers.Target.CreateDatabaseAsync("progress_no_schema");

        var result = await FollowProcess.RunAsync("list", "progress", "--target", database.Uri);

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Equal("Phase: not started\nNo copy has run on this target: it has no follow schema (follow clone creates it).\n", result.Output);
    }

    [Fact]
    public async Task Json_without_a_follow_schema_gives_zero_runs_and_no_tables()
    {
        var servers = await PostgresServers.GetAsync();
        await using var database = await servers.Target.CreateDatabaseAsync("progress_no_schema_json");

        var report = await JsonAsync(database);

        Assert.Equal(0, report.GetProperty("runs").GetInt64());
        Assert.Equal(0, report.GetProperty("tables").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, report.GetProperty("run").ValueKind);
        Assert.Equal(JsonValueKind.Null, report.GetProperty("total").ValueKind);
        Assert.True(report.GetProperty("finished").GetBoolean());
    }

    [Fact]
    public async Task Json_with_the_schema_but_no_run_gives_zero_runs_and_says_follow_run_is_empty()
    {
        await using var database = await TargetAsync("progress_no_run", seed: null);

        var report = await JsonAsync(database);

        Assert.Equal(0, report.GetProperty("runs").GetInt64());
        Assert.Equal(0, report.GetProperty("tables").GetArrayLength());
        Assert.Contains("follow.run is empty", report.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Only_the_latest_run_is_shown_with_the_count_of_runs()
    {
        await using var database = await TargetAsync("progress_latest", TwoRuns);

        var result = await FollowProcess.RunAsync("list", "progress", "--target", database.Uri);

        Assert.True(result.ExitCode == 0, result.All);
        Assert.StartsWith("Phase: copy failed\n", result.Output);
        Assert.Contains("\nRun 2 (slot follow_new, the latest of 2 runs), started ", result.Output);
        Assert.DoesNotContain("old_table", result.Output);
        var report = await JsonAsync(database);
        Assert.Equal(2, report.GetProperty("runs").GetInt64());
        Assert.Equal("follow_new", report.GetProperty("run").GetProperty("slotName").GetString());
        Assert.Equal("0/1A2B3C4", report.GetProperty("run").GetProperty("consistentPoint").GetString());
        Assert.Equal(
            ["public.companies", "public.impressions", "public.clicks", "public.ads"],
            report.GetProperty("tables").EnumerateArray().Select(t => t.GetProperty("table").GetString()));
    }

    [Fact]
    public async Task A_split_table_shows_its_parts_summed_and_how_many_are_done()
    {
        await using var database = await TargetAsync("progress_split", TwoRuns);

        var result = await FollowProcess.RunAsync("list", "progress", "--target", database.Uri);

        Assert.True(result.ExitCode == 0, result.All);
        var cells = Line(result.Output, "public.impressions").Split('|').Select(c => c.Trim()).ToArray();
        Assert.Equal(["public.impressions", "running", "2/4 parts", "2,500", "4,000", "62%", "244 kB"], cells[..7]);
        Assert.Equal("", Line(result.Output, "public.companies").Split('|')[2].Trim());

        var impressions = Table(await JsonAsync(database), "public.impressions");
        Assert.Equal("running", impressions.GetProperty("state").GetString());
        Assert.Equal(4, impressions.GetProperty("parts").GetInt32());
        Assert.Equal(2, impressions.GetProperty("partsCompleted").GetInt32());
        Assert.Equal(2500, impressions.GetProperty("rows").GetInt64());
        Assert.Equal(4000, impressions.GetProperty("estimatedRows").GetInt64());
        Assert.Equal(250000, impressions.GetProperty("bytes").GetInt64());
    }

    [Fact]
    public async Task The_total_sums_every_job_of_the_run_and_a_failure_marks_it_failed()
    {
        await using var database = await TargetAsync("progress_total", TwoRuns);

        var result = await FollowProcess.RunAsync("list", "progress", "--target", database.Uri);

        Assert.True(result.ExitCode == 0, result.All);
        var cells = Line(result.Output, "total").Split('|').Select(c => c.Trim()).ToArray();
        Assert.Equal(["total", "failed", "3/7 jobs", "4,800", "7,500"], cells[..5]);

        var total = (await JsonAsync(database)).GetProperty("total");
        Assert.Equal("failed", total.GetProperty("state").GetString());
        Assert.Equal(7, total.GetProperty("parts").GetInt32());
        Assert.Equal(3, total.GetProperty("partsCompleted").GetInt32());
        Assert.Equal(4800, total.GetProperty("rows").GetInt64());
        Assert.Equal(7500, total.GetProperty("estimatedRows").GetInt64());
        Assert.Equal(480000, total.GetProperty("bytes").GetInt64());
    }

    [Fact]
    public async Task Each_table_shows_its_own_state()
    {
        await using var database = await TargetAsync("progress_states", TwoRuns);

        var report = await JsonAsync(database);

        Assert.Equal("completed", Table(report, "public.companies").GetProperty("state").GetString());
        Assert.Equal("failed", Table(report, "public.clicks").GetProperty("state").GetString());
        Assert.Equal("pending", Table(report, "public.ads").GetProperty("state").GetString());
        Assert.Equal(100, Table(report, "public.companies").GetProperty("percent").GetDouble());
        Assert.False(report.GetProperty("finished").GetBoolean());
    }

    [Fact]
    public async Task A_failed_table_is_listed_with_its_error()
    {
        await using var database = await TargetAsync("progress_failed", TwoRuns);

        var result = await FollowProcess.RunAsync("list", "progress", "--target", database.Uri);

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("\nErrors:\n  public.clicks: duplicate key value violates unique constraint \"clicks_pkey\"\n", result.Output);
        var errors = Table(await JsonAsync(database), "public.clicks").GetProperty("errors");
        Assert.Equal("duplicate key value violates unique constraint \"clicks_pkey\"", errors[0].GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_running_table_shows_its_rate_and_the_time_left_at_that_rate()
    {
        await using var database = await TargetAsync("progress_rate", RunningRun);

        var report = await JsonAsync(database);

        var clicks = Table(report, "public.clicks");
        Assert.Equal(100, clicks.GetProperty("rowsPerSecond").GetDouble());
        Assert.Equal(2097152 / 10.0, clicks.GetProperty("bytesPerSecond").GetDouble());
        Assert.Equal(20, clicks.GetProperty("secondsLeft").GetDouble());
        Assert.True(clicks.GetProperty("elapsedSeconds").GetDouble() >= 10);
        Assert.Equal(JsonValueKind.Null, Table(report, "public.campaigns").GetProperty("secondsLeft").ValueKind);

        var result = await FollowProcess.RunAsync("list", "progress", "--target", database.Uri);
        var cells = Line(result.Output, "public.clicks").Split('|').Select(c => c.Trim()).ToArray();
        Assert.Equal(["100", "0.2", "20.0s"], cells[8..]);
    }

    [Fact]
    public async Task The_target_can_come_from_FOLLOW_TARGET_PGURI()
    {
        await using var database = await TargetAsync("progress_env", RunningRun);

        var result = await FollowProcess.RunAsync(
            new Dictionary<string, string> { ["FOLLOW_TARGET_PGURI"] = database.Uri }, "list", "progress");

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("slot follow_running", result.Output);
    }

    [Fact]
    public async Task Watch_prints_once_and_exits_when_the_output_is_not_a_terminal()
    {
        await using var database = await TargetAsync("progress_watch", RunningRun);
        var clock = Stopwatch.StartNew();

        var result = await FollowProcess.RunAsync("list", "progress", "--watch", "--target", database.Uri);

        Assert.True(result.ExitCode == 0, result.All);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        Assert.Single(result.Output.Split('\n'), l => l.StartsWith("Run "));
        Assert.DoesNotContain("\u001b[", result.Output);
    }

    [Fact]
    public async Task Without_a_target_it_exits_2_and_names_the_option()
    {
        var result = await FollowProcess.RunAsync("list", "progress");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("give --target or set FOLLOW_TARGET_PGURI", result.Error);
    }

    [Fact]
    public async Task An_unreachable_target_exits_7()
    {
        var result = await FollowProcess.RunAsync("list", "progress", "--target", "postgres://postgres@127.0.0.1:1/none?connect_timeout=5");

        Assert.Equal(7, result.ExitCode);
        Assert.Contains("cannot connect to the target database postgres://postgres@127.0.0.1:1/none", result.Error);
    }
}
