using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Follow.IntegrationTests.Cli;
using Follow.IntegrationTests.Infrastructure;
using Xunit.Abstractions;
using static Follow.IntegrationTests.Snapshot.CopyFixture;
using static Follow.IntegrationTests.Stream.StreamKit;

namespace Follow.IntegrationTests.Stream;

/// <summary>
/// <c>follow clone --follow</c> killed -9 during its copy, with writers busy on the source, and started again: the
/// tables completed before each kill are kept (their files on the target untouched), the others copied again from a
/// new snapshot, and at endpos the target equals the source with every foreign key valid.
/// </summary>
public sealed class CheckpointedCopyTests(ITestOutputHelper output)
{
    private static readonly string[] Tables = ["companies", "campaigns", "ads", "clicks", "impressions", "applied_once"];

    /// <summary>The target side: the connection follow is given, a query, and how a table's files are named.</summary>
    private sealed record Target(string Argument, Func<string, Task<object?>> Scalar, string FilesOf);

    [Fact]
    public async Task A_clone_killed_three_times_during_its_copy_keeps_the_tables_it_completed_and_ends_equal_with_valid_keys()
    {
        var (source, target) = await AdPlatformAsync("checkpoint_copy", 3);
        await using var _ = source;
        await using var __ = target;
        await KilledDuringCopyAsync(source, new Target(target.Uri, sql => target.ScalarAsync<object>(sql),
            "SELECT pg_relation_filenode('{0}')::text"), kills: 3);
    }

    [CitusFact]
    public async Task On_citus_a_clone_killed_during_its_copy_keeps_the_shards_it_completed_and_ends_equal_with_valid_keys()
    {
        var servers = await PostgresServers.GetAsync();
        await using var source = await servers.Source.CreateDatabaseAsync("checkpoint_citus");
        await source.ExecuteFileAsync(SamplePaths.Get("ad-platform", "schema.sql"));
        await LoadSampleDataAsync(source, 1.0);
        await using var target = await CitusServer.CreateDatabaseAsync("checkpoint_citus");
        try
        {
            // Each shard's file on its worker: TRUNCATE gives every shard a new one.
            await KilledDuringCopyAsync(source, new Target(target.ConnectionString, sql => target.ScalarAsync<object>(sql),
                "SELECT string_agg(result, ',' ORDER BY shardid) FROM run_command_on_shards('{0}', $$SELECT pg_relation_filenode('%s')$$)"), kills: 1);
        }
        finally
        {
            await FollowProcess.RunAsync("stream", "cleanup", "--source", source.Uri, "--target", target.ConnectionString, "--slot-name", source.Name);
        }
    }

    // Processes of this test, killed when it fails midway: a clone --follow left behind would stream on.
    private readonly List<Process> _started = [];

    private Process Started(Process process)
    {
        _started.Add(process);
        return process;
    }

    private async Task KilledDuringCopyAsync(TestDatabase source, Target target, int kills)
    {
        try
        {
            await KillAndRestartAsync(source, target, kills);
        }
        finally
        {
            foreach (var process in _started)
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
                process.Dispose();
            }
        }
    }

    private async Task KillAndRestartAsync(TestDatabase source, Target target, int kills)
    {
        await source.ExecuteAsync(AppliedOnceTable);
        var rules = RulesFile(AppliedOnceRules);
        string[] clone = ["clone", "--follow", "--table-jobs", "1", "--slot-name", source.Name, "--source", source.Uri, "--target", target.Argument, "--rules", rules];
        using var stop = new CancellationTokenSource();
        var writer = WriteNumberedAsync(source, AppliedOnceWorkload, TimeSpan.FromMilliseconds(5), stop.Token);
        var files = new Dictionary<string, string>();
        long lastRun = 0;

        for (var kill = 1; kill <= kills; kill++)
        {
            var startedAt = DateTime.UtcNow;
            var killed = Started(FollowProcess.Start(null, clone));
            var log = Drain(killed);
            // Once this run completed a table of its own, while it copies the next.
            var deadline = DateTime.UtcNow.AddMinutes(3);
            while (await CompletedInRunAfterAsync(target, lastRun) < 1)
            {
                if (DateTime.UtcNow > deadline || killed.HasExited) Assert.Fail($"no table completed by run {lastRun + 1}:\n{await StopAsync(killed, log)}");
                await Task.Delay(20);
            }
            // The first kill as the next table starts, the others once a table has copied for a little while (short:
            // under a loaded CI the tables left to the third run can all copy in less than a third of a second).
            var into = 0.05 * (kill - 1);
            while (into > 0 && Convert.ToDouble(await target.Scalar(
                "SELECT coalesce(max(extract(epoch FROM clock_timestamp() - started_at)), 0) FROM follow.job WHERE run_id = (SELECT max(run_id) FROM follow.run) AND state = 'running'"),
                CultureInfo.InvariantCulture) < into)
            {
                if (DateTime.UtcNow > deadline || killed.HasExited
                    || (bool)(await target.Scalar("SELECT finished_at IS NOT NULL FROM follow.run ORDER BY run_id DESC LIMIT 1"))!)
                {
                    Assert.Fail($"no table copied for {into} s in run {lastRun + 1} before its copy ended:\n{await StopAsync(killed, log)}");
                }
                await Task.Delay(10);
            }
            // What the kill throws away: the copy of the tables it cut short, and the next run's start up to its first job.
            var lost = Convert.ToDouble(await target.Scalar(
                "SELECT coalesce(sum(extract(epoch FROM clock_timestamp() - started_at)), 0) FROM follow.job WHERE run_id = (SELECT max(run_id) FROM follow.run) AND state = 'running'"),
                CultureInfo.InvariantCulture);
            killed.Kill(entireProcessTree: true);
            await killed.WaitForExitAsync();
            await log;

            lastRun = Convert.ToInt64(await target.Scalar("SELECT max(run_id) FROM follow.run"), CultureInfo.InvariantCulture);
            Assert.True((bool)(await target.Scalar("SELECT finished_at IS NULL FROM follow.run ORDER BY run_id DESC LIMIT 1"))!, $"kill {kill} came after the copy");
            var completed = ((string?)await target.Scalar($"""
                SELECT string_agg(table_name, ',') FROM (
                    SELECT table_name FROM follow.job WHERE run_id = {lastRun} GROUP BY table_name HAVING bool_and(state = 'completed')) t
                """) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);
            Assert.NotEqual(Tables.Length, completed.Length);
            foreach (var table in completed)
            {
                var now = await FilesAsync(target, table);
                if (files.TryGetValue(table, out var before)) Assert.True(before == now, $"{table} was copied again by run {lastRun}");
                else files[table] = now;
            }
            output.WriteLine($"kill {kill}: run {lastRun} had completed {string.Join(", ", completed)}; {await CopySecondsAsync(target, lastRun)}; "
                + $"{lost:F2} s of copy cut short; {await StartSecondsAsync(target, lastRun, startedAt):F2} s from the process's start to its first job");
        }

        var lastStartedAt = DateTime.UtcNow;
        var last = Started(FollowProcess.Start(null, clone));
        var lastLog = Drain(last);
        var copied = DateTime.UtcNow.AddMinutes(3);
        while (!(bool)(await target.Scalar($"SELECT EXISTS (SELECT 1 FROM follow.run WHERE run_id > {lastRun} AND finished_at IS NOT NULL)"))!)
        {
            if (DateTime.UtcNow > copied || last.HasExited) Assert.Fail($"the last run did not finish its copy:\n{await StopAsync(last, lastLog)}");
            await Task.Delay(100);
        }
        await Task.Delay(1000);
        await stop.CancelAsync();
        var transactions = await writer;
        var endpos = await FollowProcess.RunAsync("sentinel", "set", "endpos", "--current", "--source", source.Uri, "--target", target.Argument);
        Assert.True(endpos.ExitCode == 0, endpos.Error);
        await WaitOrKillAsync(last, TimeSpan.FromMinutes(3), lastLog);
        var logText = await lastLog;
        Assert.True(last.ExitCode == 0, logText);
        var finalRun = Convert.ToInt64(await target.Scalar("SELECT max(run_id) FROM follow.run"), CultureInfo.InvariantCulture);
        output.WriteLine($"last run {finalRun}: {await CopySecondsAsync(target, finalRun)}; "
            + $"{await StartSecondsAsync(target, finalRun, lastStartedAt):F2} s from the process's start to its first job; {transactions} source transactions during the test");

        foreach (var (table, before) in files) Assert.True(before == await FilesAsync(target, table), $"{table} was copied again by the last run");
        Assert.Contains("tables kept", logText);
        // Keys between tables copied at different points were held, then made by the stream.
        Assert.Contains("joins tables copied at different points", logText);
        Assert.Contains("made foreign key", logText);
        Assert.Equal(transactions, Convert.ToInt64(await target.Scalar("SELECT count(*) FROM applied_once"), CultureInfo.InvariantCulture));
        var compare = await FollowProcess.RunAsync(["compare", "data", "--source", source.Uri, "--target", target.Argument, "--rules", rules]);
        Assert.True(compare.ExitCode == 0, compare.All);
        // Every foreign key of the source is on the target, and valid; none is still held.
        var sourceKeys = await source.ScalarAsync<long>("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace");
        Assert.Equal(sourceKeys, Convert.ToInt64(await target.Scalar(
            "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace AND convalidated"), CultureInfo.InvariantCulture));
        Assert.Equal(0L, Convert.ToInt64(await target.Scalar("SELECT count(*) FROM follow.held_foreign_key"), CultureInfo.InvariantCulture));

        // list progress says which tables the last run kept and which it copied again.
        var progress = await FollowProcess.RunAsync("list", "progress", "--json", "--target", target.Argument);
        Assert.True(progress.ExitCode == 0, progress.All);
        var kept = JsonDocument.Parse(progress.Output).RootElement.GetProperty("tables").EnumerateArray()
            .Where(t => t.GetProperty("kept").GetBoolean()).Select(t => t.GetProperty("table").GetString()!).Order().ToList();
        Assert.Equal(files.Keys.Order().ToList(), kept);
    }

    /// <summary>A follower still streaming never ends its output: killed first, so that a failure shows its log rather than hanging.</summary>
    private static async Task<string> StopAsync(Process process, Task<string> log)
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        return await log;
    }

    private static Task<string> Drain(Process process)
    {
        var error = process.StandardError.ReadToEndAsync();
        var standard = process.StandardOutput.ReadToEndAsync();
        return Task.WhenAll(error, standard).ContinueWith(_ => error.Result + standard.Result, TaskScheduler.Default);
    }

    private static async Task<string> FilesAsync(Target target, string table) =>
        (string)(await target.Scalar(string.Format(CultureInfo.InvariantCulture, target.FilesOf, table)))!;

    /// <summary>Tables a run later than <paramref name="afterRun"/> copied itself (not kept) and completed.</summary>
    private static async Task<long> CompletedInRunAfterAsync(Target target, long afterRun)
    {
        if (!(bool)(await target.Scalar("SELECT to_regclass('follow.job') IS NOT NULL AND to_regclass('follow.run') IS NOT NULL"))!) return 0;
        return Convert.ToInt64(await target.Scalar($"""
            SELECT count(*) FROM follow.job j
             WHERE j.run_id = (SELECT max(run_id) FROM follow.run) AND j.run_id > {afterRun}
               AND j.state = 'completed' AND (to_jsonb(j) ->> 'kept_from') IS NULL
            """), CultureInfo.InvariantCulture);
    }

    /// <summary>Seconds from a process's start to the first job its run started: what a restart costs before it copies.</summary>
    private static async Task<double> StartSecondsAsync(Target target, long run, DateTime processStart)
    {
        var first = (DateTime)(await target.Scalar($"SELECT min(started_at) FROM follow.job WHERE run_id = {run} AND kept_from IS NULL"))!;
        return (first.ToUniversalTime() - processStart.ToUniversalTime()).TotalSeconds;
    }

    /// <summary>The copy time a run spent, and what its kept tables had cost the runs that copied them.</summary>
    private static async Task<string> CopySecondsAsync(Target target, long run) => (string)(await target.Scalar($"""
        SELECT format('copied %s tables in %s s, kept %s tables that had taken %s s',
                      count(*) FILTER (WHERE j.kept_from IS NULL AND j.state = 'completed'),
                      round(coalesce(sum(extract(epoch FROM j.elapsed)) FILTER (WHERE j.kept_from IS NULL AND j.state = 'completed'), 0), 2),
                      count(*) FILTER (WHERE j.kept_from IS NOT NULL),
                      round(coalesce((SELECT sum(extract(epoch FROM o.elapsed)) FROM follow.job o JOIN follow.job k
                                          ON k.run_id = {run} AND k.kept_from = o.run_id AND k.table_name = o.table_name), 0), 2))
          FROM follow.job j WHERE j.run_id = {run}
        """))!;
}
