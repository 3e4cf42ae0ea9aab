namespace Follow.Model;

/// <summary>A sequence; <see cref="OwnedBy"/> is the column it belongs to (serial or identity), if any.</summary>
public sealed record Sequence(
    QualifiedName Name,
    string DataType,
    long? LastValue,
    SequenceOwner? OwnedBy,
    bool IsIdentity);

public sealed record SequenceOwner(QualifiedName Table, string Column);
