using Follow.Model;

namespace Follow.Enrich;

/// <summary>A parent's key values (Row false) or a row's replica identity (Row true), in a table.</summary>
/// <remarks>
/// Hashed by the table's object, not its name: each is the plan's own <see cref="QualifiedName"/> (hashing both
/// parts of a name for every look-up showed in profiles).
/// </remarks>
public readonly struct Lookup(bool row, QualifiedName table, string key) : IEquatable<Lookup>
{
    public bool Row { get; } = row;
    public QualifiedName Table { get; } = table;
    public string Key { get; } = key;

    public bool Equals(Lookup other) => Row == other.Row && Key == other.Key && (ReferenceEquals(Table, other.Table) || Table == other.Table);

    public override bool Equals(object? obj) => obj is Lookup other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Row, Key, System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(Table));

    /// <summary>Several key values as one string; a NULL part as a character no text value holds.</summary>
    public static string KeyOf(IReadOnlyList<ColumnValue> values) =>
        values is [{ Kind: ValueKind.Text, Text: { } only }] ? only : string.Join("\u0001", values.Select(v => v.Kind == ValueKind.Null ? "\u0000" : v.Text));
}
