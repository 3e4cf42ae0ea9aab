using Follow.Rules;

namespace Follow.Tests.Rules;

public class RulesLexerTests
{
    private static List<Token> Lex(string text)
    {
        var lexer = new RulesLexer(text, "t");
        var tokens = new List<Token>();
        while (lexer.Peek().Kind != TokenKind.End) tokens.Add(lexer.Next());
        return tokens;
    }

    [Fact]
    public void Every_token_carries_its_one_based_line_and_column()
    {
        var tokens = Lex("distribute a\r\n  using \"B\" -- comment\n/* x\n */ , . ; =");

        Assert.Equal(
            [(1, 1), (1, 12), (2, 3), (2, 9), (4, 5), (4, 7), (4, 9), (4, 11)],
            tokens.Select(token => (token.Line, token.Column)));
        Assert.Equal([true, false, true, false, true, false, false, false], tokens.Select(token => token.StartsLine));
    }

    [Theory]
    [InlineData("~/a(b)/", "a(b)")]
    [InlineData("~<a/b>", "a/b")]
    [InlineData("~(a/b)", "a/b")]
    [InlineData("~[a/b]", "a/b")]
    [InlineData("~{a/b}", "a/b")]
    [InlineData("~|a/b|", "a/b")]
    public void Regexes_take_any_of_pgloaders_delimiters(string text, string pattern)
    {
        var token = Assert.Single(Lex(text));

        Assert.Equal(TokenKind.Regex, token.Kind);
        Assert.Equal(pattern, token.Text);
    }

    [Fact]
    public void Quotes_unescape_doubled_quotes_and_dollar_blocks_keep_their_body()
    {
        var tokens = Lex("\"a\"\"b\" 'it''s' $$ x; 'y' $$ $f$ $$ $f$ [ exclude-table ]");

        Assert.Equal(
            [(TokenKind.QuotedIdentifier, "a\"b"), (TokenKind.String, "it's"), (TokenKind.DollarBlock, " x; 'y' "),
             (TokenKind.DollarBlock, " $$ "), (TokenKind.SectionHeader, "exclude-table")],
            tokens.Select(token => (token.Kind, token.Text)));
    }

    [Fact]
    public void A_raw_connection_string_runs_to_the_next_blank_and_leaves_a_final_semicolon()
    {
        var lexer = new RulesLexer("from  postgresql://u:p--x~y'z@h/db;\n", "t");
        lexer.Peek();
        lexer.Next();

        var raw = lexer.NextRaw();

        Assert.Equal((TokenKind.Raw, "postgresql://u:p--x~y'z@h/db", 1, 7), (raw.Kind, raw.Text, raw.Line, raw.Column));
        Assert.Equal(TokenKind.Semicolon, lexer.Next().Kind);
    }

    [Fact]
    public void A_raw_read_after_a_peek_rereads_from_the_peeked_token()
    {
        var lexer = new RulesLexer("pgsql://h/db into", "t");
        Assert.Equal("pgsql", lexer.Peek().Text);

        Assert.Equal("pgsql://h/db", lexer.NextRaw().Text);
        Assert.True(lexer.Next().IsWord("INTO"));
    }

    [Fact]
    public void A_tilde_without_a_delimiter_is_an_error_at_the_tilde()
    {
        var error = Assert.Throws<RulesSyntaxException>(() => Lex("a\n ~x"));

        Assert.Equal(new SourcePosition("t", 2, 2), error.Position);
    }
}
