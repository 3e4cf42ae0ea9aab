namespace Follow.Progress;

/// <summary>One row of <c>follow.run</c>.</summary>
public sealed record RunInfo(
    long RunId, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string SlotName, string? Snapshot, string? ConsistentPoint);
