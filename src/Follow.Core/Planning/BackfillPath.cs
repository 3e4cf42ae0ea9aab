using Follow.Model;

namespace Follow.Planning;

/// <summary>One step of a backfill path: the child's foreign key to its parent.</summary>
/// <param name="Enforced">The source enforces the key (it was validated): every non-NULL value has its parent row.</param>
public sealed record ForeignKeyHop(
    string Constraint,
    QualifiedName Child,
    IReadOnlyList<string> ChildColumns,
    QualifiedName Parent,
    IReadOnlyList<string> ParentColumns,
    bool Enforced = true)
{
    public override string ToString() => $"{Child} → {Parent} ({Constraint})";
}

/// <summary>
/// The foreign keys followed from a table to the nearest table that holds the distribution column,
/// pgloader's <c>from ads, campaigns</c>.
/// </summary>
public sealed record BackfillPath(IReadOnlyList<ForeignKeyHop> Hops)
{
    /// <summary>The tables joined, nearest first: what pgloader's <c>from</c> list names.</summary>
    public IEnumerable<QualifiedName> Tables => Hops.Select(h => h.Parent);

    /// <summary>The table whose distribution column gives the value.</summary>
    public QualifiedName Holder => Hops[^1].Parent;

    public override string ToString() => string.Join(", ", Tables);

    public bool Equals(BackfillPath? other) => other is not null && Hops.SequenceEqual(other.Hops);

    public override int GetHashCode() => Hops.Aggregate(0, (h, hop) => HashCode.Combine(h, hop.Constraint, hop.Parent));
}
