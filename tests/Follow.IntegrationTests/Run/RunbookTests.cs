using System.Diagnostics;
using System.Text.Json;
using Follow.IntegrationTests.Cli;
using Follow.IntegrationTests.Infrastructure;
using static Follow.IntegrationTests.Snapshot.CopyFixture;
using static Follow.IntegrationTests.Stream.StreamKit;

namespace Follow.IntegrationTests.Run;

/// <summary>
/// The README's cutover runbook and its first command, run as written: the environment variables, the commands
/// and the outputs the operator is told to expect. Only what the tests must change is changed: free ports, and a
/// slot name of each test's own (the test servers are shared).
/// </summary>
public sealed class RunbookTests
{
    private static bool Streaming(JsonElement status) => status.GetProperty("phase").GetString() == "streaming";

    /// <summary>Step 1's variables: the worker and every later command take their connections from them.</summary>
    private static Dictionary<string, string> Environment(TestDatabase source, TestDatabase target) => new()
    {
        ["FOLLOW_SOURCE_PGURI"] = source.Uri,
        ["FOLLOW_TARGET_PGURI"] = target.Uri,
        ["FOLLOW_RULES"] = SamplePaths.Get("ad-platform", "rules.txt"),
        ["FOLLOW_SLOT_NAME"] = source.Name,
    };

    private static async Task<FollowProcess.Result> FollowAsync(Dictionary<string, string> environment, params string[] args)
    {
        var result = await FollowProcess.RunAsync(environment, args);
        Assert.True(result.ExitCode == 0, $"follow {string.Join(' ', args)} exited {result.ExitCode}:\n{result.All}");
        return result;
    }

    [Fact]
    public async Task The_cutover_runbook_works_as_written_and_its_cleanup_leaves_nothing_of_follow_behind()
    {
        var (source, target) = await AdPlatformAsync("runbook", 0.01);
        await using var _ = source;
        await using var __ = target;
        var environment = Environment(source, target);

        using var worker = WorkerProcess.Start(environment);
        await worker.WaitForStatusAsync(Streaming, "streaming");
        await source.ExecuteAsync("UPDATE companies SET name = name || ' (renamed)' WHERE id = (SELECT min(id) FROM companies)");

        // 2. Watch it, until ready for cutover.
        var progress = await FollowAsync(environment, "list", "progress");
        Assert.Contains("streaming", progress.Output);
        var ready = Stopwatch.StartNew();
        while ((await worker.GetAsync("/status/ready")).Status != 200)
        {
            Assert.True(ready.Elapsed < TimeSpan.FromSeconds(60), $"never ready for cutover:\n{worker.Log}");
            await Task.Delay(250);
        }
        // 3. The schema.
        await FollowAsync(environment, "compare", "schema");

        // 5. endpos, 6. the worker exits 0.
        await FollowAsync(environment, "sentinel", "set", "endpos", "--current");
        Assert.True(await worker.WaitForExitAsync(TimeSpan.FromSeconds(90)), $"the worker did not stop at endpos:\n{worker.Log}");
        Assert.True(worker.ExitCode == 0, worker.Log);

        // 7. "N tables equal, 0 differ".
        var compare = await FollowAsync(environment, "compare", "data");
        Assert.Matches(@"\b5 tables equal, 0 differ\b", compare.All);

        // 9. Cleanup: nothing of Follow's is left on either side.
        await FollowAsync(environment, "stream", "cleanup", "--all");
        Assert.Equal(0, await source.ScalarAsync<long>("SELECT count(*) FROM pg_replication_slots WHERE database = current_database()"));
        Assert.Equal(0, await source.ScalarAsync<long>("SELECT count(*) FROM pg_publication"));
        Assert.Equal(0, await target.ScalarAsync<long>("SELECT count(*) FROM pg_namespace WHERE nspname = 'follow'"));
        Assert.Equal(0, await target.ScalarAsync<long>("SELECT count(*) FROM pg_replication_origin WHERE roname = (SELECT 'follow_' || oid FROM pg_database WHERE datname = current_database())"));
        Assert.Equal(5, await target.ScalarAsync<long>(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename IN ('companies', 'campaigns', 'ads', 'clicks', 'impressions')"));
    }

    [Fact]
    public async Task Aborting_before_the_cutover_as_the_runbook_says_leaves_the_source_without_slot_or_publication()
    {
        var (source, target) = await AdPlatformAsync("runbook_abort", 0.01);
        await using var _ = source;
        await using var __ = target;
        var environment = Environment(source, target);

        using (var worker = WorkerProcess.Start(environment))
        {
            await worker.WaitForStatusAsync(Streaming, "streaming");
            worker.Terminate();
            Assert.True(await worker.WaitForExitAsync(TimeSpan.FromSeconds(35)), $"SIGTERM did not stop the worker:\n{worker.Log}");
            Assert.True(worker.ExitCode == 143, $"exit {worker.ExitCode}:\n{worker.Log}");
        }

        await FollowAsync(environment, "stream", "cleanup", "--all");
        Assert.Equal(0, await source.ScalarAsync<long>("SELECT count(*) FROM pg_replication_slots WHERE database = current_database()"));
        Assert.Equal(0, await source.ScalarAsync<long>("SELECT count(*) FROM pg_publication"));
        Assert.Equal(0, await target.ScalarAsync<long>("SELECT count(*) FROM pg_namespace WHERE nspname = 'follow'"));
        // "The target's tables stay; … start over later with follow clone --drop-if-exists."
        Assert.True(await target.ScalarAsync<long>("SELECT count(*) FROM companies") > 0);
        await FollowAsync(environment, "clone", "--drop-if-exists");
        Assert.Equal(0, (await CompareAsync(source, target, environment["FOLLOW_RULES"])).ExitCode);
        await FollowAsync(environment, "stream", "cleanup", "--all");
    }

    /// <summary>README's first command: <c>scripts/demo</c> runs a whole migration and ends comparing equal; <c>scripts/demo stop</c> stops its servers.</summary>
    [Fact]
    public async Task The_demo_runs_a_whole_migration_to_a_target_equal_to_the_source()
    {
        var repository = Repository();
        var environment = new Dictionary<string, string>
        {
            ["FOLLOW_DEMO_SOURCE_PORT"] = PostgresServer.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["FOLLOW_DEMO_TARGET_PORT"] = PostgresServer.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["FOLLOW_DEMO_HTTP_PORT"] = PostgresServer.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["FOLLOW_DEMO_SCALE"] = "0.05",
        };
        try
        {
            var demo = await RunScriptAsync(Path.Combine(repository, "scripts", "demo"), [], environment, TimeSpan.FromMinutes(8));
            Assert.True(demo.ExitCode == 0, $"scripts/demo exited {demo.ExitCode}:\n{demo.Output}");
            Assert.Contains("== 4. follow compare data", demo.Output);
            Assert.Matches(@"\b5 tables equal, 0 differ\b", demo.Output);
        }
        finally
        {
            var stop = await RunScriptAsync(Path.Combine(repository, "scripts", "demo"), ["stop"], environment, TimeSpan.FromMinutes(1));
            Assert.True(stop.ExitCode == 0, stop.Output);
        }
    }

    /// <summary>Runs a script with bash, its output and errors together, killed with its children past the limit.</summary>
    private static async Task<(int ExitCode, string Output)> RunScriptAsync(string script, string[] args, Dictionary<string, string> environment, TimeSpan limit)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        void Append(object _, DataReceivedEventArgs e)
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
        }
        process.OutputDataReceived += Append;
        process.ErrorDataReceived += Append;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.WaitForExit();
        lock (output) return (process.ExitCode, output.ToString());
    }

    private static string Repository()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Follow.sln"))) return directory.FullName;
        }
        throw new DirectoryNotFoundException($"no Follow.sln above {AppContext.BaseDirectory}");
    }
}
