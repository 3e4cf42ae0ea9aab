namespace Follow.Model;

/// <summary>
/// A foreign key; actions and match type are pg_constraint's one-letter codes. <see cref="Validated"/> is false for a
/// key added NOT VALID and never validated: rows may break it.
/// </summary>
public sealed record ForeignKey(
    string Name,
    QualifiedName Table,
    IReadOnlyList<string> Columns,
    QualifiedName ReferencedTable,
    IReadOnlyList<string> ReferencedColumns,
    char OnUpdate,
    char OnDelete,
    char MatchType,
    bool Deferrable,
    bool InitiallyDeferred,
    string Definition,
    bool Validated = true)
{
    public bool IsSelfReference => Table == ReferencedTable;

    public override string ToString() => $"{Name} ({string.Join(", ", Columns)}) → {ReferencedTable}";
}
