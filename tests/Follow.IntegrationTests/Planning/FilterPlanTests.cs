using Follow.Planning;
using Follow.Rules;
using static Follow.IntegrationTests.Planning.PlannerFixture;

namespace Follow.IntegrationTests.Planning;

public sealed class FilterPlanTests
{
    [Fact]
    public async Task Excluded_tables_are_not_planned_and_keys_to_them_are_reported()
    {
        var catalog = await CatalogAsync("filter_exclude", Sample("ad-platform", "schema.sql"));
        var rules = RulesParser.Parse("distribute companies using id\n[exclude-table]\npublic.ads\n", "test.rules");

        var plan = DistributionPlanner.Plan(catalog, rules);

        Assert.Null(plan.Find(Public("ads")));
        Assert.Contains(Public("ads"), plan.Excluded);
        Assert.Contains(plan.Warnings, w => w.Contains("public.clicks") && w.Contains("public.ads"));
        Assert.Contains(plan.Warnings, w => w.Contains("public.impressions") && w.Contains("public.ads"));
        Assert.Empty(plan.Get(Public("clicks")).ForeignKeys);
    }

    [Fact]
    public async Task Command_line_filters_apply_on_top_of_the_rules()
    {
        var catalog = await CatalogAsync("filter_schema", Sample("ad-platform", "schema.sql"),
            "CREATE SCHEMA archive; CREATE TABLE archive.old_ads (id bigint PRIMARY KEY);");
        var position = new SourcePosition("command line", 0, 0);
        var filters = new Filters([], ["archive"], [], [new TablePattern(null, "impressions", false, position)]);

        var plan = DistributionPlanner.Plan(catalog, RulesParser.Parse("distribute companies using id", "test.rules"), filters);

        Assert.Equal(["companies", "campaigns", "ads", "clicks"], plan.Tables.Select(t => t.Name.Name));
        Assert.Contains(new Follow.Model.QualifiedName("archive", "old_ads"), plan.Excluded);
    }

    [Fact]
    public async Task A_rule_naming_an_excluded_table_is_refused()
    {
        var catalog = await CatalogAsync("filter_rule", Sample("ad-platform", "schema.sql"));
        var rules = RulesParser.Parse("distribute companies using id\n[exclude-schema]\npublic\n", "test.rules");

        var refused = Assert.Throws<PlanRefusedException>(() => DistributionPlanner.Plan(catalog, rules));

        Assert.Contains("exclude", Assert.Single(refused.Problems).What);
    }
}
