using Follow.Planning;
using Follow.Rules;
using static Follow.Tests.Planning.PlanFixture;

namespace Follow.Tests.Planning;

/// <summary>The plans the seeds describe, from hand-built catalogs: pgloader's ad platform and the Citus guide's storefront.</summary>
public sealed class SeedPlanTests
{
    private const string AdPlatformRoot = "distribute companies using id";
    private const string StorefrontRoot = "distribute stores using store_id";

    [Fact]
    public void One_root_rule_finds_the_ad_platform_paths_of_the_seed()
    {
        var plan = Plan(SeedCatalogs.AdPlatform(), AdPlatformRoot);

        Assert.Equal(
            [
                ("companies", TableCategory.DistributedReady, "id"),
                ("campaigns", TableCategory.DistributedReady, "company_id"),
                ("ads", TableCategory.DistributedBackfill, "company_id"),
                ("clicks", TableCategory.DistributedBackfill, "company_id"),
                ("impressions", TableCategory.DistributedBackfill, "company_id"),
            ],
            plan.Tables.Select(t => (t.Name.Name, t.Category, t.DistributionColumn)));
        Assert.Null(plan.Get(Public("campaigns")).Backfill);
        Assert.Equal("public.campaigns", plan.Get(Public("ads")).Backfill!.ToString());
        Assert.Equal("public.ads, public.campaigns", plan.Get(Public("clicks")).Backfill!.ToString());
        Assert.Equal("public.ads, public.campaigns", plan.Get(Public("impressions")).Backfill!.ToString());
        Assert.Empty(plan.Warnings);
    }

    [Fact]
    public void The_backfill_path_of_clicks_follows_each_foreign_key_with_its_columns()
    {
        var path = Plan(SeedCatalogs.AdPlatform(), AdPlatformRoot).Get(Public("clicks")).Backfill!;

        Assert.Equal(
            [
                ("clicks_ad_id_fkey", "public.clicks", "ad_id", "public.ads", "id"),
                ("ads_campaign_id_fkey", "public.ads", "campaign_id", "public.campaigns", "id"),
            ],
            path.Hops.Select(h => (h.Constraint, h.Child.ToString(), string.Join(",", h.ChildColumns), h.Parent.ToString(), string.Join(",", h.ParentColumns))));
        Assert.Equal(Public("campaigns"), path.Holder);
        Assert.Equal(
            " JOIN \"public\".\"ads\" \"p1\" ON \"c\".\"ad_id\" = \"p1\".\"id\" JOIN \"public\".\"campaigns\" \"p2\" ON \"p1\".\"campaign_id\" = \"p2\".\"id\"",
            BackfillJoins.Render(path, "c", "p").Sql);
    }

    [Fact]
    public void The_added_column_has_the_root_keys_type_in_every_backfilled_table()
    {
        var plan = Plan(SeedCatalogs.AdPlatform(), AdPlatformRoot);

        Assert.All(new[] { "ads", "clicks", "impressions" }, name =>
        {
            var table = plan.Get(Public(name));
            Assert.True(table.AddsDistributionColumn);
            Assert.Equal("bigint", table.DistributionColumnType);
        });
        Assert.False(plan.Get(Public("campaigns")).AddsDistributionColumn);
        Assert.Equal("bigint", plan.Get(Public("campaigns")).DistributionColumnType);
        Assert.False(plan.Get(Public("companies")).AddsDistributionColumn);
    }

    [Fact]
    public void Ad_platform_keys_are_rewritten_as_in_the_seed()
    {
        var plan = Plan(SeedCatalogs.AdPlatform(), AdPlatformRoot);

        var impressions = plan.Get(Public("impressions"));
        Assert.Equal(("impressions_pkey", "company_id, id", true), (impressions.PrimaryKey!.Name, Columns(impressions.PrimaryKey.Columns), impressions.PrimaryKey.Rewritten));
        var fk = Assert.Single(impressions.ForeignKeys);
        Assert.Equal(("company_id, ad_id", Public("ads"), "company_id, id", true),
            (Columns(fk.Columns), fk.ReferencedTable, Columns(fk.ReferencedColumns), fk.Rewritten));

        var companies = plan.Get(Public("companies"));
        Assert.Equal(["id"], companies.PrimaryKey!.Columns);
        Assert.False(companies.PrimaryKey.Rewritten);
        var campaigns = plan.Get(Public("campaigns"));
        Assert.Equal(["company_id", "id"], campaigns.PrimaryKey!.Columns);
        var toCompanies = Assert.Single(campaigns.ForeignKeys);
        Assert.Equal(["company_id"], toCompanies.Columns);
        Assert.False(toCompanies.Rewritten);
        var toCampaigns = Assert.Single(plan.Get(Public("ads")).ForeignKeys);
        Assert.Equal(["company_id", "campaign_id"], toCampaigns.Columns);
        Assert.Equal(["company_id", "id"], toCampaigns.ReferencedColumns);
    }

    [Fact]
    public void Ad_platform_distribution_calls_run_in_the_seed_order_colocated_with_companies()
    {
        var plan = Plan(SeedCatalogs.AdPlatform(), AdPlatformRoot);

        Assert.Equal(["companies", "campaigns", "ads", "clicks", "impressions"], plan.Calls.Select(c => c.Table.Name));
        Assert.Equal(["id", "company_id", "company_id", "company_id", "company_id"], plan.Calls.Select(c => c.Column));
        Assert.Null(plan.Calls[0].ColocateWith);
        Assert.All(plan.Calls.Skip(1), c => Assert.Equal(Public("companies"), c.ColocateWith));
        Assert.Equal("SELECT create_distributed_table('\"public\".\"companies\"', 'id');", plan.Calls[0].ToString());
    }

    [Fact]
    public void The_sample_rules_file_gives_the_seed_plan_with_its_cast()
    {
        var plan = DistributionPlanner.Plan(SeedCatalogs.AdPlatform(), RulesParser.ParseFile(RepositoryFiles.Get("samples", "ad-platform", "rules.txt")));

        var cast = Assert.Single(plan.Get(Public("impressions")).Casts);
        Assert.Equal(("seen_at", "timestamp without time zone", "timestamp with time zone"), (cast.Column, cast.SourceType, cast.TargetType));
        Assert.Equal("public.ads, public.campaigns", plan.Get(Public("impressions")).Backfill!.ToString());
        Assert.Empty(plan.Get(Public("clicks")).Casts);
    }

    [Fact]
    public void The_seed_load_command_gives_the_same_plan_with_its_cast()
    {
        var plan = DistributionPlanner.Plan(SeedCatalogs.AdPlatform(), RulesParser.ParseFile(RepositoryFiles.Get("samples", "ad-platform", "rules.load")));

        Assert.Equal("public.ads, public.campaigns", plan.Get(Public("impressions")).Backfill!.ToString());
        Assert.Single(plan.Get(Public("impressions")).Casts);
        Assert.Contains(plan.Warnings, w => w.Contains("reset no sequences"));
    }

    [Fact]
    public void The_seeds_commented_out_rules_written_out_give_the_same_paths()
    {
        var plan = Plan(SeedCatalogs.AdPlatform(), """
            distribute companies using id
            distribute campaigns using company_id
            distribute ads using company_id from campaigns
            distribute clicks using company_id from ads, campaigns
            distribute impressions using company_id from ads, campaigns
            """);

        Assert.Equal("public.campaigns", plan.Get(Public("ads")).Backfill!.ToString());
        Assert.Equal("public.ads, public.campaigns", plan.Get(Public("clicks")).Backfill!.ToString());
        Assert.Equal(Public("companies"), plan.Get(Public("campaigns")).ColocateWith);
        Assert.Equal(["companies", "campaigns", "ads", "clicks", "impressions"], plan.Calls.Select(c => c.Table.Name));
    }

    [Fact]
    public void A_reference_rule_puts_its_table_first_among_the_calls()
    {
        var catalog = SeedCatalogs.AdPlatformBuilder()
            .Table("countries", t => t.Column("code", "text", notNull: true).PrimaryKey("code"))
            .Build();

        var plan = Plan(catalog, AdPlatformRoot + "\ndistribute countries as reference table");

        Assert.Equal(TableCategory.Reference, plan.Get(Public("countries")).Category);
        Assert.True(plan.Calls[0].IsReference);
        Assert.Equal(Public("countries"), plan.Calls[0].Table);
        Assert.Equal(["companies", "campaigns", "ads", "clicks", "impressions"], plan.Calls.Skip(1).Select(c => c.Table.Name));
    }

    [Fact]
    public void Storefront_with_only_the_root_rule_is_refused_as_ambiguous_naming_both_paths()
    {
        var refused = Refuse(SeedCatalogs.Storefront(), StorefrontRoot);

        var problem = SingleProblemFor(refused, "line_items");
        Assert.Contains("public.orders", problem.What);
        Assert.Contains("public.products", problem.What);
        Assert.Contains("distribute public.line_items using store_id from", problem.Fix);
    }

    [Fact]
    public void Storefront_with_the_line_items_rule_matches_the_guide()
    {
        var plan = Plan(SeedCatalogs.Storefront(), StorefrontRoot + "\ndistribute line_items using store_id from orders");

        Assert.Equal(
            [
                ("stores", TableCategory.DistributedReady, "store_id"),
                ("orders", TableCategory.DistributedReady, "store_id"),
                ("products", TableCategory.DistributedReady, "store_id"),
                ("line_items", TableCategory.DistributedBackfill, "store_id"),
            ],
            plan.Tables.Select(t => (t.Name.Name, t.Category, t.DistributionColumn)));
        var lineItems = plan.Get(Public("line_items"));
        Assert.Equal("uuid", lineItems.DistributionColumnType);
        Assert.Equal("public.orders", lineItems.Backfill!.ToString());
        Assert.Equal("public.products", Assert.Single(lineItems.AlternativePaths).ToString());
    }

    [Fact]
    public void Storefront_keys_get_the_store_as_the_guide_rewrites_them()
    {
        var plan = Plan(SeedCatalogs.Storefront(), StorefrontRoot + "\ndistribute line_items using store_id from orders");

        Assert.Equal(["store_id", "product_id"], plan.Get(Public("products")).PrimaryKey!.Columns);
        Assert.Equal(["store_id", "order_id"], plan.Get(Public("orders")).PrimaryKey!.Columns);
        Assert.Equal(["store_id", "line_item_id"], plan.Get(Public("line_items")).PrimaryKey!.Columns);
        Assert.Equal(["store_id"], plan.Get(Public("stores")).PrimaryKey!.Columns);
        var lineItems = plan.Get(Public("line_items"));
        var toOrders = Assert.Single(lineItems.ForeignKeys, f => f.ReferencedTable == Public("orders"));
        Assert.Equal(("store_id, order_id", "store_id, order_id"), (Columns(toOrders.Columns), Columns(toOrders.ReferencedColumns)));
        var toProducts = Assert.Single(lineItems.ForeignKeys, f => f.ReferencedTable == Public("products"));
        Assert.Equal(("store_id, product_id", "store_id, product_id"), (Columns(toProducts.Columns), Columns(toProducts.ReferencedColumns)));
        Assert.All(new[] { "orders", "products" }, name => Assert.False(Assert.Single(plan.Get(Public(name)).ForeignKeys).Rewritten));
    }

    [Fact]
    public void Storefront_calls_run_parents_first_colocated_with_stores()
    {
        var plan = Plan(SeedCatalogs.Storefront(), StorefrontRoot + "\ndistribute line_items using store_id from orders");

        Assert.Equal(["stores", "orders", "products", "line_items"], plan.Calls.Select(c => c.Table.Name));
        Assert.All(plan.Calls, c => Assert.Equal("store_id", c.Column));
        Assert.Null(plan.Calls[0].ColocateWith);
        Assert.All(plan.Calls.Skip(1), c => Assert.Equal(Public("stores"), c.ColocateWith));
    }
}
