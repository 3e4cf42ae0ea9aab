using Follow.Pipeline;

namespace Follow.Tests.Pipeline;

public sealed class HandOverTests
{
    [Fact]
    public async Task The_writer_waits_once_the_bytes_held_reach_the_bound_and_goes_on_when_they_are_read()
    {
        var handOver = new HandOver<int>(capacity: 100, maxBytes: 1000, sizeOf: n => n);
        await handOver.WriteAsync(600, CancellationToken.None);
        var second = handOver.WriteAsync(600, CancellationToken.None).AsTask();

        await Task.Delay(50);
        Assert.False(second.IsCompleted);
        Assert.Equal(600, handOver.Bytes);

        Assert.True(handOver.TryRead(out var first));
        Assert.Equal(600, first);
        await second.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(600, handOver.Bytes);
    }

    [Fact]
    public async Task A_record_larger_than_the_bound_passes_alone()
    {
        var handOver = new HandOver<int>(capacity: 100, maxBytes: 1000, sizeOf: n => n);
        await handOver.WriteAsync(5000, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1, handOver.Count);
    }

    [Fact]
    public async Task The_writer_also_waits_at_the_count_bound()
    {
        var handOver = new HandOver<int>(capacity: 2, maxBytes: 1_000_000, sizeOf: _ => 1);
        await handOver.WriteAsync(1, CancellationToken.None);
        await handOver.WriteAsync(2, CancellationToken.None);
        var third = handOver.WriteAsync(3, CancellationToken.None).AsTask();

        await Task.Delay(50);
        Assert.False(third.IsCompleted);
        Assert.True(handOver.TryRead(out _));
        await third.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task The_writers_error_reaches_the_reader()
    {
        var handOver = new HandOver<int>(capacity: 2, maxBytes: 100, sizeOf: _ => 1);
        handOver.Complete(new InvalidOperationException("decode failed"));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await handOver.WaitToReadAsync(CancellationToken.None));
        Assert.Equal("decode failed", error.Message);
    }
}
