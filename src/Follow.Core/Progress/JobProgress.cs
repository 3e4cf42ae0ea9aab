namespace Follow.Progress;

/// <summary>One row of <c>follow.job</c>: a table, or one ctid range (part) of a split table.</summary>
/// <param name="Elapsed">The copy time the job recorded, over which <paramref name="Rows"/> were counted.</param>
/// <param name="SinceStart">Wall time from <paramref name="StartedAt"/> to now; null when not started.</param>
/// <param name="KeptFrom">A table a resumed copy kept: the run that copied its rows; null when this run copies it.</param>
public sealed record JobProgress(
    string Table,
    JobState State,
    long Rows,
    long EstimatedRows,
    long Bytes,
    TimeSpan Elapsed,
    int Part = 1,
    int Parts = 1,
    DateTimeOffset? StartedAt = null,
    TimeSpan? SinceStart = null,
    string? Error = null,
    long? KeptFrom = null);
