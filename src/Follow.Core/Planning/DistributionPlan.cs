using Follow.Model;

namespace Follow.Planning;

/// <summary>The distribution plan: every moved table's category, keys and path, and the order of the distribution calls.</summary>
public sealed record DistributionPlan(
    IReadOnlyList<TablePlan> Tables,
    IReadOnlyList<DistributionCall> Calls,
    IReadOnlyList<QualifiedName> Excluded,
    IReadOnlyList<string> Warnings)
{
    public TablePlan? Find(QualifiedName name) => Tables.FirstOrDefault(t => t.Name == name);

    public TablePlan Get(QualifiedName name) =>
        Find(name) ?? throw new KeyNotFoundException($"table {name} is not in the plan");
}
