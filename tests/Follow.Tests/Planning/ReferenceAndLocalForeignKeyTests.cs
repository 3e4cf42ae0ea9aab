using Follow.Planning;
using static Follow.Tests.Planning.PlanFixture;

namespace Follow.Tests.Planning;

/// <summary>
/// Citus' rules for foreign keys held by reference and local tables, and for SET DEFAULT on columns that draw
/// from a sequence (<see cref="CitusForeignKeyRules"/>), each action variant planned.
/// </summary>
public sealed class ReferenceAndLocalForeignKeyTests
{
    private const string Root = "distribute companies using id";
    private const string CountriesAreReference = Root + "\ndistribute countries as reference table";

    private static CatalogBuilder Companies() => new CatalogBuilder()
        .Table("companies", t => t.Column("id", "bigint", notNull: true).PrimaryKey("id"))
        .Table("campaigns", t => t.Column("id", "bigint").Column("company_id", "bigint").PrimaryKey("id").References("company_id", "companies"));

    /// <summary>The reference table countries' key to currencies, which stays local unless a rule says otherwise.</summary>
    private static CatalogBuilder Currencies(string onUpdate, string onDelete) => Companies()
        .Table("currencies", t => t.Column("code", "text", notNull: true).PrimaryKey("code"))
        .Table("countries", t => t.Column("code", "text", notNull: true).Column("currency", "text").PrimaryKey("code")
            .References("currency", "currencies", "code", onUpdate: onUpdate, onDelete: onDelete));

    /// <summary>The local table audit's key to the reference table countries.</summary>
    private static CatalogBuilder Audit(string onUpdate, string onDelete) => Companies()
        .Table("countries", t => t.Column("code", "text", notNull: true).PrimaryKey("code"))
        .Table("audit", t => t.Column("id", "bigint").Column("country", "text").PrimaryKey("id")
            .References("country", "countries", "code", onUpdate: onUpdate, onDelete: onDelete));

    private static PlannedForeignKey KeyOf(DistributionPlan plan, string table) => Assert.Single(plan.Get(Public(table)).ForeignKeys);

    [Theory]
    [InlineData("NO ACTION", "NO ACTION")]
    [InlineData("RESTRICT", "RESTRICT")]
    [InlineData("NO ACTION", "RESTRICT")]
    public void A_reference_tables_key_to_a_local_table_that_takes_no_action_is_kept(string onUpdate, string onDelete)
    {
        var plan = Plan(Currencies(onUpdate, onDelete).Build(), CountriesAreReference);

        Assert.Equal(TableCategory.Local, plan.Get(Public("currencies")).Category);
        Assert.False(KeyOf(plan, "countries").Rewritten);
    }

    [Theory]
    [InlineData("NO ACTION", "CASCADE", "ON DELETE CASCADE")]
    [InlineData("NO ACTION", "SET NULL", "ON DELETE SET NULL")]
    [InlineData("NO ACTION", "SET DEFAULT", "ON DELETE SET DEFAULT")]
    [InlineData("CASCADE", "NO ACTION", "ON UPDATE CASCADE")]
    [InlineData("SET NULL", "RESTRICT", "ON UPDATE SET NULL")]
    [InlineData("SET DEFAULT", "NO ACTION", "ON UPDATE SET DEFAULT")]
    public void A_reference_tables_key_to_a_local_table_with_an_action_is_refused(string onUpdate, string onDelete, string action)
    {
        var problem = SingleProblemFor(Refuse(Currencies(onUpdate, onDelete).Build(), CountriesAreReference), "countries");

        Assert.Contains($"countries_currency_fkey to the local table public.currencies is {action}", problem.What);
        Assert.Contains("distribute public.currencies as reference table", problem.Fix);
    }

    [Fact]
    public void The_same_key_with_an_action_is_kept_when_both_tables_are_reference_tables()
    {
        var plan = Plan(Currencies("CASCADE", "SET NULL").Build(), CountriesAreReference + "\ndistribute currencies as reference table");

        var fk = KeyOf(plan, "countries");
        Assert.Equal(('c', false), (fk.OnUpdate, fk.Rewritten));
        Assert.Empty(plan.Warnings);
    }

    [Theory]
    [InlineData("NO ACTION", "NO ACTION")]
    [InlineData("CASCADE", "CASCADE")]
    [InlineData("SET NULL", "SET NULL")]
    [InlineData("SET DEFAULT", "SET DEFAULT")]
    [InlineData("RESTRICT", "RESTRICT")]
    public void A_local_tables_key_to_a_reference_table_keeps_every_action(string onUpdate, string onDelete)
    {
        var plan = Plan(Audit(onUpdate, onDelete).Build(), CountriesAreReference);

        Assert.Equal(TableCategory.Local, plan.Get(Public("audit")).Category);
        var fk = KeyOf(plan, "audit");
        Assert.Equal(($"ON UPDATE {onUpdate}", false), (CitusForeignKeyRules.Action("UPDATE", fk.OnUpdate), fk.Rewritten));
    }

    [Theory]
    [InlineData("CASCADE", "SET NULL")]
    [InlineData("SET DEFAULT", "CASCADE")]
    public void A_local_tables_key_to_another_local_table_keeps_every_action(string onUpdate, string onDelete)
    {
        var catalog = Companies()
            .Table("admins", t => t.Column("id", "bigint").PrimaryKey("id"))
            .Table("audit", t => t.Column("id", "bigint").Column("admin_id", "bigint", @default: "0").PrimaryKey("id")
                .References("admin_id", "admins", onUpdate: onUpdate, onDelete: onDelete))
            .Build();

        Assert.False(KeyOf(Plan(catalog, Root), "audit").Rewritten);
    }

    [Fact]
    public void A_key_from_a_reference_table_to_a_distributed_one_is_refused()
    {
        var catalog = Companies()
            .Table("plans", t => t.Column("id", "bigint").Column("company_id", "bigint").PrimaryKey("id").References("company_id", "companies"))
            .Build();

        var problem = SingleProblemFor(Refuse(catalog, Root + "\ndistribute plans as reference table"), "plans");

        Assert.Contains("plans_company_id_fkey references the distributed table public.companies", problem.What);
        Assert.Contains("remove the reference rule", problem.Fix);
    }

    [Fact]
    public void A_key_from_a_local_table_to_a_distributed_one_is_refused()
    {
        // The planner distributes a table whose key leads to a distributed one; the rule stands for the cases it cannot.
        var notes = new TableBuilder(Public("notes")).Column("id", "bigint").Column("campaign_id", "bigint").PrimaryKey("id")
            .References("campaign_id", "campaigns").Build();

        var verdict = CitusForeignKeyRules.Judge(new ForeignKeySides(notes.ForeignKeys[0], notes, TableCategory.Local, null,
            TableCategory.DistributedReady, "company_id", null, Public("companies"), false, false));

        Assert.True(verdict.IsRefused);
        Assert.Contains("notes_campaign_id_fkey references the distributed table public.campaigns", verdict.Problem);
        Assert.Contains("from a local table", verdict.Problem);
        Assert.Contains("distribute public.notes with a rule", verdict.Fix);
    }

    [Theory]
    [InlineData("SET DEFAULT", "NO ACTION", "UPDATE")]
    [InlineData("NO ACTION", "SET DEFAULT", "DELETE")]
    public void Set_default_on_a_column_that_draws_from_a_sequence_is_refused_in_a_distributed_table(string onUpdate, string onDelete, string verb)
    {
        var catalog = Companies()
            .Table("countries", t => t.Serial("id").PrimaryKey("id"))
            .Table("ads", t => t.Column("id", "bigint").Column("company_id", "bigint").Serial("country_id").PrimaryKey("id")
                .References("company_id", "companies").References("country_id", "countries", onUpdate: onUpdate, onDelete: onDelete))
            .Build();

        var problem = SingleProblemFor(Refuse(catalog, CountriesAreReference), "ads");

        Assert.Contains($"ads_country_id_fkey to public.countries is ON {verb} SET DEFAULT, and column country_id defaults to a sequence", problem.What);
        Assert.Contains($"ON {verb} NO ACTION", problem.Fix);
    }

    [Fact]
    public void Set_default_on_an_identity_column_is_refused_in_a_reference_table()
    {
        var catalog = Companies()
            .Table("regions", t => t.Column("id", "bigint", notNull: true).PrimaryKey("id"))
            .Table("countries", t => t.Identity("region_id").Column("code", "text").PrimaryKey("code")
                .References("region_id", "regions", onDelete: "SET DEFAULT"))
            .Build();

        var problem = SingleProblemFor(Refuse(catalog, CountriesAreReference + "\ndistribute regions as reference table"), "countries");

        Assert.Contains("column region_id defaults to a sequence", problem.What);
    }

    [Fact]
    public void Set_default_on_a_sequence_column_is_refused_in_a_local_table_that_citus_takes_into_its_metadata()
    {
        // audit becomes a Citus local table through its key to countries; its key to admins then falls under the rule.
        var catalog = Companies()
            .Table("countries", t => t.Column("code", "text", notNull: true).PrimaryKey("code"))
            .Table("admins", t => t.Column("id", "bigint").PrimaryKey("id"))
            .Table("audit", t => t.Column("id", "bigint").Column("country", "text").Serial("admin_id").PrimaryKey("id")
                .References("country", "countries", "code").References("admin_id", "admins", onDelete: "SET DEFAULT"))
            .Build();

        var problem = SingleProblemFor(Refuse(catalog, CountriesAreReference), "audit");

        Assert.Contains("audit_admin_id_fkey", problem.What);
    }

    [Fact]
    public void Set_default_on_a_sequence_column_is_kept_in_a_local_table_citus_leaves_alone()
    {
        var catalog = Companies()
            .Table("admins", t => t.Column("id", "bigint").PrimaryKey("id"))
            .Table("audit", t => t.Column("id", "bigint").Serial("admin_id").PrimaryKey("id").References("admin_id", "admins", onDelete: "SET DEFAULT"))
            .Build();

        Assert.Equal("audit_admin_id_fkey", KeyOf(Plan(catalog, Root), "audit").Name);
    }

    [Fact]
    public void Set_default_limited_to_columns_without_a_sequence_is_kept()
    {
        var catalog = Companies()
            .Table("countries", t => t.Column("code", "text", notNull: true).Column("version", "bigint", notNull: true).PrimaryKey("code", "version"))
            .Table("ads", t => t.Column("id", "bigint").Column("company_id", "bigint").Column("country", "text", @default: "'ZZ'::text")
                .Serial("country_version").PrimaryKey("id").References("company_id", "companies")
                .ForeignKey(["country", "country_version"], "countries", ["code", "version"], onDelete: "SET DEFAULT", deleteSetColumns: ["country"]))
            .Build();

        var plan = Plan(catalog, CountriesAreReference + "\ndistribute ads using company_id");

        Assert.Contains(plan.Get(Public("ads")).ForeignKeys, f => f.Name == "ads_country_country_version_fkey");
    }
}
