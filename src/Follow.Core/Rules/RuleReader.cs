namespace Follow.Rules;

/// <summary>
/// What the rules file and the .load command share: the token stream, names, messages, and the rules read so far.
/// Keywords are the words that start a statement or clause in the format being read; unquoted, they are not names.
/// </summary>
internal sealed partial class RuleReader(RulesLexer lexer, IReadOnlySet<string> keywords)
{
    public RulesLexer Lexer => lexer;
    public List<DistributeRule> Distribute { get; } = [];
    public List<ReferenceTableRule> Reference { get; } = [];
    public List<CastColumnRule> Casts { get; } = [];
    public List<string> IncludeOnlySchemas { get; } = [];
    public List<string> ExcludeSchemas { get; } = [];
    public List<TablePattern> IncludeOnlyTables { get; } = [];
    public List<TablePattern> ExcludeTables { get; } = [];
    public List<string> Warnings { get; } = [];

    public Token Peek(int ahead = 0) => lexer.Peek(ahead);
    public Token Next() => lexer.Next();

    public SourcePosition At(Token token) => new(lexer.FileName, token.Line, token.Column);

    public RulesSyntaxException Expected(Token found, string what, string? hint = null) =>
        new(At(found), $"expected {what} but found {found.Describe()}" + (hint is null ? "" : $"; {hint}"));

    public void Warn(Token at, string message) => Warnings.Add($"{At(at)}: {message}");

    public Token ExpectWord(string keyword, string what)
    {
        var token = Peek();
        if (!token.IsWord(keyword)) throw Expected(token, what);
        return Next();
    }

    public bool IsKeyword(Token token) => token.Kind == TokenKind.Word && keywords.Contains(token.Text);

    /// <summary>Whether the token ahead starts a statement or clause, and so ends the phrase being read.</summary>
    public bool IsClauseStart(int ahead = 0, string? notBoundary = null)
    {
        var token = Peek(ahead);
        if (!IsKeyword(token) || (notBoundary is not null && token.IsWord(notBoundary))) return false;
        // pgloader phrases that reuse clause keywords: "with extra auto_increment" in type casts, "set not null".
        if (token.IsWord("with") && Peek(ahead + 1).IsWord("extra")) return false;
        if (token.IsWord("set") && Peek(ahead + 1).IsWord("not")) return false;
        return true;
    }

    /// <summary>
    /// Tokens up to the next clause start, ; or end of file (and comma, if asked), outside parentheses.
    /// Used to step over what Follow does not support.
    /// </summary>
    public List<Token> ReadPhrase(bool stopAtComma, string? notBoundary = null)
    {
        var tokens = new List<Token>();
        var depth = 0;
        while (true)
        {
            var token = Peek();
            if (token.Kind is TokenKind.End or TokenKind.Semicolon) return tokens;
            if (depth == 0 && ((stopAtComma && token.Kind == TokenKind.Comma) || IsClauseStart(0, notBoundary))) return tokens;
            if (token is { Kind: TokenKind.Symbol, Text: "(" }) depth++;
            else if (token is { Kind: TokenKind.Symbol, Text: ")" } && depth > 0) depth--;
            tokens.Add(Next());
        }
    }

    /// <summary>A phrase as people write it, for warnings: words folded, quoted parts re-quoted.</summary>
    public static string Render(IEnumerable<Token> tokens) => string.Join(" ", tokens.Select(token => token.Kind switch
    {
        TokenKind.Word => Fold(token.Text),
        TokenKind.Symbol or TokenKind.Comma or TokenKind.Dot or TokenKind.Equals or TokenKind.Semicolon => token.Text,
        _ => token.Describe(),
    }));

    /// <summary>
    /// PostgreSQL folds unquoted identifiers to lower case, ASCII letters only in a UTF-8 database,
    /// so a table created as Ünïcode without quotes is named Ünïcode.
    /// </summary>
    public static string Fold(string word) => string.Create(word.Length, word, static (span, source) =>
    {
        for (var i = 0; i < source.Length; i++)
        {
            var c = source[i];
            span[i] = c is >= 'A' and <= 'Z' ? (char)(c + ('a' - 'A')) : c;
        }
    });

    public RuleSet Build(LoadCommandSettings? load)
    {
        var filters = new Filters(IncludeOnlySchemas, ExcludeSchemas, IncludeOnlyTables, ExcludeTables);
        return new RuleSet(Distribute, Reference, Casts, filters.IsEmpty ? Filters.None : filters, load, Warnings);
    }
}
