using System.Diagnostics;
using System.Text.Json;
using static Follow.IntegrationTests.Snapshot.CopyFixture;
using static Follow.IntegrationTests.Stream.StreamKit;

namespace Follow.IntegrationTests.Run;

/// <summary><c>follow run</c>'s exit status: 143 when stopped before done, 0 when done, at once when done already.</summary>
public sealed class ExitStatusTests
{
    private static bool Streaming(JsonElement status) =>
        status.GetProperty("phase").GetString() == "streaming"
        && status.GetProperty("stream").GetProperty("appliedLsn").ValueKind == JsonValueKind.String;

    [Fact]
    public async Task Sigterm_during_streaming_exits_143_and_the_next_start_resumes_to_endpos_with_the_target_equal()
    {
        var (source, target) = await AdPlatformAsync("run_exit", 0.01);
        await using var _ = source;
        await using var __ = target;
        await source.ExecuteAsync(AppliedOnceTable);
        var rules = RulesFile(AppliedOnceRules);
        string[] args = ["--source", source.Uri, "--target", target.Uri, "--rules", rules, $"--Follow:SlotName={source.Name}"];
        using var stop = new CancellationTokenSource();
        var writer = WriteNumberedAsync(source, AppliedOnceWorkload, TimeSpan.FromMilliseconds(5), stop.Token);

        using (var worker = WorkerProcess.Start(null, args))
        {
            await worker.WaitForStatusAsync(Streaming, "streaming");
            worker.Terminate();
            Assert.True(await worker.WaitForExitAsync(TimeSpan.FromSeconds(35)), $"SIGTERM did not stop the worker:\n{worker.Log}");
            Assert.True(worker.ExitCode == 143, $"exit {worker.ExitCode}:\n{worker.Log}");
            Assert.Contains("stopped during streaming", worker.Log);
        }

        using (var worker = WorkerProcess.Start(null, args))
        {
            await worker.WaitForStatusAsync(Streaming, "streaming again");
            Assert.Contains("resuming at stream", worker.Log);
            await stop.CancelAsync();
            var transactions = await writer;
            await SetEndposAsync(source, target);
            Assert.True(await worker.WaitForExitAsync(TimeSpan.FromSeconds(90)), $"the worker did not stop at endpos:\n{worker.Log}");
            Assert.True(worker.ExitCode == 0, worker.Log);
            Assert.Equal(transactions, await target.ScalarAsync<long>("SELECT count(*) FROM applied_once"));
        }
        var compare = await CompareAsync(source, target, rules);
        Assert.True(compare.ExitCode == 0, compare.Output + compare.Error);

        var clock = Stopwatch.StartNew();
        using var again = WorkerProcess.Start(null, args);
        Assert.True(await again.WaitForExitAsync(TimeSpan.FromSeconds(30)), again.Log);
        Assert.True(again.ExitCode == 0, again.Log);
        Assert.Contains("the migration is done already", again.Log);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}:\n{again.Log}");
    }
}
