using System.Diagnostics.Metrics;
using Follow.Diagnostics;
using Follow.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Follow.Tests.Pipeline;

public sealed class RetryTests
{
    private readonly FakeTimeProvider _clock = new();

    private Retry Retry(int retries, FollowMetrics? metrics = null) =>
        new(retries, NullLogger.Instance, metrics, _clock) { FirstPause = TimeSpan.Zero, HealthyPeriod = TimeSpan.FromMinutes(10) };

    /// <summary>A step that works for a while, then loses its connection; it succeeds on the call numbered <paramref name="succeedOn"/>.</summary>
    private Func<CancellationToken, Task> Step(List<TimeSpan> workedFor, int succeedOn, Func<int, TimeSpan> works)
    {
        return _ =>
        {
            var call = workedFor.Count + 1;
            var worked = works(call);
            workedFor.Add(worked);
            _clock.Advance(worked);
            if (call == succeedOn) return Task.CompletedTask;
            throw new NpgsqlException("Exception while reading from stream", new IOException("connection reset"));
        };
    }

    [Fact]
    public async Task Losses_in_a_row_exhaust_the_retries_and_the_last_error_stops_the_step()
    {
        var calls = new List<TimeSpan>();

        await Assert.ThrowsAsync<NpgsqlException>(() =>
            Retry(3).RunAsync("stream", Step(calls, succeedOn: 100, _ => TimeSpan.FromMinutes(1)), CancellationToken.None));

        Assert.Equal(4, calls.Count);
    }

    [Fact]
    public async Task A_healthy_period_before_a_loss_renews_the_retries()
    {
        var calls = new List<TimeSpan>();
        // Twelve losses with 3 retries: the 4th, 7th and 10th attempts streamed 11 minutes before they lost the source.
        var step = Step(calls, succeedOn: 13, call => call is 4 or 7 or 10 ? TimeSpan.FromMinutes(11) : TimeSpan.FromSeconds(5));

        await Retry(3).RunAsync("stream", step, CancellationToken.None);

        Assert.Equal(13, calls.Count);
    }

    [Fact]
    public async Task Without_a_healthy_period_the_same_losses_exhaust_the_retries()
    {
        var calls = new List<TimeSpan>();
        var step = Step(calls, succeedOn: 13, call => call is 4 or 7 or 10 ? TimeSpan.FromMinutes(9) : TimeSpan.FromSeconds(5));

        await Assert.ThrowsAsync<NpgsqlException>(() => Retry(3).RunAsync("stream", step, CancellationToken.None));

        Assert.Equal(4, calls.Count);
    }

    [Fact]
    public async Task An_error_of_the_data_is_not_retried()
    {
        var calls = 0;

        await Assert.ThrowsAsync<BadInputException>(() => Retry(3).RunAsync("stream", _ =>
        {
            calls++;
            throw new BadInputException("a refused plan");
        }, CancellationToken.None));

        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Each_retry_is_counted_by_step_and_the_pause_grows_from_one_second()
    {
        using var metrics = new FollowMetrics(new FollowStatus());
        var counted = new List<(long Value, object? Step)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, metrics.Meter) && instrument.Name == "follow.retries") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) => counted.Add((value, tags[0].Value)));
        listener.Start();
        var calls = new List<TimeSpan>();
        var retry = new Retry(2, NullLogger.Instance, metrics, _clock);
        var step = Step(calls, succeedOn: 3, _ => TimeSpan.Zero);

        var running = retry.RunAsync("finish", step, CancellationToken.None);
        // The pauses wait on the fake clock: 1 s, then 2 s.
        await WaitForAsync(() => calls.Count == 1);
        _clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Single(calls);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        await WaitForAsync(() => calls.Count == 2);
        _clock.Advance(TimeSpan.FromSeconds(2));
        await running;

        Assert.Equal(3, calls.Count);
        Assert.Equal([(1L, (object?)"finish"), (1L, "finish")], counted);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the step was not called in time");
            await Task.Delay(10);
        }
    }
}
