using Follow.Diagnostics;
using Follow.Pipeline;
using Follow.State;

namespace Follow.Progress;

/// <summary>
/// The stream as the target's sentinel records it, and, when the source could be asked, the slot's lag.
/// </summary>
public sealed record StreamProgress(SentinelState? Sentinel, SlotLag? Slot);

/// <summary>Where a migration is, told from its state alone (for people watching from another shell).</summary>
public static class MigrationPhase
{
    public static string Of(ProgressReport report)
    {
        if (report.Run is null) return "not started";
        if (report.Run.FinishedAt is null)
        {
            if (report.Jobs.Any(j => j.State == JobState.Failed)) return "copy failed";
            return ProgressSummary.IsFinished(report.Jobs) ? "post-data" : "copy";
        }
        if (report.Stream?.Sentinel?.DoneAt is not null) return "done";
        return report.Stream?.Slot is { Active: false } ? "streaming (no follower connected)" : "streaming";
    }
}
