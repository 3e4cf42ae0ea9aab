using Follow.Pipeline;

namespace Follow.Tests.Pipeline;

public sealed class SessionQueueTests
{
    [Fact]
    public async Task Waiting_units_go_by_rank_then_by_arrival()
    {
        var queue = new SessionQueue(1);
        var release = new TaskCompletionSource();
        var started = new List<string>();
        Task Unit(string name, int rank, Task? hold = null) => queue.RunAsync(async () =>
        {
            lock (started) started.Add(name);
            await (hold ?? Task.Delay(5));
        }, rank, CancellationToken.None);

        var first = Unit("build a", 1, release.Task);
        var waiting = new[] { Unit("build b", 1), Unit("build c", 1), Unit("finish a", 0), Unit("build d", 1), Unit("finish b", 0) };
        Assert.Equal(["build a"], started);
        release.SetResult();
        await Task.WhenAll([first, .. waiting]);

        Assert.Equal(["build a", "finish a", "finish b", "build b", "build c", "build d"], started);
    }

    [Fact]
    public async Task Never_more_units_run_than_there_are_sessions()
    {
        var queue = new SessionQueue(2);
        var running = 0;
        var most = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => queue.RunAsync(async () =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            await Task.Delay(10);
            Interlocked.Decrement(ref running);
        }, i % 2, CancellationToken.None)));

        Assert.Equal(2, most);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }

    [Fact]
    public async Task A_unit_given_up_while_it_waits_holds_no_session()
    {
        var queue = new SessionQueue(1);
        var release = new TaskCompletionSource();
        var busy = queue.RunAsync(() => release.Task, 1, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var givenUp = queue.RunAsync(() => Task.CompletedTask, 0, cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => givenUp);
        release.SetResult();
        await busy;

        var ran = false;
        await queue.RunAsync(() => { ran = true; return Task.CompletedTask; }, 1, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(ran);
    }
}
