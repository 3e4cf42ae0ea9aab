using Follow.Rules;

namespace Follow.Tests.Rules;

public class RulesFileParserTests
{
    [Fact]
    public void Rules_file_reads_every_statement_kind_with_optional_semicolons_and_comments()
    {
        const string text = """
            -- the root table
            distribute Companies using ID;
            distribute ads using company_id from campaigns /* a block comment */
            distribute impressions using company_id from ads, Sales."LineItems";
            distribute countries as reference table
            cast column impressions.seen_at to "timestamp with time zone", column public.ads.price to Numeric
            """;

        var rules = RulesParser.Parse(text, "rules.txt");

        Assert.Null(rules.Load);
        Assert.Empty(rules.Warnings);
        Assert.Equal(
        [
            new DistributeRule(new TableRef(null, "companies"), "id", [], new SourcePosition("rules.txt", 2, 1)),
            new DistributeRule(new TableRef(null, "ads"), "company_id", [], new SourcePosition("rules.txt", 3, 1)),
            new DistributeRule(new TableRef(null, "impressions"), "company_id", [], new SourcePosition("rules.txt", 4, 1)),
        ], rules.Distribute.Select(rule => rule with { From = [] }));
        Assert.Equal([new TableRef(null, "campaigns")], rules.Distribute[1].From);
        Assert.Equal([new TableRef(null, "ads"), new TableRef("sales", "LineItems")], rules.Distribute[2].From);
        Assert.Equal([new ReferenceTableRule(new TableRef(null, "countries"), new SourcePosition("rules.txt", 5, 1))], rules.Reference);
        Assert.Equal(
        [
            new CastColumnRule(new TableRef(null, "impressions"), "seen_at", "timestamp with time zone", new SourcePosition("rules.txt", 6, 1)),
            new CastColumnRule(new TableRef("public", "ads"), "price", "numeric", new SourcePosition("rules.txt", 6, 64)),
        ], rules.Casts);
    }

    [Fact]
    public void Quoted_names_are_kept_exactly_and_may_be_reserved_words_or_unicode()
    {
        const string text = """"
            distribute "Order Items" using "Tenant ""Id""" from "select", "Ünïcode"
            distribute Ünïcode as reference table
            distribute "My Schema"."Mixed Case" as reference table
            """";

        var rules = RulesParser.Parse(text, "rules.txt");

        var rule = rules.Distribute[0];
        Assert.Equal(new TableRef(null, "Order Items"), rule.Table);
        Assert.Equal("Tenant \"Id\"", rule.Column);
        Assert.Equal([new TableRef(null, "select"), new TableRef(null, "Ünïcode")], rule.From);
        // PostgreSQL folds only ASCII letters of unquoted names.
        Assert.Equal(
            [new TableRef(null, "Ünïcode"), new TableRef("My Schema", "Mixed Case")],
            rules.Reference.Select(reference => reference.Table));
    }

    [Fact]
    public void Keywords_are_case_insensitive()
    {
        var rules = RulesParser.Parse("DISTRIBUTE t USING c FROM u\nDistribute r As Reference Table\nCAST COLUMN t.x TO \"int\"", "r");

        Assert.Single(rules.Distribute);
        Assert.Single(rules.Reference);
        Assert.Single(rules.Casts);
    }

    [Fact]
    public void Filter_sections_hold_one_schema_or_table_per_line()
    {
        const string text = """
            [include-only-schema]
            public
            "Sales"
            [exclude-schema]
            Audit
            [include-only-table]
            public.Companies
            "Sales"."Order Items"
            ads
            [exclude-table]
            ~/_tmp$/
            distribute companies using id
            """;

        var rules = RulesParser.Parse(text, "f.txt");

        Assert.Equal(["public", "Sales"], rules.Filters.IncludeOnlySchemas);
        Assert.Equal(["audit"], rules.Filters.ExcludeSchemas);
        Assert.Equal(
        [
            new TablePattern("public", "companies", false, new SourcePosition("f.txt", 7, 1)),
            new TablePattern("Sales", "Order Items", false, new SourcePosition("f.txt", 8, 1)),
            new TablePattern(null, "ads", false, new SourcePosition("f.txt", 9, 1)),
        ], rules.Filters.IncludeOnlyTables);
        Assert.Equal([new TablePattern(null, "_tmp$", true, new SourcePosition("f.txt", 11, 1))], rules.Filters.ExcludeTables);
        Assert.Single(rules.Distribute);
    }

    [Fact]
    public void Sample_rules_file_parses()
    {
        const string text = """
            -- Follow's rules for the ad-platform sample: one root rule, the rest is found through foreign keys.
            distribute companies using id
            cast column impressions.seen_at to "timestamp with time zone"
            """;

        var rules = RulesParser.Parse(text, "rules.txt");

        Assert.Equal("companies", Assert.Single(rules.Distribute).Table.Name);
        Assert.Equal("timestamp with time zone", Assert.Single(rules.Casts).TargetType);
        Assert.True(rules.Filters.IsEmpty);
        Assert.Same(Filters.None, rules.Filters);
    }

    [Fact]
    public void An_empty_file_gives_no_rules()
    {
        var rules = RulesParser.Parse("  -- nothing yet\n", "empty.txt");

        Assert.Empty(rules.Distribute);
        Assert.Empty(rules.Casts);
        Assert.Null(rules.Load);
    }

    [Fact]
    public void ParseFile_names_the_path_as_given_in_messages()
    {
        var path = Path.Combine(Path.GetTempPath(), $"follow-rules-{Guid.NewGuid():N}.txt");
        File.WriteAllText(path, "distribute t usin c");
        try
        {
            var error = Assert.Throws<RulesSyntaxException>(() => RulesParser.ParseFile(path));

            Assert.StartsWith($"{path}:1:14: ", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ParseFile_of_a_missing_file_is_bad_input()
    {
        var path = Path.Combine(Path.GetTempPath(), $"follow-missing-{Guid.NewGuid():N}.txt");

        var error = Assert.Throws<Follow.Diagnostics.BadInputException>(() => RulesParser.ParseFile(path));

        Assert.Contains(path, error.Message);
    }
}
