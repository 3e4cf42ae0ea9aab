using Follow.Diagnostics;

namespace Follow.Rules;

/// <summary>A rules or .load file that cannot be parsed; the message starts with file:line:column.</summary>
public sealed class RulesSyntaxException(SourcePosition position, string problem)
    : BadInputException($"{position}: {problem}")
{
    public SourcePosition Position { get; } = position;
}
