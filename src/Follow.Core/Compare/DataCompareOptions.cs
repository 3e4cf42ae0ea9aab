namespace Follow.Compare;

/// <param name="TableJobs">Tables compared at once; each runs its source and target query at the same time.</param>
/// <param name="Snapshot">An exported snapshot the source side reads in, or null for the source's current state.</param>
public sealed record DataCompareOptions(int TableJobs = 2, string? Snapshot = null);
