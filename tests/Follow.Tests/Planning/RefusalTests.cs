using Follow.Planning;
using static Follow.Tests.Planning.PlanFixture;

namespace Follow.Tests.Planning;

/// <summary>Every plan Citus would reject is refused before anything changes, naming the table and the fix.</summary>
public sealed class RefusalTests
{
    private const string Root = "distribute companies using id";

    private static CatalogBuilder Companies() =>
        new CatalogBuilder().Table("companies", t => t.Column("id", "bigint", notNull: true).PrimaryKey("id"));

    [Fact]
    public void A_cycle_of_from_lists_is_refused()
    {
        var catalog = Companies()
            .Table("a", t => t.Column("id", "bigint").Column("b_id", "bigint").PrimaryKey("id").References("b_id", "b"))
            .Table("b", t => t.Column("id", "bigint").Column("a_id", "bigint").PrimaryKey("id").References("a_id", "a"))
            .Table("c", t => t.Column("id", "bigint").Column("company_id", "bigint").Column("a_id", "bigint").PrimaryKey("id")
                .References("company_id", "companies").References("a_id", "a"))
            .Build();

        var refused = Refuse(catalog, Root + "\ndistribute a using company_id from b\ndistribute b using company_id from a");

        Assert.Contains(refused.Problems, p => p.What.Contains("cycle") && p.What.Contains("public.a") && p.What.Contains("public.b"));
        Assert.All(refused.Problems, p => Assert.NotNull(p.Table));
    }

    [Fact]
    public void A_unique_constraint_that_cannot_include_the_key_is_refused()
    {
        var catalog = new CatalogBuilder()
            .Table("companies", t => t.Column("id", "bigint").Column("name", "text").PrimaryKey("id").Unique("name"))
            .Build();

        Assert.Contains("companies_name_key", SingleProblemFor(Refuse(catalog, Root), "companies").What);
    }

    [Fact]
    public void An_exclusion_constraint_without_the_key_is_refused()
    {
        var catalog = Companies()
            .Table("bookings", t => t.Column("id", "bigint").Column("company_id", "bigint").Column("during", "tstzrange").PrimaryKey("id")
                .References("company_id", "companies").Exclusion("bookings_during_excl", "during"))
            .Build();

        var problem = SingleProblemFor(Refuse(catalog, Root), "bookings");

        Assert.Contains("bookings_during_excl", problem.What);
        Assert.Contains("reference table", problem.Fix);
    }

    [Fact]
    public void A_unique_constraint_and_a_unique_index_of_a_child_table_get_the_key_added()
    {
        var catalog = Companies()
            .Table("campaigns", t => t.Column("id", "bigint").Column("company_id", "bigint").Column("slug", "text").Column("code", "text")
                .PrimaryKey("id").References("company_id", "companies").Unique("slug").UniqueIndex("campaigns_code_idx", "code"))
            .Build();

        var keys = Plan(catalog, Root).Get(Public("campaigns")).UniqueKeys;

        Assert.Equal(
            [("campaigns_slug_key", "company_id, slug", true, true), ("campaigns_code_idx", "company_id, code", true, false)],
            keys.Select(k => (k.Name, Columns(k.Columns), k.Rewritten, k.IsConstraint)));
    }

    [Fact]
    public void A_key_type_mismatch_is_refused_and_a_cast_rule_fixes_it()
    {
        var catalog = Companies()
            .Table("campaigns", t => t.Column("id", "bigint").Column("company_id", "integer").PrimaryKey("id").References("company_id", "companies"))
            .Build();

        var problem = SingleProblemFor(Refuse(catalog, Root), "campaigns");

        Assert.Contains("integer", problem.What);
        Assert.Contains("bigint", problem.What);
        Assert.Contains("cast column public.campaigns.company_id to \"bigint\"", problem.Fix);
        var plan = Plan(catalog, Root + "\ncast column campaigns.company_id to \"int8\"");
        Assert.Equal("company_id", plan.Get(Public("campaigns")).DistributionColumn);
    }

    [Fact]
    public void A_rule_naming_a_missing_table_is_refused_with_its_position()
    {
        var problem = Assert.Single(Refuse(Companies().Build(), Root + "\ndistribute compnies as reference table").Problems);

        Assert.Contains("test.rules:2:", problem.What);
        Assert.Contains("compnies", problem.What);
    }

    [Fact]
    public void A_rule_naming_a_missing_column_is_refused()
    {
        var problem = SingleProblemFor(Refuse(Companies().Build(), "distribute companies using company_ident"), "companies");

        Assert.Contains("company_ident", problem.What);
    }

    [Fact]
    public void A_generated_distribution_column_is_refused()
    {
        var catalog = new CatalogBuilder()
            .Table("companies", t => t.Column("id", "bigint").Generated("shard", "bigint", "(id % 8)").PrimaryKey("id"))
            .Build();

        Assert.Contains("generated", SingleProblemFor(Refuse(catalog, "distribute companies using shard"), "companies").What);
    }

    [Fact]
    public void A_cast_rule_naming_a_missing_column_is_refused()
    {
        var problem = SingleProblemFor(Refuse(Companies().Build(), Root + "\ncast column companies.nme to \"text\""), "companies");

        Assert.Contains("nme", problem.What);
    }

    [Fact]
    public void A_second_rule_for_the_same_table_is_refused()
    {
        var problem = SingleProblemFor(Refuse(Companies().Build(), Root + "\ndistribute companies as reference table"), "companies");

        Assert.Contains("second rule", problem.What);
    }

    [Fact]
    public void A_table_without_primary_key_or_replica_identity_is_refused()
    {
        static CatalogBuilder Schema(Follow.Model.ReplicaIdentity identity) => Companies()
            .Table("events", t => t.Column("company_id", "bigint").Column("payload", "text").References("company_id", "companies").ReplicaIdentity(identity));

        var problem = SingleProblemFor(Refuse(Schema(Follow.Model.ReplicaIdentity.Default).Build(), Root), "events");

        Assert.Contains("replica identity", problem.What);
        Assert.Contains("REPLICA IDENTITY", problem.Fix);
        Assert.Equal(TableCategory.DistributedReady, Plan(Schema(Follow.Model.ReplicaIdentity.Full).Build(), Root).Get(Public("events")).Category);
    }

    [Fact]
    public void A_partition_without_replica_identity_is_refused_by_its_own_name()
    {
        var catalog = Companies()
            .Table("hits", t => t.Column("company_id", "bigint").Column("at", "date").PartitionedBy("RANGE (at)"))
            .Table("hits_2026", t => t.Column("company_id", "bigint").Column("at", "date").PartitionOf("hits", "FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')"))
            .Build();

        SingleProblemFor(Refuse(catalog, Root), "hits_2026");
    }

    [Fact]
    public void A_rule_naming_a_partition_is_refused_and_names_its_parent()
    {
        var catalog = Companies()
            .Table("hits", t => t.Column("id", "bigint").Column("at", "date").PrimaryKey("id", "at").PartitionedBy("RANGE (at)"))
            .Table("hits_2026", t => t.Column("id", "bigint").Column("at", "date").PrimaryKey("id", "at")
                .PartitionOf("hits", "FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')"))
            .Build();

        var problem = SingleProblemFor(Refuse(catalog, Root + "\ndistribute hits_2026 as reference table"), "hits_2026");

        Assert.Contains("public.hits", problem.Fix);
    }

    [Fact]
    public void An_unlogged_table_is_refused()
    {
        var catalog = Companies().Table("cache", t => t.Column("id", "bigint").PrimaryKey("id").Unlogged()).Build();

        Assert.Contains("UNLOGGED", SingleProblemFor(Refuse(catalog, Root), "cache").What);
    }

    [Fact]
    public void A_from_list_that_does_not_follow_a_foreign_key_is_refused()
    {
        var problem = SingleProblemFor(Refuse(SeedCatalogs.AdPlatform(), Root + "\ndistribute clicks using company_id from campaigns"), "clicks");

        Assert.Contains("public.campaigns", problem.What);
    }

    [Fact]
    public void A_from_list_through_a_reference_table_is_refused()
    {
        var refused = Refuse(SeedCatalogs.AdPlatform(), Root + "\ndistribute campaigns as reference table\ndistribute ads using company_id from campaigns");

        var problem = Assert.Single(refused.Problems, p => p.Table == Public("ads"));
        Assert.Contains("through public.campaigns, which is a reference table", problem.What);
        // campaigns' own key to the distributed companies is refused too.
        Assert.Contains(refused.Problems, p => p.Table == Public("campaigns") && p.What.Contains("distributed table public.companies"));
    }

    [Fact]
    public void Two_foreign_keys_holding_the_key_make_the_column_ambiguous()
    {
        var catalog = Companies()
            .Table("transfers", t => t.Column("id", "bigint").Column("from_company", "bigint").Column("to_company", "bigint").PrimaryKey("id")
                .References("from_company", "companies").References("to_company", "companies"))
            .Build();

        Assert.Contains("distribute public.transfers using", SingleProblemFor(Refuse(catalog, Root), "transfers").Fix);
    }

    [Fact]
    public void A_local_table_with_a_column_named_like_the_key_is_hinted_at_but_not_for_its_own_primary_key()
    {
        var catalog = Companies()
            .Table("admins", t => t.Column("id", "bigint").PrimaryKey("id"))
            .Table("events", t => t.Column("event_id", "bigint").Column("id", "bigint").PrimaryKey("event_id"))
            .Build();

        var warning = Assert.Single(Plan(catalog, Root).Warnings);

        Assert.Equal("public.events stays local although it has a column id: no foreign key ties it to a distributed table; to distribute it, add: distribute public.events using id", warning);
    }
}
