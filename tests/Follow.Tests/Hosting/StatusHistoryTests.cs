using Follow.Cli.Hosting;
using Follow.Diagnostics;

namespace Follow.Tests.Hosting;

public sealed class StatusHistoryTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 3, 0, 0, TimeSpan.Zero);

    private static StatusSnapshot At(double seconds, long changes, long? lagBytes = null) =>
        new(FollowPhase.Streaming, Start, null, null, lagBytes is { } b ? new SlotLag(Start, new(0x1000000UL + (ulong)b), new(0x1000000UL), true, null) : null,
            null, changes, Start.AddSeconds(seconds));

    [Fact]
    public void An_hour_of_points_every_ten_seconds_is_kept_and_older_points_go()
    {
        var history = new StatusHistory(TimeSpan.FromSeconds(10));
        for (var i = 0; i < 1000; i++) history.Record(At(i * 10, i));

        var points = history.Points();
        Assert.Equal(361, points.Count);
        Assert.Equal(Start.AddSeconds(9990), points[^1].At);
        Assert.Equal(TimeSpan.FromHours(1), points[^1].At - points[0].At);
    }

    [Fact]
    public void The_applied_rate_is_the_changes_since_the_last_point_over_the_time_since_it()
    {
        var history = new StatusHistory(TimeSpan.FromSeconds(10));
        Assert.Null(history.Record(At(0, 0, lagBytes: 4096)).ChangesPerSecond);
        Assert.Equal(4096, history.Points()[0].LagBytes);

        Assert.Equal(50, history.Record(At(10, 500)).ChangesPerSecond);
        Assert.Equal(100, history.ChangesPerSecond(At(15, 1000)));
        // Too soon after a point to measure: the point's own rate.
        Assert.Equal(50, history.ChangesPerSecond(At(10.5, 900)));
    }
}
