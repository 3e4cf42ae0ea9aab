using System.Collections.Frozen;

namespace Follow.Rules;

/// <summary>
/// Follow's rules file: distribute and cast statements, each optionally ended by ;, and pgcopydb-style filter
/// sections whose entries are one per line.
/// </summary>
internal static class RulesFileParser
{
    private static readonly FrozenSet<string> Keywords =
        new[] { "distribute", "cast" }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private enum Section { IncludeOnlySchema, ExcludeSchema, IncludeOnlyTable, ExcludeTable }

    private static readonly FrozenDictionary<string, Section> Sections = new Dictionary<string, Section>
    {
        ["include-only-schema"] = Section.IncludeOnlySchema,
        ["exclude-schema"] = Section.ExcludeSchema,
        ["include-only-table"] = Section.IncludeOnlyTable,
        ["exclude-table"] = Section.ExcludeTable,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    public static RuleSet Parse(RulesLexer lexer)
    {
        var reader = new RuleReader(lexer, Keywords);
        while (true)
        {
            var token = reader.Peek();
            switch (token.Kind)
            {
                case TokenKind.End:
                    return reader.Build(load: null);
                case TokenKind.Semicolon:
                    reader.Next();
                    break;
                case TokenKind.SectionHeader:
                    ReadSection(reader);
                    break;
                case TokenKind.Word when token.IsWord("distribute"):
                    reader.ReadDistribute();
                    break;
                case TokenKind.Word when token.IsWord("cast"):
                    reader.Next();
                    reader.ReadCasts(token, skipTypeCasts: false);
                    break;
                default:
                    throw reader.Expected(token, "`distribute`, `cast`, `;` or a filter section such as [exclude-table]");
            }
        }
    }

    private static void ReadSection(RuleReader reader)
    {
        var header = reader.Next();
        if (!Sections.TryGetValue(header.Text, out var section))
        {
            throw new RulesSyntaxException(reader.At(header),
                $"unknown filter section [{header.Text}]; the valid sections are "
                + string.Join(", ", Sections.Keys.Order(StringComparer.Ordinal).Select(name => $"[{name}]")));
        }
        var isSchemaSection = section is Section.IncludeOnlySchema or Section.ExcludeSchema;
        var what = isSchemaSection ? "a schema name" : "a table name";

        while (true)
        {
            var token = reader.Peek();
            if (token.Kind is TokenKind.End or TokenKind.SectionHeader) return;
            if (token.Kind == TokenKind.Semicolon)
            {
                reader.Next();
                continue;
            }
            if (token.StartsLine && reader.IsKeyword(token)) return;
            if (!token.StartsLine)
            {
                throw reader.Expected(token, $"one entry per line in [{header.Text}]", "start each entry on a line of its own");
            }

            if (isSchemaSection)
            {
                var schema = reader.ReadName(what);
                (section == Section.IncludeOnlySchema ? reader.IncludeOnlySchemas : reader.ExcludeSchemas).Add(schema);
                continue;
            }
            TablePattern pattern;
            if (token.Kind == TokenKind.Regex)
            {
                reader.Next();
                pattern = new TablePattern(null, token.Text, IsRegex: true, reader.At(token));
            }
            else
            {
                var table = reader.ReadTableRef(what);
                pattern = new TablePattern(table.Schema, table.Name, IsRegex: false, reader.At(token));
            }
            (section == Section.IncludeOnlyTable ? reader.IncludeOnlyTables : reader.ExcludeTables).Add(pattern);
        }
    }
}
