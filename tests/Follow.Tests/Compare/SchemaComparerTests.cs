using Follow.Compare;
using Follow.Model;

namespace Follow.Tests.Compare;

public class SchemaComparerTests
{
    private static readonly Catalog Source = SmallCatalog.Source();

    /// <summary>What follow clone makes of the source.</summary>
    private static Table[] Cloned() =>
    [
        SmallCatalog.Table("ads", ["company_id bigint", "id bigint", "campaign_id bigint", "seen_at timestamp with time zone"], ["company_id", "id"],
            [SmallCatalog.ForeignKey("ads_campaign_id_fkey", "ads", ["company_id", "campaign_id"], "campaigns", ["company_id", "id"])],
            [SmallCatalog.Index("ads_campaign_id_idx", "campaign_id"), SmallCatalog.Index("ads_pkey_identity", "id")]),
        SmallCatalog.Table("campaigns", ["id bigint", "company_id bigint"], ["company_id", "id"],
            [SmallCatalog.ForeignKey("campaigns_company_id_fkey", "campaigns", ["company_id"], "companies", ["id"])],
            [SmallCatalog.Index("campaigns_pkey_identity", "id")]),
        SmallCatalog.Table("companies", ["id bigint", "name text"], ["id"], [], []),
    ];

    private static CompareReport Compare(params Table[] target) =>
        SchemaComparer.Compare(SmallCatalog.Plan(Source), Source, new Catalog(150000, target, []));

    private static List<string> Messages(CompareReport report) =>
        [.. report.Tables.SelectMany(t => t.Differences.Select(d => $"{t.Table}: {d.Message}"))];

    [Fact]
    public void A_target_built_as_planned_is_equal()
    {
        var report = Compare(Cloned());

        Assert.True(report.Equal, string.Join("\n", Messages(report)));
        Assert.Equal(3, report.EqualCount);
    }

    [Fact]
    public void Keys_without_the_distribution_column_and_a_missing_table_are_differences()
    {
        var cloned = Cloned();
        var ads = SmallCatalog.Table("ads", ["id bigint", "company_id bigint", "campaign_id bigint", "seen_at timestamptz"], ["id"],
            [SmallCatalog.ForeignKey("ads_campaign_id_fkey", "ads", ["campaign_id"], "campaigns", ["id"])],
            [SmallCatalog.Index("ads_campaign_id_idx", "campaign_id"), SmallCatalog.Index("ads_extra_idx", "id")]);

        var report = Compare(ads, cloned[2]);

        Assert.Equal(
        [
            "public.campaigns: missing on the target",
            "public.ads: columns are in another order on the target: (id, company_id, campaign_id, seen_at), expected (company_id, id, campaign_id, seen_at)",
            "public.ads: primary key is ads_pkey (id) on the target, expected ads_pkey (company_id, id)",
            "public.ads: foreign key ads_campaign_id_fkey is (campaign_id) → public.campaigns (id) on the target, expected (company_id, campaign_id) → public.campaigns (company_id, id)",
            "public.ads: index ads_pkey_identity is missing on the target",
            "public.ads: index ads_extra_idx is on the target only",
        ], Messages(report));
        Assert.Equal(1, report.EqualCount);
    }
}
