namespace Follow.Rules;

/// <summary>
/// One lexeme and where it starts (1-based). StartsLine is true when no other token precedes it on its line,
/// which is what ends an entry list in a filter section.
/// </summary>
internal sealed record Token(TokenKind Kind, string Text, int Line, int Column, bool StartsLine)
{
    public bool IsWord(string keyword) =>
        Kind == TokenKind.Word && string.Equals(Text, keyword, StringComparison.OrdinalIgnoreCase);

    /// <summary>For messages. Connection strings are never shown: they may hold a password.</summary>
    public string Describe() => Kind switch
    {
        TokenKind.End => "the end of the file",
        TokenKind.Word or TokenKind.Comma or TokenKind.Dot or TokenKind.Semicolon or TokenKind.Equals
            or TokenKind.Symbol => $"`{Text}`",
        TokenKind.QuotedIdentifier => $"\"{Shorten(Text).Replace("\"", "\"\"")}\"",
        TokenKind.String => $"'{Shorten(Text).Replace("'", "''")}'",
        TokenKind.Regex => "a regular expression",
        TokenKind.DollarBlock => "a $$ block",
        TokenKind.SectionHeader => $"[{Shorten(Text)}]",
        TokenKind.Raw => "a connection string",
        _ => Kind.ToString(),
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..37] + "...";
}
