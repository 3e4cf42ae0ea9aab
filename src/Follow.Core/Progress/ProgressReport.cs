namespace Follow.Progress;

/// <summary>The latest copy run on a target, its jobs, and their sums per table and in total.</summary>
/// <param name="HasState">False when the target has no follow schema (no copy ever started there).</param>
/// <param name="Runs">How many runs <c>follow.run</c> holds; the report shows the newest.</param>
public sealed record ProgressReport(bool HasState, long Runs, RunInfo? Run, IReadOnlyList<JobProgress> Jobs)
{
    public static ProgressReport NoState { get; } = new(false, 0, null, []);

    public IReadOnlyList<ProgressLine> Tables { get; } = ProgressSummary.Tables(Jobs);

    public ProgressLine? Total { get; } = Run is null ? null : ProgressSummary.Total(Jobs);

    /// <summary>The stream's sentinel and lag; null when not read.</summary>
    public StreamProgress? Stream { get; init; }

    /// <summary>What the clone recorded on the target: its rules, filters, plan fingerprint, slot and phase; null when not read.</summary>
    public State.MigrationRecord? Recorded { get; init; }

    /// <summary>The last by-tenant comparison (compare data --live) and how far it got; null when none.</summary>
    public State.CompareRecord? Compare { get; init; }

    /// <summary>The migration's phase, told from the state: not started, copy, post-data, streaming, done…</summary>
    public string Phase => MigrationPhase.Of(this);

    /// <summary>Nothing more will change: no run, a run marked finished, or every job completed or failed.</summary>
    public bool IsFinished => Run is null || Run.FinishedAt is not null || ProgressSummary.IsFinished(Jobs);
}
