namespace Follow.Compare;

public enum CompareKind { Schema, Data }

/// <summary>Every moved table compared, in the plan's order.</summary>
public sealed record CompareReport(CompareKind Kind, IReadOnlyList<TableComparison> Tables)
{
    public bool Equal => Tables.All(t => t.Equal);

    public int EqualCount => Tables.Count(t => t.Equal);

    public int DifferCount => Tables.Count(t => !t.Equal);
}
