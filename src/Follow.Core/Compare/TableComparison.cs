using Follow.Model;

namespace Follow.Compare;

/// <summary>One moved table compared; <see cref="Source"/> and <see cref="Target"/> are set by the data comparison.</summary>
public sealed record TableComparison(
    QualifiedName Table,
    IReadOnlyList<Difference> Differences,
    RowSummary? Source = null,
    RowSummary? Target = null)
{
    public bool Equal => Differences.Count == 0;
}
