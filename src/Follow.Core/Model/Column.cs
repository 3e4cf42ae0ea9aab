namespace Follow.Model;

/// <summary>A table column as the source catalog describes it.</summary>
/// <param name="Type">The type as <c>format_type</c> prints it, typmod included (e.g. <c>numeric(20,10)</c>).</param>
/// <param name="Identity"><c>a</c> (ALWAYS), <c>d</c> (BY DEFAULT) or null.</param>
/// <param name="GenerationExpression">The expression of a <c>GENERATED ALWAYS AS (…) STORED</c> column, else null.</param>
/// <param name="Collation">The collation when it differs from the type's default, else null.</param>
public sealed record Column(
    string Name,
    int Number,
    string Type,
    bool NotNull,
    string? Default,
    char? Identity,
    string? GenerationExpression,
    string? Collation,
    char? Storage = null,
    int? StatisticsTarget = null)
{
    public bool IsGenerated => GenerationExpression is not null;
}
