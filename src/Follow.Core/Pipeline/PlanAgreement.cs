using Follow.Diagnostics;
using Follow.Planning;
using Follow.State;

namespace Follow.Pipeline;

/// <summary>
/// The refusals that keep a migration to the plan its clone recorded on the target: a clone is not run again over a
/// finished one, and no later command runs with rules or filters that plan the tables otherwise.
/// </summary>
public static class PlanAgreement
{
    /// <summary>
    /// A clone empties the target's tables and copies them again: after a finished clone, a started stream or endpos
    /// that would throw away what the stream applied, or after the cutover the application's own rows. A clone that
    /// did not finish (copying) resumes.
    /// </summary>
    public static void RefuseRerun(MigrationRecord? recorded)
    {
        if (recorded is null || recorded.Phase == RecordedPhase.Copying) return;
        var holds = recorded.Phase switch
        {
            RecordedPhase.Copied => "a finished clone whose stream has not started",
            RecordedPhase.Streaming => "a finished clone and the changes its stream applied since",
            _ => "a migration that reached endpos: the application may have written to it since",
        };
        var slot = recorded.SlotName is { } name ? $" (slot {name})" : "";
        throw new BadInputException(
            $"the target already holds {holds}{slot}, and a clone would empty its tables and copy them again; nothing was changed. "
            + "To go on streaming, run follow follow; to start over, dropping the target's tables, run follow clone --drop-if-exists");
    }

    /// <summary>A stream starts from a finished copy: after an unfinished clone, the same clone finishes it first.</summary>
    public static void RefuseUnfinished(MigrationRecord? recorded, string command)
    {
        if (recorded is not { Phase: RecordedPhase.Copying }) return;
        throw new BadInputException(
            $"the clone recorded on the target has not finished (its copy was interrupted), so {command} has no copy to stream from; "
            + "run the same follow clone again (with --follow to stream after it), which resumes it");
    }

    /// <summary>Refuses rules or filters that plan a table otherwise than the clone did, naming what differs.</summary>
    public static void RefuseOtherPlan(PlanRecord recorded, PlanRecord current, string command)
    {
        if (recorded.Fingerprint == current.Fingerprint) return;
        var differences = new List<string>();
        if (Normalized(recorded.Rules) != Normalized(current.Rules))
        {
            differences.Add($"the rules differ: the clone's came from {Origin(recorded)}, these from {Origin(current)}");
        }
        if (!recorded.Filters.SequenceEqual(current.Filters))
        {
            differences.Add($"the filters differ: the clone's were {Filters(recorded)}, these are {Filters(current)}");
        }
        differences.AddRange(PlanFingerprint.Differences(recorded.Plan, current.Plan));
        throw new BadInputException(
            $"{command} would plan the tables otherwise than the clone recorded on the target:\n  {string.Join("\n  ", differences)}\n"
            + "Give the clone's rules and filters, or none to use the recorded ones; to start over with this plan, run follow clone --drop-if-exists");
    }

    /// <summary>The slot the clone recorded, unless one is named (<paramref name="given"/>); another one than the clone's is refused.</summary>
    public static string SlotOf(MigrationRecord? recorded, string slot, bool given, string command)
    {
        if (recorded?.SlotName is not { } recordedSlot || recordedSlot == slot || !given) return recorded?.SlotName ?? slot;
        throw new BadInputException(
            $"the clone on the target recorded the slot {recordedSlot}, and {command} was given the slot {slot}; "
            + $"give --slot-name {recordedSlot} or none (to start over with another slot, run follow clone --drop-if-exists)");
    }

    private static string Normalized(string? rules) =>
        rules is null ? "" : string.Join('\n', rules.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));

    private static string Origin(PlanRecord plan) => plan.Rules is null ? "nowhere (no rules)" : plan.RulesOrigin ?? "the rules given";

    private static string Filters(PlanRecord plan) => plan.Filters.Count == 0 ? "none" : string.Join(' ', plan.Filters);
}
