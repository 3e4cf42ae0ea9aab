using Follow.Planning;
using Follow.Rewrite;
using static Follow.IntegrationTests.Planning.PlannerFixture;

namespace Follow.IntegrationTests.TargetSchema;

/// <summary>The statements Follow writes for the moved tables, checked against expected files.</summary>
public sealed class SchemaScriptTests
{
    private static string Expected(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TargetSchema", "expected", name)).TrimEnd('\n');

    private static async Task<SchemaScript> AdPlatformScriptAsync(string hint) => (await AdPlatformAsync(hint)).Script;

    private static async Task<(DistributionPlan Plan, SchemaScript Script)> AdPlatformAsync(string hint)
    {
        var catalog = await CatalogAsync(hint, Sample("ad-platform", "schema.sql"));
        var plan = Plan(catalog, Sample("ad-platform", "rules.txt"));
        return (plan, SchemaScript.From(plan, catalog));
    }

    [Fact]
    public async Task Impressions_is_created_with_company_id_first_and_its_cast_applied()
    {
        var script = await AdPlatformScriptAsync("script_create");

        var create = script.CreateTables.Single(c => c.Table == Public("impressions")).Sql;

        Assert.Equal(Expected("impressions.create.sql"), create);
    }

    [Fact]
    public async Task Impressions_keys_are_rewritten_as_in_the_seed()
    {
        var script = await AdPlatformScriptAsync("script_keys");

        var postData = script.PostData.Where(s => s.Table == Public("impressions")).Select(s => s.Sql);

        Assert.Equal(Expected("impressions.post-data.sql"), string.Join("\n", postData));
    }

    [Fact]
    public async Task The_five_distribution_calls_come_in_a_valid_order()
    {
        var (plan, script) = await AdPlatformAsync("script_calls");

        var calls = script.DistributionCalls;
        Assert.Equal(5, calls.Count);
        var position = calls.Select((c, i) => (c.Table, i)).ToDictionary(x => x.Table, x => x.i);
        foreach (var call in calls)
        {
            if (call.ColocateWith is { } anchor) Assert.True(position[anchor] < position[call.Table], $"{call.Table} before {anchor}");
            foreach (var fk in plan.Get(call.Table).ForeignKeys)
            {
                Assert.True(position[fk.ReferencedTable] < position[call.Table], $"{call.Table} before its parent {fk.ReferencedTable}");
            }
        }
        Assert.Equal(
            ["SELECT create_distributed_table('\"public\".\"companies\"', 'id');",
             "SELECT create_distributed_table('\"public\".\"campaigns\"', 'company_id', colocate_with => '\"public\".\"companies\"');",
             "SELECT create_distributed_table('\"public\".\"ads\"', 'company_id', colocate_with => '\"public\".\"companies\"');",
             "SELECT create_distributed_table('\"public\".\"clicks\"', 'company_id', colocate_with => '\"public\".\"companies\"');",
             "SELECT create_distributed_table('\"public\".\"impressions\"', 'company_id', colocate_with => '\"public\".\"companies\"');"],
            calls.Select(c => c.ToString()));
    }

    [Fact]
    public async Task A_foreign_key_that_cascades_updates_is_created_without_the_cascade_and_said_so()
    {
        var catalog = await CatalogAsync("script_on_update", """
            CREATE TABLE companies (id bigint PRIMARY KEY);
            CREATE TABLE campaigns (id bigint PRIMARY KEY, company_id bigint REFERENCES companies (id) ON UPDATE CASCADE ON DELETE CASCADE);
            """);

        var plan = Plan(catalog, "distribute companies using id");

        var fk = Assert.Single(SchemaScript.From(plan, catalog).PostData, s => s.Kind == PostDataKind.ForeignKey);
        Assert.Equal("ALTER TABLE \"public\".\"campaigns\" ADD CONSTRAINT \"campaigns_company_id_fkey\" FOREIGN KEY (\"company_id\") REFERENCES \"public\".\"companies\" (\"id\") ON DELETE CASCADE;", fk.Sql);
        Assert.Contains(plan.Warnings, w => w.Contains("campaigns_company_id_fkey") && w.Contains("ON UPDATE CASCADE"));
    }

    [Fact]
    public async Task A_foreign_key_that_sets_null_on_delete_between_distributed_tables_is_refused()
    {
        var catalog = await CatalogAsync("script_set_null", """
            CREATE TABLE companies (id bigint PRIMARY KEY);
            CREATE TABLE campaigns (id bigint PRIMARY KEY, company_id bigint REFERENCES companies (id));
            CREATE TABLE ads (id bigint PRIMARY KEY, campaign_id bigint REFERENCES campaigns (id) ON DELETE SET NULL);
            """);

        var refused = Refuse(catalog, "distribute companies using id");

        var problem = Assert.Single(refused.Problems);
        Assert.Equal(Public("ads"), problem.Table);
        Assert.Contains("ON DELETE SET NULL", problem.What);
    }
}
