namespace Follow.Model;

public enum KeyKind { PrimaryKey, Unique, Exclusion }

/// <summary>
/// A primary key, unique or exclusion constraint; <see cref="Definition"/> is <c>pg_get_constraintdef</c>.
/// <see cref="Inherited"/> marks a partition's copy of its parent's constraint.
/// </summary>
public sealed record KeyConstraint(
    string Name,
    KeyKind Kind,
    IReadOnlyList<string> Columns,
    string IndexName,
    bool Deferrable,
    bool InitiallyDeferred,
    string Definition,
    bool Inherited = false);
