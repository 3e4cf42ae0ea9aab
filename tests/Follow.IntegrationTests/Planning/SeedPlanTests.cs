using Follow.Planning;
using static Follow.IntegrationTests.Planning.PlannerFixture;

namespace Follow.IntegrationTests.Planning;

/// <summary>The plans the seeds describe: pgloader's ad platform and the Citus guide's storefront.</summary>
public sealed class SeedPlanTests
{
    private const string StorefrontRoot = "distribute stores using store_id";

    [Fact]
    public async Task One_root_rule_finds_the_ad_platform_paths_of_the_seed()
    {
        var catalog = await CatalogAsync("seed_ads", Sample("ad-platform", "schema.sql"));

        var plan = Plan(catalog, "distribute companies using id");

        var companies = plan.Get(Public("companies"));
        Assert.Equal(TableCategory.DistributedReady, companies.Category);
        Assert.Equal("id", companies.DistributionColumn);
        var campaigns = plan.Get(Public("campaigns"));
        Assert.Equal(TableCategory.DistributedReady, campaigns.Category);
        Assert.Equal("company_id", campaigns.DistributionColumn);
        Assert.Null(campaigns.Backfill);
        var ads = plan.Get(Public("ads"));
        Assert.Equal(TableCategory.DistributedBackfill, ads.Category);
        Assert.Equal("public.campaigns", ads.Backfill!.ToString());
        Assert.Equal("public.ads, public.campaigns", plan.Get(Public("clicks")).Backfill!.ToString());
        Assert.Equal("public.ads, public.campaigns", plan.Get(Public("impressions")).Backfill!.ToString());
        Assert.All(new[] { ads, plan.Get(Public("clicks")), plan.Get(Public("impressions")) }, t =>
        {
            Assert.Equal("company_id", t.DistributionColumn);
            Assert.Equal("bigint", t.DistributionColumnType);
            Assert.True(t.AddsDistributionColumn);
        });
    }

    [Fact]
    public async Task Ad_platform_keys_are_rewritten_as_in_the_seed()
    {
        var catalog = await CatalogAsync("seed_ads_keys", Sample("ad-platform", "schema.sql"));

        var plan = Plan(catalog, "distribute companies using id");

        var impressions = plan.Get(Public("impressions"));
        Assert.Equal(["company_id", "id"], impressions.PrimaryKey!.Columns);
        Assert.Equal("impressions_pkey", impressions.PrimaryKey.Name);
        var fk = Assert.Single(impressions.ForeignKeys);
        Assert.Equal(["company_id", "ad_id"], fk.Columns);
        Assert.Equal(Public("ads"), fk.ReferencedTable);
        Assert.Equal(["company_id", "id"], fk.ReferencedColumns);
        Assert.True(fk.Rewritten);

        var companies = plan.Get(Public("companies"));
        Assert.Equal(["id"], companies.PrimaryKey!.Columns);
        Assert.False(companies.PrimaryKey.Rewritten);
        var campaigns = plan.Get(Public("campaigns"));
        Assert.Equal(["company_id", "id"], campaigns.PrimaryKey!.Columns);
        var toCompanies = Assert.Single(campaigns.ForeignKeys);
        Assert.Equal(["company_id"], toCompanies.Columns);
        Assert.False(toCompanies.Rewritten);
    }

    [Fact]
    public async Task Ad_platform_distribution_calls_run_in_the_seed_order_colocated_with_companies()
    {
        var catalog = await CatalogAsync("seed_ads_calls", Sample("ad-platform", "schema.sql"));

        var plan = Plan(catalog, "distribute companies using id");

        Assert.Equal(["companies", "campaigns", "ads", "clicks", "impressions"], plan.Calls.Select(c => c.Table.Name));
        Assert.Equal(["id", "company_id", "company_id", "company_id", "company_id"], plan.Calls.Select(c => c.Column));
        Assert.Null(plan.Calls[0].ColocateWith);
        Assert.All(plan.Calls.Skip(1), c => Assert.Equal(Public("companies"), c.ColocateWith));
        Assert.Equal("SELECT create_distributed_table('\"public\".\"companies\"', 'id');", plan.Calls[0].ToString());
    }

    [Fact]
    public async Task The_seed_load_command_gives_the_same_plan_with_its_cast()
    {
        var catalog = await CatalogAsync("seed_ads_load", Sample("ad-platform", "schema.sql"));

        var plan = Plan(catalog, Sample("ad-platform", "rules.load"));

        Assert.Equal("public.ads, public.campaigns", plan.Get(Public("impressions")).Backfill!.ToString());
        var cast = Assert.Single(plan.Get(Public("impressions")).Casts);
        Assert.Equal(("seen_at", "timestamp without time zone", "timestamp with time zone"), (cast.Column, cast.SourceType, cast.TargetType));
        Assert.Contains(plan.Warnings, w => w.Contains("reset no sequences"));
    }

    [Fact]
    public async Task The_seeds_commented_out_rules_written_out_give_the_same_paths()
    {
        var catalog = await CatalogAsync("seed_ads_explicit", Sample("ad-platform", "schema.sql"));

        var plan = Plan(catalog, """
            distribute companies using id
            distribute campaigns using company_id
            distribute ads using company_id from campaigns
            distribute clicks using company_id from ads, campaigns
            distribute impressions using company_id from ads, campaigns
            """);

        Assert.Equal("public.campaigns", plan.Get(Public("ads")).Backfill!.ToString());
        Assert.Equal("public.ads, public.campaigns", plan.Get(Public("clicks")).Backfill!.ToString());
        Assert.Equal(Public("companies"), plan.Get(Public("campaigns")).ColocateWith);
    }

    [Fact]
    public async Task Storefront_with_only_the_root_rule_is_refused_as_ambiguous_naming_both_paths()
    {
        var catalog = await CatalogAsync("seed_store_ambiguous", Sample("storefront", "schema.sql"));

        var refused = Refuse(catalog, StorefrontRoot);

        var problem = Assert.Single(refused.Problems);
        Assert.Equal(Public("line_items"), problem.Table);
        Assert.Contains("public.orders", problem.What);
        Assert.Contains("public.products", problem.What);
        Assert.Contains("distribute public.line_items using store_id from", problem.Fix);
        Assert.Contains("public.line_items", refused.Message);
    }

    [Fact]
    public async Task Storefront_with_the_line_items_rule_matches_the_guide()
    {
        var catalog = await CatalogAsync("seed_store", Sample("storefront", "schema.sql"));

        var plan = Plan(catalog, StorefrontRoot + "\ndistribute line_items using store_id from orders");

        Assert.Equal(TableCategory.DistributedReady, plan.Get(Public("stores")).Category);
        Assert.Equal(TableCategory.DistributedReady, plan.Get(Public("products")).Category);
        Assert.Equal(TableCategory.DistributedReady, plan.Get(Public("orders")).Category);
        var lineItems = plan.Get(Public("line_items"));
        Assert.Equal(TableCategory.DistributedBackfill, lineItems.Category);
        Assert.Equal("store_id", lineItems.DistributionColumn);
        Assert.Equal("uuid", lineItems.DistributionColumnType);
        Assert.Equal("public.orders", lineItems.Backfill!.ToString());
        Assert.Equal("public.products", Assert.Single(lineItems.AlternativePaths).ToString());

        Assert.Equal(["store_id", "product_id"], plan.Get(Public("products")).PrimaryKey!.Columns);
        Assert.Equal(["store_id", "order_id"], plan.Get(Public("orders")).PrimaryKey!.Columns);
        Assert.Equal(["store_id", "line_item_id"], lineItems.PrimaryKey!.Columns);
        Assert.Equal(["store_id"], plan.Get(Public("stores")).PrimaryKey!.Columns);
        var toOrders = Assert.Single(lineItems.ForeignKeys, f => f.ReferencedTable == Public("orders"));
        Assert.Equal(["store_id", "order_id"], toOrders.Columns);
        Assert.Equal(["store_id", "order_id"], toOrders.ReferencedColumns);
        var toProducts = Assert.Single(lineItems.ForeignKeys, f => f.ReferencedTable == Public("products"));
        Assert.Equal(["store_id", "product_id"], toProducts.Columns);
        Assert.Equal(["store_id", "product_id"], toProducts.ReferencedColumns);
        Assert.Equal(["stores", "orders", "products", "line_items"], plan.Calls.Select(c => c.Table.Name));
    }
}
