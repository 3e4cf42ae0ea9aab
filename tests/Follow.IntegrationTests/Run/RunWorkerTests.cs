using System.Text.Json;
using Follow.IntegrationTests.Infrastructure;
using static Follow.IntegrationTests.Snapshot.CopyFixture;
using static Follow.IntegrationTests.Stream.StreamKit;

namespace Follow.IntegrationTests.Run;

/// <summary><c>follow run</c> end to end: a workload throughout, kills during the copy and the stream, SIGTERM, cutover.</summary>
public sealed class RunWorkerTests
{
    /// <summary>SIGTERM before the migration is done, as README's exit status says.</summary>
    private const int Stopped = 143;

    private static string Phase(JsonElement status) => status.GetProperty("phase").GetString()!;

    private static bool CopyRunning(JsonElement status) =>
        Phase(status) == "copy" && status.GetProperty("copy") is { ValueKind: JsonValueKind.Object } copy
        && copy.GetProperty("tables").EnumerateArray().Any(t => t.GetProperty("state").GetString() == "running");

    private static bool Streaming(JsonElement status) =>
        Phase(status) == "streaming" && status.GetProperty("stream").GetProperty("appliedLsn").ValueKind == JsonValueKind.String;

    [Fact]
    public async Task A_worker_killed_during_copy_and_streaming_and_stopped_by_sigterm_cuts_over_to_a_target_equal_to_the_source()
    {
        var (source, target) = await AdPlatformAsync("run_worker", 2.0);
        await using var _ = source;
        await using var __ = target;
        await source.ExecuteAsync(AppliedOnceTable);
        var rules = RulesFile(AppliedOnceRules);
        string[] args = ["--source", source.Uri, "--target", target.Uri, "--rules", rules, $"--Follow:SlotName={source.Name}", "--Follow:TableJobs=1"];
        using var stop = new CancellationTokenSource();
        var writer = WriteNumberedAsync(source, AppliedOnceWorkload, TimeSpan.FromMilliseconds(2), stop.Token);

        using (var worker = WorkerProcess.Start(null, args))
        {
            var copying = await worker.WaitForStatusAsync(CopyRunning, "a running copy");
            Assert.Equal(source.Name, copying.GetProperty("slotName").GetString());
            var health = await worker.GetAsync("/healthz");
            Assert.Equal(200, health.Status);
            // Ready as Kubernetes means it: at work, the long copy included; not yet ready for a cutover.
            var ready = await worker.GetAsync("/readyz");
            Assert.True(ready.Status == 200 && ready.Body == "ready: copy\n", ready.Body);
            var cutover = await worker.GetAsync("/status/ready");
            Assert.True(cutover.Status == 503 && cutover.Body.Contains("phase copy"), cutover.Body);
            await worker.KillAsync();
        }
        Assert.True(await target.ScalarAsync<long>("SELECT count(*) FROM follow.run WHERE finished_at IS NULL") > 0, "the copy was killed after it finished");

        // SIGTERM during the copy: the parts in flight roll back, and the worker exits 143, not done, within its shutdown timeout.
        using (var worker = WorkerProcess.Start(null, args))
        {
            await worker.WaitForStatusAsync(CopyRunning, "the copy started again");
            worker.Terminate();
            Assert.True(await worker.WaitForExitAsync(TimeSpan.FromSeconds(35)), $"SIGTERM did not stop the copy:\n{worker.Log}");
            Assert.True(worker.ExitCode == Stopped, worker.Log);
            Assert.Contains("stopped during copy", worker.Log);
        }

        using (var worker = WorkerProcess.Start(null, args))
        {
            await worker.WaitForStatusAsync(Streaming, "streaming after the copy was redone");
            Assert.Equal(3L, await target.ScalarAsync<long>("SELECT count(*) FROM follow.run"));
            await Task.Delay(700);
            await worker.KillAsync();
        }

        using (var worker = WorkerProcess.Start(null, args))
        {
            var streaming = await worker.WaitForStatusAsync(
                s => Streaming(s) && s.GetProperty("stream").GetProperty("lagBytes").ValueKind == JsonValueKind.Number, "a measured lag");
            Assert.True(streaming.GetProperty("copy").GetProperty("finished").GetBoolean(), streaming.ToString());
            await worker.WaitForStatusAsync(s => s.GetProperty("ready").GetBoolean(), "a lag under the readiness limits");
            var ready = await worker.GetAsync("/status/ready");
            Assert.True(ready.Status == 200 && ready.Body.StartsWith("ready for cutover: streaming", StringComparison.Ordinal), ready.Body);
            var progress = await Cli.FollowProcess.RunAsync("list", "progress", "--source", source.Uri, "--target", target.Uri);
            Assert.True(progress.ExitCode == 0, progress.All);
            Assert.StartsWith("Phase: streaming\nStream: from ", progress.Output);
            Assert.Contains("a follower reads the slot", progress.Output);
            var json = JsonDocument.Parse((await Cli.FollowProcess.RunAsync("list", "progress", "--json", "--source", source.Uri, "--target", target.Uri)).Output).RootElement;
            Assert.Equal("streaming", json.GetProperty("phase").GetString());
            Assert.Equal(JsonValueKind.Number, json.GetProperty("stream").GetProperty("lagBytes").ValueKind);
            worker.Terminate();
            Assert.True(await worker.WaitForExitAsync(TimeSpan.FromSeconds(20)), $"SIGTERM did not stop the worker:\n{worker.Log}");
            Assert.True(worker.ExitCode == Stopped, worker.Log);
            Assert.Contains("stopped during streaming", worker.Log);
        }

        using (var worker = WorkerProcess.Start(null, args))
        {
            await worker.WaitForStatusAsync(Streaming, "streaming again");
            await stop.CancelAsync();
            var transactions = await writer;
            await SetEndposAsync(source, target);
            Assert.True(await worker.WaitForExitAsync(TimeSpan.FromSeconds(90)), $"the worker did not stop at endpos:\n{worker.Log}");
            Assert.True(worker.ExitCode == 0, worker.Log);
            Assert.Contains("migration done", worker.Log);
            Assert.Equal(transactions, await target.ScalarAsync<long>("SELECT count(*) FROM applied_once"));
        }

        var compare = await CompareAsync(source, target, rules);
        Assert.True(compare.ExitCode == 0, compare.Output + compare.Error);

        // A worker started again after the cutover finds the migration done and exits 0 at once, changing nothing.
        using (var again = WorkerProcess.Start(null, args))
        {
            Assert.True(await again.WaitForExitAsync(TimeSpan.FromSeconds(20)), again.Log);
            Assert.True(again.ExitCode == 0, again.Log);
            Assert.Contains("the migration is done already", again.Log);
        }
    }

    [CitusFact]
    public async Task On_citus_the_worker_clones_streams_and_cuts_over_to_a_target_equal_to_the_source()
    {
        var servers = await PostgresServers.GetAsync();
        await using var source = await servers.Source.CreateDatabaseAsync("citus_run");
        await source.ExecuteFileAsync(SamplePaths.Get("ad-platform", "schema.sql"));
        await LoadSampleDataAsync(source, 0.02);
        await source.ExecuteAsync(AppliedOnceTable);
        await using var target = await CitusServer.CreateDatabaseAsync("citus_run");
        var rules = RulesFile(AppliedOnceRules);
        string[] args = ["--source", source.Uri, "--target", target.ConnectionString, "--rules", rules, $"--Follow:SlotName={source.Name}"];
        try
        {
            using var stop = new CancellationTokenSource();
            using var worker = WorkerProcess.Start(null, args);
            await worker.WaitForStatusAsync(status => Phase(status) == "streaming", "streaming into Citus");
            // Each transaction is a two-phase commit on Citus: the pause keeps the backlog small.
            var writer = WriteNumberedAsync(source, AppliedOnceWorkload, TimeSpan.FromMilliseconds(15), stop.Token);
            await worker.WaitForStatusAsync(s => s.GetProperty("ready").GetBoolean(), "a lag under the readiness limits");
            await Task.Delay(1500);
            await stop.CancelAsync();
            var transactions = await writer;
            var endpos = await Cli.FollowProcess.RunAsync("sentinel", "set", "endpos", "--current", "--source", source.Uri, "--target", target.ConnectionString);
            Assert.True(endpos.ExitCode == 0, endpos.Error);

            Assert.True(await worker.WaitForExitAsync(TimeSpan.FromSeconds(90)), $"the worker did not stop at endpos:\n{worker.Log}");
            Assert.True(worker.ExitCode == 0, worker.Log);
            Assert.Equal(transactions, await target.ScalarAsync<long>("SELECT count(*) FROM applied_once"));
            Assert.Equal(5L, await target.ScalarAsync<long>("SELECT count(*) FROM pg_dist_partition WHERE partmethod = 'h'"));
            var compare = await Cli.FollowProcess.RunAsync(["compare", "data", "--source", source.Uri, "--target", target.ConnectionString, "--rules", rules]);
            Assert.True(compare.ExitCode == 0, compare.Output + compare.Error);
        }
        finally
        {
            // Replication origins belong to the whole Citus server, which outlives this test's database.
            await Cli.FollowProcess.RunAsync("stream", "cleanup", "--source", source.Uri, "--target", target.ConnectionString, "--slot-name", source.Name);
        }
    }

    [Fact]
    public async Task Bad_settings_are_refused_with_exit_2_before_anything_is_changed()
    {
        var (source, target) = await AdPlatformAsync("run_bad", 0.01);
        await using var _ = source;
        await using var __ = target;
        var rules = SamplePaths.Get("ad-platform", "rules.txt");

        var result = await Cli.FollowProcess.RunAsync(null,
            ["run", "--source", source.Uri, "--target", target.Uri, "--rules", rules, "--Follow:TableJobs=0", "--Follow:Http:Port=0"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Follow:TableJobs must be at least 1", result.Error);
        Assert.Contains("FOLLOW__TABLEJOBS", result.Error);
        Assert.False(await target.ScalarAsync<bool>("SELECT to_regclass('follow.run') IS NOT NULL"));
        Assert.Equal(0L, await source.ScalarAsync<long>($"SELECT count(*) FROM pg_replication_slots WHERE slot_name = '{source.Name}'"));
    }
}
