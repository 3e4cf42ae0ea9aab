namespace Follow.Model;

/// <summary>
/// An index. <see cref="Columns"/> holds the key columns by name, null for an expression;
/// <see cref="Definition"/> is <c>pg_get_indexdef</c>. <see cref="Constraint"/> names the constraint it backs, if any.
/// </summary>
public sealed record Index(
    string Name,
    bool IsUnique,
    bool IsPrimary,
    IReadOnlyList<string?> Columns,
    bool IsPartial,
    string? Constraint,
    string Definition)
{
    public bool HasExpressions => Columns.Any(c => c is null);
}
