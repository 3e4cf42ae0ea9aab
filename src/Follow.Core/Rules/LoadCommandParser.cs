using System.Collections.Frozen;

namespace Follow.Rules;

/// <summary>
/// pgloader's <c>load database from … into … [clauses] ;</c>. Follow takes the connections, <c>include drop</c>,
/// column casts, distribute rules and table name filters; every other option or clause is skipped with a warning.
/// </summary>
internal static class LoadCommandParser
{
    private static readonly FrozenSet<string> Keywords = new[]
    {
        "with", "set", "cast", "distribute", "including", "excluding", "before", "after", "alter", "materialize",
        "decoding",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    public static RuleSet Parse(RulesLexer lexer)
    {
        var reader = new RuleReader(lexer, Keywords);
        reader.ExpectWord("load", "`load database`");
        reader.ExpectWord("database", "`database` after `load` (Follow reads `load database` commands only)");
        reader.ExpectWord("from", "`from` and the source connection after `load database`");
        var source = ReadConnection(reader, "from");
        reader.ExpectWord("into", "`into` and the target connection after the source connection");
        var target = ReadConnection(reader, "into");

        var includeDrop = false;
        while (true)
        {
            var token = reader.Peek();
            if (token.Kind == TokenKind.Semicolon)
            {
                reader.Next();
                break;
            }
            if (token.Kind == TokenKind.End) throw reader.Expected(token, "`;` at the end of the load command");

            if (token.IsWord("with")) includeDrop = ReadOptions(reader) ?? includeDrop;
            else if (token.IsWord("cast"))
            {
                reader.Next();
                reader.ReadCasts(token, skipTypeCasts: true);
            }
            else if (token.IsWord("distribute")) reader.ReadDistribute();
            else if (token.IsWord("including") || token.IsWord("excluding"))
            {
                if (!ReadTableNameFilter(reader)) SkipClause(reader);
            }
            else if (reader.IsClauseStart()) SkipClause(reader);
            else
            {
                throw reader.Expected(token,
                    "a clause (with, cast, distribute, including, excluding, set, before load, after load, …) or the `;` that ends the command");
            }
        }

        var rest = reader.Peek();
        if (rest.Kind != TokenKind.End)
        {
            throw reader.Expected(rest, "the end of the file after the `;` that ends the load command", "Follow reads one command per file");
        }
        return reader.Build(new LoadCommandSettings(source, target, includeDrop));
    }

    /// <summary>Kept as written; never put into a message, as it may hold a password.</summary>
    private static string ReadConnection(RuleReader reader, string after)
    {
        var token = reader.Lexer.NextRaw();
        if (token.Kind == TokenKind.String) return token.Text;
        // A keyword here means the connection string is missing; naming the keyword is safe.
        if (token.Kind == TokenKind.Raw && (Keywords.Contains(token.Text) || token.Text.Equals("into", StringComparison.OrdinalIgnoreCase)))
        {
            token = token with { Kind = TokenKind.Word };
        }
        if (token.Kind != TokenKind.Raw) throw reader.Expected(token, $"a connection string after `{after}`");
        return token.Text;
    }

    /// <summary>Comma-separated option phrases; returns what <c>include [no] drop</c> says, if present.</summary>
    private static bool? ReadOptions(RuleReader reader)
    {
        reader.Next();
        bool? includeDrop = null;
        var after = "`with`";
        while (true)
        {
            var first = reader.Peek();
            var phrase = reader.ReadPhrase(stopAtComma: true);
            if (phrase.Count == 0) throw reader.Expected(first, $"an option after {after}");

            var words = RuleReader.Render(phrase);
            if (words == "include drop") includeDrop = true;
            else if (words == "include no drop") includeDrop = false;
            else
            {
                // Name the option, not its value.
                var name = RuleReader.Render(phrase.TakeWhile(token => token.Kind != TokenKind.Equals));
                reader.Warn(first, $"option \"{name}\" is not supported by Follow and is ignored");
            }

            if (reader.Peek().Kind != TokenKind.Comma) return includeDrop;
            reader.Next();
            after = "`,`";
        }
    }

    /// <summary>
    /// <c>including only table names matching 'a', ~/b/ [in schema 's']</c> or <c>excluding table names matching …</c>.
    /// Returns false, reading nothing, for any other including/excluding clause.
    /// </summary>
    private static bool ReadTableNameFilter(RuleReader reader)
    {
        var start = reader.Peek();
        string[] words = start.IsWord("including") ? ["including", "only", "table", "names", "matching"]
            : start.IsWord("excluding") ? ["excluding", "table", "names", "matching"]
            : [];
        if (words.Length == 0 || words.Select((word, i) => reader.Peek(i).IsWord(word)).Contains(false)) return false;
        foreach (var _ in words) reader.Next();

        var patterns = new List<Token>();
        var after = "`matching`";
        while (true)
        {
            var token = reader.Peek();
            if (token.Kind is not (TokenKind.String or TokenKind.Regex))
            {
                throw reader.Expected(token, $"a quoted name or a ~/regular expression/ after {after}");
            }
            patterns.Add(reader.Next());
            if (reader.Peek().Kind != TokenKind.Comma) break;
            reader.Next();
            after = "`,`";
        }

        string? schema = null;
        if (reader.Peek().IsWord("in"))
        {
            reader.Next();
            reader.ExpectWord("schema", "`schema` after `in`");
            schema = reader.Peek().Kind == TokenKind.String ? reader.Next().Text : reader.ReadName("a schema name after `in schema`");
        }

        var list = start.IsWord("including") ? reader.IncludeOnlyTables : reader.ExcludeTables;
        list.AddRange(patterns.Select(token =>
            new TablePattern(schema, token.Text, token.Kind == TokenKind.Regex, reader.At(token))));
        return true;
    }

    private static void SkipClause(RuleReader reader)
    {
        var start = reader.Peek();
        reader.Warn(start, $"clause \"{ClauseName(reader)}\" is not supported by Follow and is ignored");
        reader.Next();
        // "alter table names matching … set schema 'x'": that set belongs to the alter clause.
        reader.ReadPhrase(stopAtComma: false, notBoundary: start.IsWord("alter") ? "set" : null);
    }

    private static string ClauseName(RuleReader reader)
    {
        var keyword = RuleReader.Fold(reader.Peek().Text);
        var words = new List<Token> { reader.Peek() };
        var most = keyword switch
        {
            "before" or "after" or "alter" or "materialize" => 2,
            "including" or "excluding" => 4,
            _ => 1,
        };
        while (words.Count < most && reader.Peek(words.Count) is { Kind: TokenKind.Word } word
               && !word.IsWord("matching") && !word.IsWord("like"))
        {
            words.Add(word);
        }
        return RuleReader.Render(words);
    }
}
