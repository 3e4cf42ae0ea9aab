using Follow.Model;
using Follow.Planning;

namespace Follow.Apply;

/// <summary>A statement as it is written for one row, and what it takes to write it for several.</summary>
/// <param name="Columns">The row's values in order: an insert's columns; an update's SET columns, then its WHERE columns; a delete's WHERE columns.</param>
/// <param name="Set">How many of the columns an update sets.</param>
/// <param name="NullColumns">Key columns the WHERE clause finds as IS NULL: they take no value.</param>
/// <param name="Multi">Whether every row of the shape is written alike, so rows may share one statement.</param>
public sealed record Shape(TablePlan Table, ChangeKind Kind, IReadOnlyList<string> Columns, int Set, IReadOnlyList<string> NullColumns, bool Multi)
{
    /// <summary>Each column's type on the target: the added distribution column's, a cast rule's, or the source's.</summary>
    public string[] Types => field ??= [.. Columns.Select(column =>
        Table.AddsDistributionColumn && column == Table.DistributionColumn ? Table.DistributionColumnType!
        : Table.Casts.FirstOrDefault(c => c.Column == column)?.TargetType ?? Table.Source.Column(column)!.Type)];

    /// <summary>The columns of the WHERE clause (an update's after its SET columns).</summary>
    public IEnumerable<string> WhereColumns => Columns.Skip(Set);

    // Compared by reference: a shape is made once and found again by its key; as a record it would hash every column.
    public bool Equals(Shape? other) => ReferenceEquals(this, other);

    public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);
}
