using Follow.Model;
using Follow.Planning;
using Follow.Rules;
using Follow.Snapshot;
using static Follow.Tests.Compare.SmallCatalog;

namespace Follow.Tests.Snapshot;

/// <summary>Which foreign keys the copy cannot break, on companies ← campaigns ← ads ← clicks and budgets.</summary>
public sealed class ForeignKeysHeldByCopyTests
{
    private static Catalog Source(bool campaignKeyValidated = true) => new(150000,
    [
        Table("companies", ["id bigint", "name text"], ["id"], [], []),
        Table("campaigns", ["id bigint", "company_id bigint"], ["id"],
            [ForeignKey("campaigns_company_id_fkey", "campaigns", ["company_id"], "companies", ["id"]) with { Validated = campaignKeyValidated }], []),
        Table("ads", ["id bigint", "campaign_id bigint"], ["id"],
            [ForeignKey("ads_campaign_id_fkey", "ads", ["campaign_id"], "campaigns", ["id"])], []),
        Table("clicks", ["id bigint", "ad_id bigint"], ["id"],
            [ForeignKey("clicks_ad_id_fkey", "clicks", ["ad_id"], "ads", ["id"])], []),
        // Has its own company_id: its key to campaigns gets company_id on both sides, and a budget may name another
        // company's campaign.
        Table("budgets", ["id bigint", "company_id bigint", "campaign_id bigint"], ["id"],
            [
                ForeignKey("budgets_company_id_fkey", "budgets", ["company_id"], "companies", ["id"]),
                ForeignKey("budgets_campaign_id_fkey", "budgets", ["campaign_id"], "campaigns", ["id"]),
            ], []),
    ], []);

    private static DistributionPlan Plan(Catalog catalog, string rules = "distribute companies using id") =>
        DistributionPlanner.Plan(catalog, RulesParser.Parse(rules, "test.rules"));

    private static string[] Held(DistributionPlan plan, OrphanPolicy orphans) =>
        [.. ForeignKeysHeldByCopy.Find(plan, orphans).Select(fk => fk.Name).Order()];

    [Fact]
    public void The_backfill_hops_and_the_keys_left_as_they_were_are_held()
    {
        var plan = Plan(Source());
        Assert.Equal(["company_id", "campaign_id"], plan.Get(Name("budgets")).ForeignKeys.Single(f => f.Name == "budgets_campaign_id_fkey").Columns);

        Assert.Equal(["ads_campaign_id_fkey", "budgets_company_id_fkey", "campaigns_company_id_fkey", "clicks_ad_id_fkey"], Held(plan, OrphanPolicy.Refuse));
    }

    [Fact]
    public void When_rows_may_be_left_out_only_the_backfill_hops_are_held()
    {
        Assert.Equal(["ads_campaign_id_fkey", "clicks_ad_id_fkey"], Held(Plan(Source()), OrphanPolicy.Skip));
    }

    [Fact]
    public void A_key_the_source_never_validated_is_not_held()
    {
        Assert.DoesNotContain("campaigns_company_id_fkey", Held(Plan(Source(campaignKeyValidated: false)), OrphanPolicy.Refuse));
    }

    [Fact]
    public void A_hop_whose_parent_gets_its_key_another_way_is_not_held()
    {
        var plan = Plan(Source());
        var ads = plan.Get(Name("ads"));
        var clicks = plan.Get(Name("clicks"));
        // clicks' path continues from ads through a key that is not ads' own path.
        var detour = new ForeignKeyHop("ads_other_fkey", Name("ads"), ["campaign_id"], Name("campaigns"), ["id"]);
        var changed = plan with { Tables = [.. plan.Tables.Select(t => t == clicks
            ? t with { Backfill = new BackfillPath([clicks.Backfill!.Hops[0], detour]) }
            : t)] };

        Assert.Equal(2, clicks.Backfill!.Hops.Count);
        Assert.Equal(ads.Backfill!.Hops, clicks.Backfill.Hops.Skip(1));
        Assert.DoesNotContain("clicks_ad_id_fkey", Held(changed, OrphanPolicy.Refuse));
    }

    [Fact]
    public void A_key_with_a_cast_column_is_not_held()
    {
        var plan = Plan(Source(), "distribute companies using id\ncast column clicks.ad_id to numeric");

        Assert.DoesNotContain("clicks_ad_id_fkey", Held(plan, OrphanPolicy.Refuse));
        Assert.Contains("ads_campaign_id_fkey", Held(plan, OrphanPolicy.Refuse));
    }
}
