namespace Follow.Progress;

/// <summary>The progress of a table (its parts summed) or of a whole run.</summary>
/// <param name="Parts">Jobs summed in this line: a table's parts, or every job of the run.</param>
/// <param name="PartsCompleted">Those of them completed.</param>
/// <param name="Elapsed">Wall time from the first job's start to the last one's end, or to now while running.</param>
/// <param name="TimeLeft">Estimated from the rate and the estimated rows; only while running.</param>
/// <param name="KeptFrom">A table a resumed copy kept rather than copied again: the run that copied it.</param>
public sealed record ProgressLine(
    string Name,
    JobState State,
    int Parts,
    int PartsCompleted,
    long Rows,
    long EstimatedRows,
    long Bytes,
    TimeSpan Elapsed,
    double? RowsPerSecond,
    double? BytesPerSecond,
    TimeSpan? TimeLeft,
    long? KeptFrom = null)
{
    /// <summary>Rows copied out of the estimate, 0 to 100; 100 once completed, null without an estimate.</summary>
    public double? Percent => State == JobState.Completed
        ? 100
        : EstimatedRows > 0 ? Math.Min(100, 100.0 * Rows / EstimatedRows) : null;
}
