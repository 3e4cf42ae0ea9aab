namespace Follow.Progress;

/// <summary>Sums jobs into per-table and whole-run lines. No I/O: the copy's live display uses it too.</summary>
public static class ProgressSummary
{
    /// <summary>One line per table, in the order of the table's first job.</summary>
    public static IReadOnlyList<ProgressLine> Tables(IEnumerable<JobProgress> jobs) =>
        [.. jobs.GroupBy(j => j.Table).Select(g => Line(g.Key, [.. g], declaredParts: g.Max(j => j.Parts)))];

    public static ProgressLine Total(IReadOnlyCollection<JobProgress> jobs) => Line("total", jobs, declaredParts: 0);

    /// <summary>True when there are jobs and every one of them completed or failed.</summary>
    public static bool IsFinished(IReadOnlyCollection<JobProgress> jobs) =>
        jobs.Count > 0 && jobs.All(j => j.State.IsFinished());

    public static JobState StateOf(IReadOnlyCollection<JobProgress> jobs)
    {
        // A failure is what the operator must see first; a mix of done and waiting parts is a copy under way.
        if (jobs.Any(j => j.State == JobState.Failed)) return JobState.Failed;
        if (jobs.All(j => j.State == JobState.Completed)) return JobState.Completed;
        if (jobs.All(j => j.State == JobState.Pending)) return JobState.Pending;
        return JobState.Running;
    }

    /// <param name="declaredParts">The parts a split table was planned with, in case not all have a job yet.</param>
    private static ProgressLine Line(string name, IReadOnlyCollection<JobProgress> jobs, int declaredParts)
    {
        var state = jobs.Count == 0 ? JobState.Pending : StateOf(jobs);
        var rows = jobs.Sum(j => j.Rows);
        var estimated = jobs.Sum(j => j.EstimatedRows);
        var bytes = jobs.Sum(j => j.Bytes);
        var measured = Measured(jobs);
        var elapsed = state == JobState.Running ? Max(measured, jobs.Max(j => j.SinceStart ?? TimeSpan.Zero)) : measured;

        double? rowsPerSecond = measured > TimeSpan.Zero ? rows / measured.TotalSeconds : null;
        double? bytesPerSecond = measured > TimeSpan.Zero ? bytes / measured.TotalSeconds : null;
        TimeSpan? timeLeft = state == JobState.Running && rowsPerSecond > 0 && estimated > 0
            ? TimeSpan.FromSeconds(Math.Max(0, estimated - rows) / rowsPerSecond.Value)
            : null;
        return new ProgressLine(
            name, state, Math.Max(jobs.Count, declaredParts), jobs.Count(j => j.State == JobState.Completed),
            rows, estimated, bytes, elapsed, rowsPerSecond, bytesPerSecond, timeLeft,
            declaredParts > 0 && jobs.Count > 0 && jobs.All(j => j.KeptFrom is not null) ? jobs.First().KeptFrom : null);
    }

    /// <summary>
    /// The wall time over which the rows were counted: from the first start to the last recorded end, so parts
    /// copied side by side are not counted twice. Jobs without a start time only give their own elapsed time.
    /// </summary>
    private static TimeSpan Measured(IReadOnlyCollection<JobProgress> jobs)
    {
        var started = jobs.Where(j => j.StartedAt is not null).ToList();
        var longest = jobs.Select(j => j.Elapsed).DefaultIfEmpty(TimeSpan.Zero).Max();
        if (started.Count == 0) return longest;
        var span = started.Max(j => j.StartedAt!.Value + j.Elapsed) - started.Min(j => j.StartedAt!.Value);
        return Max(span, longest);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
