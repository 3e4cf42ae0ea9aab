using Follow.Diagnostics;
using Follow.Pipeline;
using NpgsqlTypes;

namespace Follow.Tests.Pipeline;

public sealed class RetainedWalWatchTests
{
    private const long MB = 1 << 20;

    private static SlotLag Slot(long retained, long? safe = null, long? keep = null) =>
        new(DateTimeOffset.UnixEpoch, new NpgsqlLogSequenceNumber((ulong)(1000 * MB + retained)), null, true, null)
        {
            RestartLsn = new NpgsqlLogSequenceNumber((ulong)(1000 * MB)),
            SafeWalSize = safe,
            MaxSlotWalKeepSize = keep,
        };

    [Fact]
    public void Safe_wal_size_below_a_quarter_of_max_slot_wal_keep_size_warns_once_per_crossing()
    {
        var watch = new RetainedWalWatch(null);

        Assert.Empty(watch.Observe(Slot(100 * MB, safe: 900 * MB, keep: 1000 * MB)));
        Assert.Empty(watch.Observe(Slot(750 * MB, safe: 250 * MB, keep: 1000 * MB)));
        Assert.Equal([RetainedWalWarning.SafeWalSizeLow], watch.Observe(Slot(751 * MB, safe: 249 * MB, keep: 1000 * MB)));
        Assert.Empty(watch.Observe(Slot(800 * MB, safe: 200 * MB, keep: 1000 * MB)));
        Assert.Empty(watch.Observe(Slot(100 * MB, safe: 900 * MB, keep: 1000 * MB)));
        Assert.Equal([RetainedWalWarning.SafeWalSizeLow], watch.Observe(Slot(900 * MB, safe: 100 * MB, keep: 1000 * MB)));
    }

    [Fact]
    public void An_unbounded_max_slot_wal_keep_size_never_warns_by_safe_wal_size()
    {
        var watch = new RetainedWalWatch(null);

        Assert.Empty(watch.Observe(Slot(100_000 * MB)));
    }

    [Fact]
    public void Retained_wal_past_the_limit_warns_once_per_crossing()
    {
        var watch = new RetainedWalWatch(512 * MB);

        Assert.Empty(watch.Observe(Slot(512 * MB)));
        Assert.Equal([RetainedWalWarning.OverLimit], watch.Observe(Slot(513 * MB)));
        Assert.Empty(watch.Observe(Slot(2048 * MB)));
        Assert.Empty(watch.Observe(Slot(10 * MB)));
        Assert.Equal([RetainedWalWarning.OverLimit], watch.Observe(Slot(600 * MB)));
    }

    [Fact]
    public void Without_the_option_retained_wal_never_warns()
    {
        var watch = new RetainedWalWatch(null);

        Assert.Empty(watch.Observe(Slot(100_000 * MB, safe: 900_000 * MB, keep: 1_000_000 * MB)));
    }

    [Fact]
    public void Both_can_be_crossed_by_one_sample()
    {
        var watch = new RetainedWalWatch(512 * MB);

        Assert.Equal([RetainedWalWarning.SafeWalSizeLow, RetainedWalWarning.OverLimit], watch.Observe(Slot(900 * MB, safe: 100 * MB, keep: 1000 * MB)));
    }
}
