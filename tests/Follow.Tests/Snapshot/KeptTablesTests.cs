using Follow.Model;
using Follow.Planning;
using Follow.Rules;
using Follow.Snapshot;
using Follow.State;
using NpgsqlTypes;
using static Follow.Tests.Compare.SmallCatalog;

namespace Follow.Tests.Snapshot;

/// <summary>Which tables a resumed copy keeps, on companies ← campaigns ← ads ← clicks (ads and clicks backfilled).</summary>
public sealed class KeptTablesTests
{
    private static readonly DistributionPlan Plan = DistributionPlanner.Plan(new Catalog(150000,
    [
        Table("companies", ["id bigint", "name text"], ["id"], [], []),
        Table("campaigns", ["id bigint", "company_id bigint"], ["id"],
            [ForeignKey("campaigns_company_id_fkey", "campaigns", ["company_id"], "companies", ["id"])], []),
        Table("ads", ["id bigint", "campaign_id bigint"], ["id"],
            [ForeignKey("ads_campaign_id_fkey", "ads", ["campaign_id"], "campaigns", ["id"])], []),
        Table("clicks", ["id bigint", "ad_id bigint"], ["id"],
            [ForeignKey("clicks_ad_id_fkey", "clicks", ["ad_id"], "ads", ["id"])], []),
    ], []), RulesParser.Parse("distribute companies using id", "test.rules"));

    private static CopyPoints Latest(params (string Table, bool Completed, ulong Lsn)[] tables) => new(3, "slot", new NpgsqlLogSequenceNumber(100), false,
        [.. tables.Select(t => new TableCopy($"public.{t.Table}", t.Completed, 1, new NpgsqlLogSequenceNumber(t.Lsn), 10))]);

    private static string[] Kept(CopyPoints latest) => [.. KeptTables.Choose(Plan, latest).Keys.Select(k => k.Name).Order()];

    [Fact]
    public void The_tables_whose_every_part_completed_are_kept()
    {
        Assert.Equal(["ads", "campaigns", "companies"],
            Kept(Latest(("companies", true, 100), ("campaigns", true, 100), ("ads", true, 100), ("clicks", false, 100))));
    }

    [Fact]
    public void A_backfilled_table_whose_parent_is_copied_again_is_copied_again_too()
    {
        // campaigns has its own company_id: it does not need companies. ads takes its key from campaigns, clicks from ads.
        Assert.Equal(["companies"],
            Kept(Latest(("companies", true, 100), ("campaigns", false, 100), ("ads", true, 100), ("clicks", true, 100))));
    }

    [Fact]
    public void A_backfilled_table_is_not_kept_when_its_parent_was_copied_at_a_later_point()
    {
        Assert.Equal(["ads", "campaigns", "companies"],
            Kept(Latest(("companies", true, 100), ("campaigns", true, 100), ("ads", true, 300), ("clicks", true, 200))));
    }
}
