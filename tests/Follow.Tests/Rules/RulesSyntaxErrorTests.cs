using Follow.Rules;

namespace Follow.Tests.Rules;

public class RulesSyntaxErrorTests
{
    private static string Error(string text, string file = "rules.txt") =>
        Assert.Throws<RulesSyntaxException>(() => RulesParser.Parse(text, file)).Message;

    [Fact]
    public void A_misspelt_statement_keyword_names_its_line_and_column()
    {
        Assert.Equal(
            "rules.txt:2:1: expected `distribute`, `cast`, `;` or a filter section such as [exclude-table] but found `distrbute`",
            Error("distribute a using b\ndistrbute c using d"));
    }

    [Fact]
    public void A_misspelt_using_asks_for_using_or_as_reference_table()
    {
        Assert.Equal(
            "rules.txt:1:14: expected `using` or `as reference table` after the table name but found `uzing`",
            Error("distribute t uzing c"));
    }

    [Fact]
    public void A_missing_column_after_using_points_at_what_follows()
    {
        Assert.Equal("rules.txt:1:19: expected a column name after `using` but found `;`", Error("distribute t using;"));
        Assert.Equal(
            "rules.txt:2:3: expected a column name after `using` but found `distribute`; quote it (\"distribute\") if it is a name",
            Error("distribute t using\n  distribute u using c"));
        Assert.Equal("rules.txt:1:19: expected a column name after `using` but found the end of the file", Error("distribute t using"));
    }

    [Fact]
    public void An_unterminated_quote_names_where_it_started()
    {
        Assert.Equal(
            "rules.txt:3:5: unterminated quoted identifier; add the closing \"",
            Error("distribute a using b\ndistribute c using d from e,\n    \"Order Items, f\ndistribute g using h"));
        Assert.Equal(
            "x.load:3:5: unterminated quoted string; add the closing '",
            Error("load database from pgsql:///a into pgsql:///b\n\nset 'oops ;", "x.load"));
    }

    [Fact]
    public void Unterminated_comments_regexes_and_dollar_blocks_name_where_they_started()
    {
        Assert.Equal("rules.txt:2:3: unterminated /* comment; add the closing */", Error("distribute a using b\n  /* never closed"));
        Assert.Equal(
            "x.load:2:32: unterminated regular expression; add the closing /",
            Error("load database from pgsql:///a into pgsql:///b\nexcluding table names matching ~/tmp;", "x.load"));
        Assert.Equal(
            "x.load:1:62: unterminated $$ block; add the closing $$",
            Error("load database from pgsql:///a into pgsql:///b before load do $$ select 1;", "x.load"));
    }

    [Fact]
    public void An_unknown_section_header_is_named_with_the_valid_ones()
    {
        Assert.Equal(
            "rules.txt:2:1: unknown filter section [exclude-index]; the valid sections are "
            + "[exclude-schema], [exclude-table], [include-only-schema], [include-only-table]",
            Error("[exclude-table]\n[exclude-index]\nfoo"));
    }

    [Fact]
    public void Section_entries_are_one_per_line()
    {
        Assert.Equal(
            "rules.txt:2:5: expected one entry per line in [exclude-table] but found `b`; start each entry on a line of its own",
            Error("[exclude-table]\n  a b"));
    }

    [Fact]
    public void A_from_list_with_a_trailing_comma_points_after_the_comma()
    {
        Assert.Equal(
            "rules.txt:2:1: expected a table name after `,` but found `distribute`; remove the trailing comma, or quote the name if it is a table",
            Error("distribute a using b from c,\ndistribute d using e"));
        Assert.Equal(
            "x.load:1:76: expected a table name after `,` but found `;`; remove the trailing comma, or quote the name if it is a table",
            Error("load database from pgsql:///a into pgsql:///b distribute a using b from c, ;", "x.load"));
    }

    [Fact]
    public void A_cast_needs_table_dot_column_and_a_type()
    {
        Assert.Equal(
            "rules.txt:1:18: expected `.` and a column name after the table name but found `to`; write cast column table.column to \"type\"",
            Error("cast column seen to \"int\""));
        Assert.Equal("rules.txt:1:18: expected `to` after `schema.table.column` but found `.`", Error("cast column a.b.c.d to \"int\""));
        Assert.Equal(
            "rules.txt:1:6: expected `column` after `cast` but found `type`; Follow casts single columns: cast column table.column to \"type\"",
            Error("cast type int to bigint"));
    }

    [Fact]
    public void A_load_command_needs_from_into_and_a_final_semicolon()
    {
        Assert.Equal(
            "x.load:2:3: expected `from` and the source connection after `load database` but found `into`",
            Error("load database\n  into pgsql:///b;", "x.load"));
        Assert.Equal(
            "x.load:1:33: expected `into` and the target connection after the source connection but found `with`",
            Error("load database from pgsql:///a   with include drop;", "x.load"));
        Assert.Equal(
            "x.load:1:20: expected a connection string after `from` but found `into`",
            Error("load database from into pgsql:///b;", "x.load"));
        Assert.Equal(
            "x.load:2:1: expected `;` at the end of the load command but found the end of the file",
            Error("load database from pgsql:///a into pgsql:///b with include drop\n", "x.load"));
        Assert.Equal(
            "x.load:1:9: expected `database` after `load` (Follow reads `load database` commands only) but found `csv`",
            Error("LOAD    csv from 'data.csv' into pgsql:///b;", "x.load"));
    }

    [Fact]
    public void A_load_command_rejects_text_after_its_semicolon_and_unknown_clauses()
    {
        Assert.Equal(
            "x.load:2:1: expected the end of the file after the `;` that ends the load command but found `distribute`; Follow reads one command per file",
            Error("load database from pgsql:///a into pgsql:///b;\ndistribute a using b", "x.load"));
        Assert.StartsWith(
            "x.load:1:47: expected a clause (with, cast, distribute, including, excluding, set, before load, after load, …)",
            Error("load database from pgsql:///a into pgsql:///b frobnicate;", "x.load"));
    }
}
