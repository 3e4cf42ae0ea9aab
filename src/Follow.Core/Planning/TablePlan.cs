using Follow.Model;

namespace Follow.Planning;

/// <summary>A primary key, unique constraint or unique index as it will be on the target.</summary>
/// <param name="Columns">The key columns on the target; an expression of a unique index shows as null.</param>
/// <param name="Rewritten">True when the distribution column was added to it.</param>
/// <param name="IsConstraint">False for a unique index that backs no constraint.</param>
public sealed record PlannedKey(
    string Name,
    KeyKind Kind,
    IReadOnlyList<string?> Columns,
    bool Rewritten,
    bool IsConstraint,
    string SourceDefinition)
{
    public override string ToString() =>
        $"{Name} ({string.Join(", ", Columns.Select(c => c is null ? "(expression)" : Sql.IdentIfNeeded(c)))})";
}

/// <summary>A foreign key as it will be on the target.</summary>
/// <param name="Rewritten">True when the target's key differs from the source's: columns added or an action changed.</param>
/// <param name="OnUpdate">The ON UPDATE action on the target, pg_constraint's letter code.</param>
public sealed record PlannedForeignKey(
    ForeignKey Source,
    IReadOnlyList<string> Columns,
    QualifiedName ReferencedTable,
    IReadOnlyList<string> ReferencedColumns,
    bool Rewritten,
    char OnUpdate)
{
    public string Name => Source.Name;

    public override string ToString() =>
        $"{Name} ({string.Join(", ", Columns.Select(Sql.IdentIfNeeded))}) → {ReferencedTable} ({string.Join(", ", ReferencedColumns.Select(Sql.IdentIfNeeded))})";
}

/// <summary>A <c>cast column</c> rule applied to a column.</summary>
public sealed record ColumnCast(string Column, string SourceType, string TargetType);

/// <summary>What Follow does with one table.</summary>
/// <param name="DistributionColumn">The distribution column on the target (added first when backfilled).</param>
/// <param name="DistributionColumnType">Its type: the root key's type.</param>
/// <param name="Backfill">The foreign-key path that fills the added column.</param>
/// <param name="AlternativePaths">Other paths to the distribution key, when a rule chose one; their rows may disagree.</param>
/// <param name="ColocateWith">The table to colocate with, for <c>create_distributed_table</c>.</param>
public sealed record TablePlan(
    Table Source,
    TableCategory Category,
    string? DistributionColumn,
    string? DistributionColumnType,
    BackfillPath? Backfill,
    IReadOnlyList<BackfillPath> AlternativePaths,
    PlannedKey? PrimaryKey,
    IReadOnlyList<PlannedKey> UniqueKeys,
    IReadOnlyList<PlannedForeignKey> ForeignKeys,
    QualifiedName? ColocateWith,
    IReadOnlyList<ColumnCast> Casts)
{
    public QualifiedName Name => Source.Name;

    /// <summary>True when the target table gets a column the source table does not have.</summary>
    public bool AddsDistributionColumn => Category == TableCategory.DistributedBackfill;
}
