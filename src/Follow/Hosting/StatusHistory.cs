using Follow.Diagnostics;

namespace Follow.Cli.Hosting;

/// <summary>A point of the status page's chart: the lag and the applied rate at one moment.</summary>
/// <param name="ChangesPerSecond">Changes applied per second since the point before; null for the first point.</param>
public sealed record StatusPoint(DateTimeOffset At, string Phase, long? LagBytes, double? LagSeconds, long ChangesApplied, double? ChangesPerSecond);

/// <summary>
/// The last hour of the lag and the applied rate, one point per interval, for the status page's chart. Bounded: past
/// the hour the oldest point goes, so a worker that runs for days keeps the same few kilobytes.
/// </summary>
public sealed class StatusHistory
{
    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    private readonly Lock _lock = new();
    private readonly Queue<StatusPoint> _points = new();
    private StatusPoint? _last;

    public StatusHistory(TimeSpan interval)
    {
        if (interval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(interval), interval, "must be positive");
        Interval = interval;
        Capacity = Math.Max(2, (int)Math.Ceiling(Window / interval) + 1);
    }

    public TimeSpan Interval { get; }

    /// <summary>Points kept: an hour's worth, and the one that starts the hour.</summary>
    public int Capacity { get; }

    public StatusPoint Record(StatusSnapshot snapshot)
    {
        lock (_lock)
        {
            var point = new StatusPoint(snapshot.TakenAt, snapshot.Phase.Key(), snapshot.LagBytes, snapshot.LagSeconds,
                snapshot.ChangesApplied, RateSince(_last, snapshot));
            _points.Enqueue(point);
            while (_points.Count > Capacity) _points.Dequeue();
            _last = point;
            return point;
        }
    }

    public IReadOnlyList<StatusPoint> Points()
    {
        lock (_lock) return [.. _points];
    }

    /// <summary>
    /// The applied rate now: the changes since the last point over the time since it, or the last point's own rate
    /// when too little time has passed to measure.
    /// </summary>
    public double? ChangesPerSecond(StatusSnapshot now)
    {
        lock (_lock) return RateSince(_last, now);
    }

    private static double? RateSince(StatusPoint? last, StatusSnapshot now)
    {
        if (last is null) return null;
        var seconds = (now.TakenAt - last.At).TotalSeconds;
        if (seconds < 1) return last.ChangesPerSecond;
        return Math.Max(0, now.ChangesApplied - last.ChangesApplied) / seconds;
    }
}
