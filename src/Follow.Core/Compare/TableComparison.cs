using Follow.Model;

namespace Follow.Compare;

/// <summary>One moved table compared; <see cref="Source"/> and <see cref="Target"/> are set by the data comparison.</summary>
/// <param name="Tenants">By tenant: the distribution-key values whose rows differ.</param>
/// <param name="Rows">By tenant: the rows that differ, at most --max-rows of them.</param>
/// <param name="RowsDiffering">By tenant: how many rows differ in all.</param>
public sealed record TableComparison(
    QualifiedName Table,
    IReadOnlyList<Difference> Differences,
    RowSummary? Source = null,
    RowSummary? Target = null,
    IReadOnlyList<string>? Tenants = null,
    IReadOnlyList<RowDifference>? Rows = null,
    long RowsDiffering = 0)
{
    public bool Equal => Differences.Count == 0;
}
