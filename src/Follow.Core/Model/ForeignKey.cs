namespace Follow.Model;

/// <summary>A foreign key; actions and match type are pg_constraint's one-letter codes.</summary>
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
    string Definition)
{
    public bool IsSelfReference => Table == ReferencedTable;

    public override string ToString() => $"{Name} ({string.Join(", ", Columns)}) → {ReferencedTable}";
}
