using Follow.Compare;
using Follow.Model;
using Follow.Planning;

namespace Follow.Tests.Compare;

public class ChecksumQueryTests
{
    private const string Hash = "SELECT count(*), coalesce(sum(('x' || substr(md5(ROW({0})::text), 1, 16))::bit(64)::bigint::numeric), 0)::text FROM {1}";

    [Fact]
    public void Source_rows_get_the_backfilled_column_first_and_cast_columns_cast()
    {
        var plan = SmallCatalog.Plan(SmallCatalog.Source());

        var sql = ChecksumQuery.ForSource(plan.Get(SmallCatalog.Name("ads")), plan);

        Assert.Equal(string.Format(Hash,
            "\"p1\".\"company_id\", \"t\".\"id\", \"t\".\"campaign_id\", CAST(\"t\".\"seen_at\" AS timestamp with time zone)",
            "\"public\".\"ads\" \"t\" JOIN \"public\".\"campaigns\" \"p1\" ON \"t\".\"campaign_id\" = \"p1\".\"id\" WHERE \"p1\".\"company_id\" IS NOT NULL"), sql);
    }

    [Fact]
    public void A_table_that_keeps_its_columns_is_hashed_without_joins_and_without_rows_lacking_a_key()
    {
        var plan = SmallCatalog.Plan(SmallCatalog.Source());

        Assert.Equal(TableCategory.DistributedReady, plan.Get(SmallCatalog.Name("campaigns")).Category);
        Assert.Equal(string.Format(Hash, "\"t\".\"id\", \"t\".\"company_id\"", "\"public\".\"campaigns\" \"t\" WHERE \"t\".\"company_id\" IS NOT NULL"),
            ChecksumQuery.ForSource(plan.Get(SmallCatalog.Name("campaigns")), plan));
    }

    [Fact]
    public void The_target_side_hashes_the_target_table_as_it_is()
    {
        var table = SmallCatalog.Table("ads", ["company_id bigint", "id bigint"], ["company_id", "id"], [], []);

        Assert.Equal(string.Format(Hash, "\"t\".\"company_id\", \"t\".\"id\"", "\"public\".\"ads\" \"t\""), ChecksumQuery.ForTarget(table));
    }

    [Theory]
    [InlineData("UTC", "'UTC'")]
    [InlineData("it's", "'it''s'")]
    [InlineData(@"a\b", @"E'a\\b'")]
    public void Setting_values_are_quoted_as_literals(string value, string literal) =>
        Assert.Equal(literal, Sql.Literal(value));

    [Theory]
    [InlineData("00000003-0000001B-1", true)]
    [InlineData("00000003-0000001b", true)]
    [InlineData("3'; DROP TABLE x; --", false)]
    [InlineData("", false)]
    public void Only_snapshot_names_are_accepted(string name, bool accepted) =>
        Assert.Equal(accepted, ComparisonSession.IsSnapshotName(name));
}
