using Follow.Compare;
using Follow.Snapshot;

namespace Follow.Tests.Compare;

/// <summary>The by-tenant queries on both sides, and the tables a repair touches in their order.</summary>
public class TenantQueryTests
{
    private const string Sums = "count(*), coalesce(sum(('x' || substr(md5(ROW({0})::text), 1, 16))::bit(64)::bigint::numeric), 0)::text";

    [Fact]
    public void A_backfilled_table_is_summed_per_tenant_through_the_backfill_joins_with_the_tenants_bound_as_text()
    {
        var plan = SmallCatalog.Plan(SmallCatalog.Source());
        var query = TenantQuery.ForSource(plan.Get(SmallCatalog.Name("ads")), plan, "bigint");

        Assert.Equal(
            "SELECT (\"p1\".\"company_id\")::text, " + string.Format(Sums, "\"p1\".\"company_id\", \"t\".\"id\", \"t\".\"campaign_id\", CAST(\"t\".\"seen_at\" AS timestamp with time zone)")
            + " FROM \"public\".\"ads\" \"t\" JOIN \"public\".\"campaigns\" \"p1\" ON \"t\".\"campaign_id\" = \"p1\".\"id\""
            + " WHERE \"p1\".\"company_id\" IS NOT NULL AND \"p1\".\"company_id\" = ANY(CAST($1 AS text[])::bigint[]) GROUP BY \"p1\".\"company_id\"",
            query.ByTenant(filtered: true));
        Assert.Equal(
            "SELECT ROW(\"t\".\"id\")::text, md5(ROW(\"p1\".\"company_id\", \"t\".\"id\", \"t\".\"campaign_id\", CAST(\"t\".\"seen_at\" AS timestamp with time zone))::text)"
            + " FROM \"public\".\"ads\" \"t\" JOIN \"public\".\"campaigns\" \"p1\" ON \"t\".\"campaign_id\" = \"p1\".\"id\""
            + " WHERE \"p1\".\"company_id\" IS NOT NULL AND \"p1\".\"company_id\" = CAST(CAST($1 AS text) AS bigint)",
            query.Rows());
    }

    [Fact]
    public void The_target_groups_by_its_distribution_column_so_that_citus_runs_it_on_the_shards()
    {
        var plan = SmallCatalog.Plan(SmallCatalog.Source());
        var query = TenantQuery.ForTarget(plan.Get(SmallCatalog.Name("ads")), "bigint");

        Assert.Equal(
            "SELECT (\"t\".\"company_id\")::text, " + string.Format(Sums, "\"t\".\"company_id\", \"t\".\"id\", \"t\".\"campaign_id\", \"t\".\"seen_at\"")
            + " FROM \"public\".\"ads\" \"t\" GROUP BY \"t\".\"company_id\"",
            query.ByTenant(filtered: false));
    }

    [Fact]
    public void Repair_deletes_children_first_and_copies_parents_first_and_a_table_brings_the_tables_that_refer_to_it()
    {
        var plan = SmallCatalog.Plan(SmallCatalog.Source());

        Assert.Equal(["companies", "campaigns", "ads"], TenantRepair.TablesToRepair(plan, null).Select(t => t.Name.Name));
        Assert.Equal(["campaigns", "ads"], TenantRepair.TablesToRepair(plan, SmallCatalog.Name("campaigns")).Select(t => t.Name.Name));
        Assert.Equal(["ads"], TenantRepair.TablesToRepair(plan, SmallCatalog.Name("ads")).Select(t => t.Name.Name));
        Assert.Throws<Follow.Diagnostics.BadInputException>(() => TenantRepair.TablesToRepair(plan, SmallCatalog.Name("nowhere")));
    }

    [Fact]
    public void The_repair_copy_reads_one_tenant_from_a_session_setting_not_from_the_sql_text()
    {
        var plan = SmallCatalog.Plan(SmallCatalog.Source());

        Assert.EndsWith(
            "WHERE \"p1\".\"company_id\" IS NOT NULL AND \"p1\".\"company_id\"::bigint = current_setting('follow.tenant')::bigint) TO STDOUT (FORMAT binary)",
            CopyQuery.CopyOut(plan.Get(SmallCatalog.Name("ads")), oneTenant: true));
    }
}
