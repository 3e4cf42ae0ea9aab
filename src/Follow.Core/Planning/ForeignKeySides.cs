using Follow.Model;

namespace Follow.Planning;

/// <summary>A foreign key of the source with what the plan makes of the table that holds it and the one it references.</summary>
/// <param name="Child">The referencing table.</param>
/// <param name="ChildColumn">The referencing table's distribution column; null unless it is distributed.</param>
/// <param name="ParentColumn">The referenced table's distribution column; null unless it is distributed.</param>
/// <param name="ChildRoot">For a distributed referencing table, the table whose key it carries.</param>
/// <param name="ParentRoot">For a distributed referenced table, the table whose key it carries.</param>
/// <param name="Colocated">For two distributed tables: whether they are in one colocation group.</param>
/// <param name="ChildInMetadata">
/// Whether Citus keeps the referencing table in its metadata, where it checks the key's actions: a distributed or
/// reference table, or a local table tied to a reference table by foreign keys, which Citus turns into a Citus
/// local table when the key is added.
/// </param>
public sealed record ForeignKeySides(
    ForeignKey Key,
    Table Child,
    TableCategory ChildCategory,
    string? ChildColumn,
    TableCategory ParentCategory,
    string? ParentColumn,
    QualifiedName? ChildRoot,
    QualifiedName? ParentRoot,
    bool Colocated,
    bool ChildInMetadata);
