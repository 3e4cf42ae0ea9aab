using Follow.Diagnostics;

namespace Follow.Planning;

/// <summary>The plan was refused before anything was changed; every problem names its table and the fix.</summary>
public sealed class PlanRefusedException(IReadOnlyList<PlanProblem> problems)
    : BadInputException(
        $"the distribution plan was refused ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}); nothing was changed:\n"
        + string.Join("\n", problems.Select(p => "  - " + p.ToString().Replace("\n", "\n  "))))
{
    public IReadOnlyList<PlanProblem> Problems { get; } = problems;
}
