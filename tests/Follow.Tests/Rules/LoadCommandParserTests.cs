using Follow.Rules;

namespace Follow.Tests.Rules;

public class LoadCommandParserTests
{
    // pgloader's documented Citus example, as in samples/ad-platform/rules.load.
    private const string Seed = """
        load database
             from pgsql:///hackathon
             into pgsql://localhost:9700/dim

        with include drop, reset no sequences

        cast column impressions.seen_at to "timestamp with time zone"

        distribute companies using id
        -- distribute campaigns using company_id
        -- distribute ads using company_id from campaigns
        -- distribute clicks using company_id from ads, campaigns
        -- distribute impressions using company_id from ads, campaigns
        ;
        """;

    [Fact]
    public void Seed_command_gives_connections_and_include_drop()
    {
        var rules = RulesParser.Parse(Seed, "rules.load");

        Assert.NotNull(rules.Load);
        Assert.Equal("pgsql:///hackathon", rules.Load.SourceUri);
        Assert.Equal("pgsql://localhost:9700/dim", rules.Load.TargetUri);
        Assert.True(rules.Load.IncludeDrop);
    }

    [Fact]
    public void Seed_command_warns_that_reset_no_sequences_is_ignored()
    {
        var rules = RulesParser.Parse(Seed, "rules.load");

        var warning = Assert.Single(rules.Warnings);
        Assert.Equal("rules.load:5:20: option \"reset no sequences\" is not supported by Follow and is ignored", warning);
    }

    [Fact]
    public void Seed_command_gives_one_cast_and_one_distribute_rule_ignoring_comments()
    {
        var rules = RulesParser.Parse(Seed, "rules.load");

        var cast = Assert.Single(rules.Casts);
        Assert.Equal(new TableRef(null, "impressions"), cast.Table);
        Assert.Equal("seen_at", cast.Column);
        Assert.Equal("timestamp with time zone", cast.TargetType);
        Assert.Equal(new SourcePosition("rules.load", 7, 1), cast.Position);

        var distribute = Assert.Single(rules.Distribute);
        Assert.Equal(new TableRef(null, "companies"), distribute.Table);
        Assert.Equal("id", distribute.Column);
        Assert.Empty(distribute.From);
        Assert.Equal(new SourcePosition("rules.load", 9, 1), distribute.Position);
        Assert.Empty(rules.Reference);
        Assert.True(rules.Filters.IsEmpty);
    }

    [Fact]
    public void Sample_load_file_parses_like_the_seed()
    {
        var path = Path.Combine(RepositoryRoot(), "samples", "ad-platform", "rules.load");

        var rules = RulesParser.ParseFile(path);

        Assert.Equal("companies", Assert.Single(rules.Distribute).Table.Name);
        Assert.StartsWith($"{path}:5:20: ", Assert.Single(rules.Warnings));
    }

    [Fact]
    public void Connection_strings_may_be_quoted_and_keep_credentials_out_of_messages()
    {
        const string text = """
            LOAD DATABASE FROM 'postgresql://user:s3cret@host:5432/src'
                 INTO postgresql://admin:t0psecret@citus:9700/dim;
            """;

        var rules = RulesParser.Parse(text, "x.load");

        Assert.Equal("postgresql://user:s3cret@host:5432/src", rules.Load!.SourceUri);
        Assert.Equal("postgresql://admin:t0psecret@citus:9700/dim", rules.Load.TargetUri);
        Assert.False(rules.Load.IncludeDrop);
    }

    [Fact]
    public void A_syntax_error_after_the_connections_does_not_reveal_them()
    {
        const string text = "load database from postgresql://u:s3cret@h/db into postgresql://u:t0psecret@h/db with ,;";

        var error = Assert.Throws<RulesSyntaxException>(() => RulesParser.Parse(text, "x.load"));

        Assert.DoesNotContain("s3cret", error.Message);
        Assert.DoesNotContain("t0psecret", error.Message);
        Assert.StartsWith("x.load:1:87: expected an option after `with` but found `,`", error.Message);
    }

    [Fact]
    public void Include_no_drop_clears_include_drop_and_other_options_are_named_without_values()
    {
        const string text = """
            load database from pgsql:///a into pgsql:///b
            with include no drop, workers = 8, Create No Indexes;
            """;

        var rules = RulesParser.Parse(text, "x.load");

        Assert.False(rules.Load!.IncludeDrop);
        Assert.Equal(
        [
            "x.load:2:23: option \"workers\" is not supported by Follow and is ignored",
            "x.load:2:36: option \"create no indexes\" is not supported by Follow and is ignored",
        ], rules.Warnings);
    }

    [Fact]
    public void Other_clauses_are_skipped_with_a_warning_naming_each()
    {
        const string text = """
            load database from pgsql:///a into pgsql:///b
            set work_mem to '16MB', maintenance_work_mem to '512 MB'
            before load do $$ create schema if not exists x; $$,
                           $$ alter table x set (fillfactor = 40); $$
            alter table names matching ~/_list$/ set schema 'mv'
            materialize views film_list
            distribute ads using company_id from campaigns
            after load do $$ select 1; $$
            ;
            """;

        var rules = RulesParser.Parse(text, "x.load");

        Assert.Equal(
        [
            "x.load:2:1: clause \"set\" is not supported by Follow and is ignored",
            "x.load:3:1: clause \"before load\" is not supported by Follow and is ignored",
            "x.load:5:1: clause \"alter table\" is not supported by Follow and is ignored",
            "x.load:6:1: clause \"materialize views\" is not supported by Follow and is ignored",
            "x.load:8:1: clause \"after load\" is not supported by Follow and is ignored",
        ], rules.Warnings);
        var rule = Assert.Single(rules.Distribute);
        Assert.Equal([new TableRef(null, "campaigns")], rule.From);
    }

    [Fact]
    public void Type_casts_and_cast_options_are_ignored_with_warnings_and_column_casts_kept()
    {
        const string text = """
            load database from pgsql:///a into pgsql:///b
            cast type int with extra auto_increment to bigserial drop typemod,
                 column public.ads.price to numeric drop typemod using zero-dates-to-null,
                 type datetime to timestamptz set not null
            ;
            """;

        var rules = RulesParser.Parse(text, "x.load");

        var cast = Assert.Single(rules.Casts);
        Assert.Equal(new TableRef("public", "ads"), cast.Table);
        Assert.Equal("price", cast.Column);
        Assert.Equal("numeric", cast.TargetType);
        Assert.Equal(new SourcePosition("x.load", 3, 6), cast.Position);
        Assert.Equal(
        [
            "x.load:2:6: cast \"type int\" is not supported by Follow and is ignored",
            "x.load:3:41: cast option \"drop typemod\" is not supported by Follow and is ignored",
            "x.load:3:54: cast option \"using zero-dates-to-null\" is not supported by Follow and is ignored",
            "x.load:4:6: cast \"type datetime\" is not supported by Follow and is ignored",
        ], rules.Warnings);
    }

    [Fact]
    public void Including_and_excluding_clauses_give_table_filters()
    {
        const string text = """
            load database from pgsql:///a into pgsql:///b
            including only table names matching 'Companies', ~/^ad/ in schema 'public'
            including only table names matching ~<a/b>
            excluding table names matching ~|_tmp$|, 'audit_log'
            ;
            """;

        var rules = RulesParser.Parse(text, "x.load");

        Assert.Equal(
        [
            new TablePattern("public", "Companies", false, new SourcePosition("x.load", 2, 37)),
            new TablePattern("public", "^ad", true, new SourcePosition("x.load", 2, 50)),
            new TablePattern(null, "a/b", true, new SourcePosition("x.load", 3, 37)),
        ], rules.Filters.IncludeOnlyTables);
        Assert.Equal(
        [
            new TablePattern(null, "_tmp$", true, new SourcePosition("x.load", 4, 32)),
            new TablePattern(null, "audit_log", false, new SourcePosition("x.load", 4, 42)),
        ], rules.Filters.ExcludeTables);
        Assert.Empty(rules.Filters.IncludeOnlySchemas);
        Assert.Empty(rules.Warnings);
    }

    [Fact]
    public void Including_only_schema_is_skipped_with_a_warning()
    {
        const string text = "load database from pgsql:///a into pgsql:///b including only schema 'x';";

        var rules = RulesParser.Parse(text, "x.load");

        Assert.Equal(["x.load:1:47: clause \"including only schema\" is not supported by Follow and is ignored"], rules.Warnings);
        Assert.True(rules.Filters.IsEmpty);
    }

    [Fact]
    public void A_file_starting_with_comments_then_LOAD_DATABASE_is_a_load_file()
    {
        const string text = """
            -- migrate the ad platform
            /* to Citus, /* nested */ comment */
            LOAD DATABASE FROM pgsql:///a INTO pgsql:///b;
            """;

        var rules = RulesParser.Parse(text, "any-name.txt");

        Assert.NotNull(rules.Load);
        Assert.Equal("pgsql:///b", rules.Load.TargetUri);
    }

    private static string RepositoryRoot() => RepositoryFiles.Root();
}
