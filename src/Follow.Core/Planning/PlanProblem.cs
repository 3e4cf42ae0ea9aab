using Follow.Model;

namespace Follow.Planning;

/// <summary>Why the plan cannot be carried out for one table, and what to change.</summary>
public sealed record PlanProblem(QualifiedName? Table, string What, string Fix)
{
    public override string ToString() => Table is null ? $"{What}\n    fix: {Fix}" : $"{Table}: {What}\n    fix: {Fix}";
}
