using Follow.Planning;
using Follow.Rewrite;
using static Follow.Tests.Planning.PlanFixture;

namespace Follow.Tests.Planning;

/// <summary>
/// Citus' rules for foreign keys held by distributed tables (<see cref="CitusForeignKeyRules"/>), each action variant
/// planned: created as it is, rewritten with a warning, or refused naming the table, the key and the fix.
/// </summary>
public sealed class DistributedForeignKeyTests
{
    private const string Root = "distribute companies using id";

    private static CatalogBuilder Companies() =>
        new CatalogBuilder().Table("companies", t => t.Column("id", "bigint", notNull: true).PrimaryKey("id"));

    /// <summary>companies ← campaigns ← ads, ads' key to campaigns with the given actions.</summary>
    private static CatalogBuilder Ads(string onUpdate, string onDelete) => Companies()
        .Table("campaigns", t => t.Column("id", "bigint").Column("company_id", "bigint").PrimaryKey("id").References("company_id", "companies"))
        .Table("ads", t => t.Column("id", "bigint").Column("campaign_id", "bigint").PrimaryKey("id")
            .References("campaign_id", "campaigns", onUpdate: onUpdate, onDelete: onDelete));

    /// <summary>pagila's inventory: distributed by store_id, whose key to the reference table store holds it.</summary>
    private static CatalogBuilder Inventory(string onUpdate, string onDelete) => new CatalogBuilder()
        .Table("store", t => t.Column("store_id", "bigint", notNull: true).PrimaryKey("store_id"))
        .Table("inventory", t => t.Column("inventory_id", "bigint").Column("store_id", "bigint", notNull: true).PrimaryKey("inventory_id")
            .References("store_id", "store", "store_id", onUpdate: onUpdate, onDelete: onDelete));

    private const string InventoryRules = "distribute store as reference table\ndistribute inventory using store_id";

    /// <summary>campaigns' key to the reference table countries, which does not hold the distribution column.</summary>
    private static CatalogBuilder Countries(string onUpdate, string onDelete) => Companies()
        .Table("countries", t => t.Column("code", "text", notNull: true).PrimaryKey("code"))
        .Table("campaigns", t => t.Column("id", "bigint").Column("company_id", "bigint").Column("country", "text", @default: "'ZZ'::text").PrimaryKey("id")
            .References("company_id", "companies").References("country", "countries", "code", onUpdate: onUpdate, onDelete: onDelete));

    private const string CountryRules = Root + "\ndistribute countries as reference table";

    [Theory]
    [InlineData("NO ACTION")]
    [InlineData("RESTRICT")]
    [InlineData("CASCADE")]
    public void Between_distributed_tables_a_key_gets_both_distribution_columns_and_keeps_its_delete_action(string onDelete)
    {
        var plan = Plan(Ads("NO ACTION", onDelete).Build(), Root);

        var fk = Assert.Single(plan.Get(Public("ads")).ForeignKeys);
        Assert.Equal(("company_id, campaign_id", "company_id, id", true, 'a'), (Columns(fk.Columns), Columns(fk.ReferencedColumns), fk.Rewritten, fk.OnUpdate));
        Assert.EndsWith(
            "FOREIGN KEY (\"company_id\", \"campaign_id\") REFERENCES \"public\".\"campaigns\" (\"company_id\", \"id\")" + (onDelete == "NO ACTION" ? "" : $" ON DELETE {onDelete}") + ";",
            PostDataDdl.For(plan.Get(Public("ads"))).Single(s => s.Name == fk.Name).Sql);
        Assert.Empty(plan.Warnings);
    }

    [Theory]
    [InlineData("SET NULL")]
    [InlineData("SET DEFAULT")]
    public void Between_distributed_tables_a_key_that_sets_null_or_default_on_delete_is_refused(string onDelete)
    {
        var problem = SingleProblemFor(Refuse(Ads("NO ACTION", onDelete).Build(), Root), "ads");

        Assert.Contains($"ads_campaign_id_fkey to public.campaigns is ON DELETE {onDelete}", problem.What);
        Assert.Contains("company_id", problem.What);
        Assert.Contains("ON DELETE CASCADE, RESTRICT or NO ACTION", problem.Fix);
    }

    [Theory]
    [InlineData("NO ACTION", 'a')]
    [InlineData("RESTRICT", 'r')]
    public void Between_distributed_tables_a_key_that_takes_no_action_on_update_keeps_it(string onUpdate, char code)
    {
        var plan = Plan(Ads(onUpdate, "NO ACTION").Build(), Root);

        Assert.Equal(code, Assert.Single(plan.Get(Public("ads")).ForeignKeys).OnUpdate);
        Assert.Empty(plan.Warnings);
    }

    [Theory]
    [InlineData("CASCADE")]
    [InlineData("SET NULL")]
    [InlineData("SET DEFAULT")]
    public void Between_distributed_tables_an_update_action_becomes_no_action_with_a_warning(string onUpdate)
    {
        var plan = Plan(Ads(onUpdate, "CASCADE").Build(), Root);

        var fk = Assert.Single(plan.Get(Public("ads")).ForeignKeys);
        Assert.Equal(("company_id, campaign_id", 'a', true), (Columns(fk.Columns), fk.OnUpdate, fk.Rewritten));
        var warning = Assert.Single(plan.Warnings);
        Assert.Contains($"public.ads: foreign key ads_campaign_id_fkey to public.campaigns is created ON UPDATE NO ACTION instead of ON UPDATE {onUpdate}", warning);
        var sql = PostDataDdl.For(plan.Get(Public("ads"))).Single(s => s.Name == fk.Name).Sql;
        Assert.DoesNotContain("ON UPDATE", sql);
        Assert.Contains("ON DELETE CASCADE", sql);
    }

    [Fact]
    public void A_key_of_a_distributed_table_to_itself_gets_the_distribution_column_on_both_sides()
    {
        var catalog = Companies()
            .Table("campaigns", t => t.Column("id", "bigint").Column("company_id", "bigint").Column("parent_id", "bigint").PrimaryKey("id")
                .References("company_id", "companies").References("parent_id", "campaigns", onDelete: "CASCADE"))
            .Build();

        var fk = Assert.Single(Plan(catalog, Root).Get(Public("campaigns")).ForeignKeys, f => f.Name == "campaigns_parent_id_fkey");

        Assert.Equal(("company_id, parent_id", Public("campaigns"), "company_id, id"), (Columns(fk.Columns), fk.ReferencedTable, Columns(fk.ReferencedColumns)));
    }

    [Fact]
    public void A_key_of_a_distributed_table_to_itself_that_sets_null_on_delete_is_refused()
    {
        var catalog = Companies()
            .Table("campaigns", t => t.Column("id", "bigint").Column("company_id", "bigint").Column("parent_id", "bigint").PrimaryKey("id")
                .References("company_id", "companies").References("parent_id", "campaigns", onDelete: "SET NULL"))
            .Build();

        Assert.Contains("campaigns_parent_id_fkey", SingleProblemFor(Refuse(catalog, Root), "campaigns").What);
    }

    [Fact]
    public void A_key_that_ties_a_row_to_another_tenant_is_refused()
    {
        var catalog = Companies()
            .Table("transfers", t => t.Column("id", "bigint").Column("from_company", "bigint").Column("to_company", "bigint").PrimaryKey("id")
                .References("from_company", "companies").References("to_company", "companies"))
            .Build();

        var problem = SingleProblemFor(Refuse(catalog, Root + "\ndistribute transfers using from_company"), "transfers");

        Assert.Contains("transfers_to_company_fkey maps to_company onto public.companies's distribution column id", problem.What);
        Assert.Contains("make public.companies a reference table", problem.Fix);
    }

    [Fact]
    public void A_key_that_maps_the_distribution_column_onto_another_column_is_refused()
    {
        var catalog = Companies()
            .Table("campaigns", t => t.Column("id", "bigint").Column("company_id", "bigint").PrimaryKey("id").References("company_id", "companies"))
            .Table("notes", t => t.Column("id", "bigint").Column("company_id", "bigint").PrimaryKey("id")
                .References("company_id", "campaigns", key: "notes_campaign_fkey"))
            .Build();

        var problem = SingleProblemFor(Refuse(catalog, Root + "\ndistribute notes using company_id"), "notes");

        Assert.Contains("notes_campaign_fkey maps the distribution column company_id onto public.campaigns.id", problem.What);
    }

    [Fact]
    public void A_key_between_distributed_tables_that_are_not_colocated_is_refused()
    {
        var catalog = Companies()
            .Table("users", t => t.Column("id", "uuid", notNull: true).PrimaryKey("id"))
            .Table("campaigns", t => t.Column("id", "bigint").Column("company_id", "bigint").Column("owner", "uuid").PrimaryKey("id")
                .References("company_id", "companies").References("owner", "users"))
            .Build();

        var problem = SingleProblemFor(Refuse(catalog, Root + "\ndistribute users using id\ndistribute campaigns using company_id"), "campaigns");

        Assert.Contains("campaigns_owner_fkey", problem.What);
        Assert.Contains("colocated", problem.What);
    }

    [Fact]
    public void A_key_from_a_distributed_table_to_a_local_one_is_refused()
    {
        var problem = SingleProblemFor(Refuse(Countries("NO ACTION", "NO ACTION").Build(), Root), "campaigns");

        Assert.Contains("campaigns_country_fkey references public.countries, which stays local", problem.What);
        Assert.Contains("distribute public.countries as reference table", problem.Fix);
    }

    [Theory]
    [InlineData("NO ACTION", "NO ACTION")]
    [InlineData("RESTRICT", "RESTRICT")]
    [InlineData("NO ACTION", "CASCADE")]
    public void A_key_to_a_reference_table_that_holds_the_distribution_column_keeps_these_actions(string onUpdate, string onDelete)
    {
        var plan = Plan(Inventory(onUpdate, onDelete).Build(), InventoryRules);

        var fk = Assert.Single(plan.Get(Public("inventory")).ForeignKeys);
        Assert.False(fk.Rewritten);
        Assert.EndsWith(
            "FOREIGN KEY (store_id) REFERENCES store(store_id)" + (onUpdate == "NO ACTION" ? "" : $" ON UPDATE {onUpdate}") + (onDelete == "NO ACTION" ? "" : $" ON DELETE {onDelete}") + ";",
            PostDataDdl.For(plan.Get(Public("inventory"))).Single(s => s.Name == fk.Name).Sql);
        Assert.Empty(plan.Warnings);
    }

    [Theory]
    [InlineData("SET NULL")]
    [InlineData("SET DEFAULT")]
    public void A_key_to_a_reference_table_that_holds_the_distribution_column_and_sets_it_on_delete_is_refused(string onDelete)
    {
        var problem = SingleProblemFor(Refuse(Inventory("NO ACTION", onDelete).Build(), InventoryRules), "inventory");

        Assert.Contains($"inventory_store_id_fkey to public.store is ON DELETE {onDelete}", problem.What);
        Assert.Contains("distribution column store_id", problem.What);
        Assert.Equal("change it on the source to ON DELETE CASCADE, RESTRICT or NO ACTION", problem.Fix);
    }

    [Theory]
    [InlineData("CASCADE")]
    [InlineData("SET NULL")]
    [InlineData("SET DEFAULT")]
    public void A_key_to_a_reference_table_that_holds_the_distribution_column_loses_its_update_action_with_a_warning(string onUpdate)
    {
        var plan = Plan(Inventory(onUpdate, "RESTRICT").Build(), InventoryRules);

        var fk = Assert.Single(plan.Get(Public("inventory")).ForeignKeys);
        Assert.Equal(("store_id", "store_id", 'a', true), (Columns(fk.Columns), Columns(fk.ReferencedColumns), fk.OnUpdate, fk.Rewritten));
        Assert.Contains($"public.inventory: foreign key inventory_store_id_fkey to public.store is created ON UPDATE NO ACTION instead of ON UPDATE {onUpdate}", Assert.Single(plan.Warnings));
        Assert.EndsWith("FOREIGN KEY (\"store_id\") REFERENCES \"public\".\"store\" (\"store_id\") ON DELETE RESTRICT;",
            PostDataDdl.For(plan.Get(Public("inventory"))).Single(s => s.Name == fk.Name).Sql);
    }

    [Theory]
    [InlineData("CASCADE", "CASCADE")]
    [InlineData("SET NULL", "SET NULL")]
    [InlineData("SET DEFAULT", "SET DEFAULT")]
    [InlineData("RESTRICT", "NO ACTION")]
    public void A_key_to_a_reference_table_without_the_distribution_column_keeps_every_action(string onUpdate, string onDelete)
    {
        var plan = Plan(Countries(onUpdate, onDelete).Build(), CountryRules);

        var fk = Assert.Single(plan.Get(Public("campaigns")).ForeignKeys, f => f.ReferencedTable == Public("countries"));
        Assert.False(fk.Rewritten);
        Assert.Equal("country", Columns(fk.Columns));
        Assert.Empty(plan.Warnings);
    }
}
