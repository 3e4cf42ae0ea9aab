using Follow.Model;

namespace Follow.Enrich;

/// <summary>
/// Rows of <see cref="Table"/> whose <see cref="Columns"/> equal each of <see cref="Keys"/> (a NULL part matches
/// IS NULL); the answer for each key is its row's <see cref="Returned"/> column as text, or null when there is none.
/// </summary>
public sealed record KeyQuery(QualifiedName Table, IReadOnlyList<string> Columns, string Returned, IReadOnlyList<IReadOnlyList<string?>> Keys);
