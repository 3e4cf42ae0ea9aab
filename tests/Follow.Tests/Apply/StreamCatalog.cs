using Follow.Model;
using Follow.Planning;
using Follow.Rules;
using Follow.Tests.Compare;

namespace Follow.Tests.Apply;

/// <summary>
/// companies ← campaigns ← ads (ads backfilled through campaigns), users with a second unique key, and folders that
/// refer to themselves, built by hand and planned as the stream would plan them.
/// </summary>
internal static class StreamCatalog
{
    public const string Rules = """
        distribute companies using id
        distribute users as reference table
        distribute folders as reference table
        """;

    public static Catalog Source()
    {
        var users = SmallCatalog.Table("users", ["id bigint", "email text"], ["id"], [], []);
        users = users with
        {
            Indexes = [.. users.Indexes, new Model.Index("users_email_key", true, false, ["email"], false, null, "CREATE UNIQUE INDEX users_email_key ON public.users USING btree (email)")],
        };
        return new Catalog(150000,
        [
            SmallCatalog.Table("ads", ["id bigint", "campaign_id bigint", "seen_at timestamp without time zone"], ["id"],
                [SmallCatalog.ForeignKey("ads_campaign_id_fkey", "ads", ["campaign_id"], "campaigns", ["id"])], []),
            SmallCatalog.Table("campaigns", ["id bigint", "company_id bigint", "body text"], ["id"],
                [SmallCatalog.ForeignKey("campaigns_company_id_fkey", "campaigns", ["company_id"], "companies", ["id"])], []),
            SmallCatalog.Table("companies", ["id bigint", "name text"], ["id"], [], []),
            SmallCatalog.Table("folders", ["id bigint", "parent_id bigint"], ["id"],
                [SmallCatalog.ForeignKey("folders_parent_id_fkey", "folders", ["parent_id"], "folders", ["id"])], []),
            users,
        ], []);
    }

    public static DistributionPlan Plan() => DistributionPlanner.Plan(Source(), RulesParser.Parse(Rules, "test.rules"));
}
