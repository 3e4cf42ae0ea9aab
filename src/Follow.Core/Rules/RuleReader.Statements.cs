namespace Follow.Rules;

/// <summary>Names, and the distribute and cast statements, which read the same in both formats.</summary>
internal sealed partial class RuleReader
{
    /// <summary>An identifier: unquoted words folded as PostgreSQL does, quoted ones kept exactly.</summary>
    public string ReadName(string what, string? hint = null)
    {
        var token = Peek();
        if (token.Kind == TokenKind.QuotedIdentifier) return Next().Text;
        if (token.Kind == TokenKind.Word && !IsKeyword(token)) return Fold(Next().Text);
        if (IsKeyword(token)) hint ??= $"quote it (\"{token.Text}\") if it is a name";
        throw Expected(token, what, hint);
    }

    /// <summary><c>table</c> or <c>schema.table</c>.</summary>
    public TableRef ReadTableRef(string what, string? hint = null)
    {
        var first = ReadName(what, hint);
        if (Peek().Kind != TokenKind.Dot) return new TableRef(null, first);
        Next();
        var name = ReadName("a table name after `schema.`");
        var extra = Peek();
        if (extra.Kind == TokenKind.Dot) throw Expected(extra, "`schema.table`, with at most one `.`,");
        return new TableRef(first, name);
    }

    /// <summary><c>distribute T using C [from T1, …]</c> or <c>distribute T as reference table</c>.</summary>
    public void ReadDistribute()
    {
        var start = Next();
        var table = ReadTableRef("a table name after `distribute`");
        var next = Peek();
        if (next.IsWord("using"))
        {
            Next();
            var column = ReadName("a column name after `using`");
            var from = new List<TableRef>();
            if (Peek().IsWord("from"))
            {
                Next();
                from.Add(ReadTableRef("a table name after `from`"));
                while (Peek().Kind == TokenKind.Comma)
                {
                    Next();
                    from.Add(ReadTableRef("a table name after `,`", "remove the trailing comma, or quote the name if it is a table"));
                }
            }
            Distribute.Add(new DistributeRule(table, column, from, At(start)));
        }
        else if (next.IsWord("as"))
        {
            Next();
            ExpectWord("reference", "`reference table` after `as`");
            ExpectWord("table", "`table` after `as reference`");
            Reference.Add(new ReferenceTableRule(table, At(start)));
        }
        else
        {
            throw Expected(next, "`using` or `as reference table` after the table name");
        }
    }

    /// <summary>
    /// After <c>cast</c>: comma-separated <c>column T.C to type [modifiers]</c>. pgloader's <c>type …</c> casts
    /// change every column of a type; Follow keeps types, so a .load file's are skipped with a warning.
    /// </summary>
    public void ReadCasts(Token castKeyword, bool skipTypeCasts)
    {
        var at = castKeyword;
        var after = "`cast`";
        while (true)
        {
            var token = Peek();
            if (token.IsWord("column"))
            {
                Next();
                ReadColumnCast(at);
            }
            else if (skipTypeCasts && token.IsWord("type"))
            {
                Next();
                var phrase = ReadPhrase(stopAtComma: true);
                var name = phrase.Count > 0 && phrase[0].Kind is TokenKind.Word or TokenKind.QuotedIdentifier
                    ? $"type {Render(phrase.Take(1))}"
                    : "type";
                Warn(token, $"cast \"{name}\" is not supported by Follow and is ignored");
            }
            else
            {
                throw skipTypeCasts
                    ? Expected(token, $"`column` or `type` after {after}")
                    : Expected(token, $"`column` after {after}", "Follow casts single columns: cast column table.column to \"type\"");
            }
            if (Peek().Kind != TokenKind.Comma) return;
            Next();
            at = Peek();
            after = "`,`";
        }
    }

    private void ReadColumnCast(Token at)
    {
        // table.column or schema.table.column: the last part is the column.
        var parts = new List<string> { ReadName("`table.column` after `column`") };
        while (Peek().Kind == TokenKind.Dot)
        {
            if (parts.Count == 3) throw Expected(Peek(), "`to` after `schema.table.column`");
            Next();
            parts.Add(ReadName("a name after `.`"));
        }
        if (parts.Count == 1)
        {
            throw Expected(Peek(), "`.` and a column name after the table name", "write cast column table.column to \"type\"");
        }
        ExpectWord("to", "`to` after the column name");

        var typeToken = Peek();
        var type = typeToken.Kind switch
        {
            TokenKind.QuotedIdentifier => typeToken.Text,
            TokenKind.Word when !IsKeyword(typeToken) => Fold(typeToken.Text),
            _ => throw Expected(typeToken, "a type after `to`", "quote a type of several words: to \"timestamp with time zone\""),
        };
        Next();
        while (SkipCastModifier()) { }

        var table = parts.Count == 3 ? new TableRef(parts[0], parts[1]) : new TableRef(null, parts[0]);
        Casts.Add(new CastColumnRule(table, parts[^1], type, At(at)));
    }

    private static bool IsFunctionNamePunctuation(Token token) => token is { Kind: TokenKind.Symbol, Text: "-" or ":" };

    private static readonly string[] ModifierWords = ["default", "not", "null", "typemod"];

    /// <summary>pgloader's cast options (drop default, keep typemod, set not null, using f…), which Follow ignores.</summary>
    private bool SkipCastModifier()
    {
        var first = Peek();
        var words = new List<Token>();
        if (first.IsWord("using"))
        {
            words.Add(Next());
            var function = Peek();
            if (function.Kind is not (TokenKind.Word or TokenKind.QuotedIdentifier)) throw Expected(function, "a function name after `using`");
            words.Add(Next());
        }
        else if (first.IsWord("drop") || first.IsWord("keep") || (first.IsWord("set") && Peek(1).IsWord("not")))
        {
            words.Add(Next());
            while (ModifierWords.Any(Peek().IsWord)) words.Add(Next());
            if (words.Count == 1) throw Expected(Peek(), $"`default`, `not null` or `typemod` after `{first.Text}`");
        }
        else
        {
            return false;
        }
        var name = Render(words);
        // Function names such as zero-dates-to-null or pkg::fn are written without spaces.
        while (first.IsWord("using") && IsFunctionNamePunctuation(Peek()))
        {
            while (IsFunctionNamePunctuation(Peek())) name += Next().Text;
            if (Peek().Kind == TokenKind.Word) name += Fold(Next().Text);
        }
        Warn(first, $"cast option \"{name}\" is not supported by Follow and is ignored");
        return true;
    }
}
