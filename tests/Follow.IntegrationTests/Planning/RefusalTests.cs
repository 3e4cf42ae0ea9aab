using Follow.Planning;
using static Follow.IntegrationTests.Planning.PlannerFixture;

namespace Follow.IntegrationTests.Planning;

/// <summary>Every plan Citus would reject is refused before anything changes, naming the table and the fix.</summary>
public sealed class RefusalTests
{
    private const string Root = "distribute companies using id";

    private static PlanProblem SingleProblemFor(PlanRefusedException refused, string table)
    {
        var problem = Assert.Single(refused.Problems);
        Assert.Equal(Public(table), problem.Table);
        Assert.Contains($"public.{table}:", refused.Message);
        Assert.False(string.IsNullOrWhiteSpace(problem.Fix));
        return problem;
    }

    [Fact]
    public async Task A_cycle_of_from_lists_is_refused()
    {
        var catalog = await CatalogAsync("refuse_cycle", """
            CREATE TABLE companies (id bigint PRIMARY KEY);
            CREATE TABLE a (id bigint PRIMARY KEY, b_id bigint);
            CREATE TABLE b (id bigint PRIMARY KEY, a_id bigint REFERENCES a (id));
            ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b (id);
            CREATE TABLE c (id bigint PRIMARY KEY, company_id bigint REFERENCES companies (id), a_id bigint REFERENCES a (id));
            """);

        var refused = Refuse(catalog, Root + "\ndistribute a using company_id from b\ndistribute b using company_id from a");

        Assert.Contains(refused.Problems, p => p.What.Contains("cycle") && p.What.Contains("public.a") && p.What.Contains("public.b"));
        Assert.All(refused.Problems, p => Assert.NotNull(p.Table));
    }

    [Fact]
    public async Task A_unique_constraint_that_cannot_include_the_key_is_refused()
    {
        var catalog = await CatalogAsync("refuse_unique", """
            CREATE TABLE companies (id bigint PRIMARY KEY, name text UNIQUE);
            """);

        var problem = SingleProblemFor(Refuse(catalog, Root), "companies");

        Assert.Contains("companies_name_key", problem.What);
    }

    [Fact]
    public async Task A_unique_constraint_of_a_child_table_gets_the_key_added()
    {
        var catalog = await CatalogAsync("unique_child", """
            CREATE TABLE companies (id bigint PRIMARY KEY);
            CREATE TABLE campaigns (id bigint PRIMARY KEY, company_id bigint REFERENCES companies (id), slug text UNIQUE);
            """);

        var key = Assert.Single(Plan(catalog, Root).Get(Public("campaigns")).UniqueKeys);

        Assert.Equal(["company_id", "slug"], key.Columns);
        Assert.True(key.Rewritten);
    }

    [Fact]
    public async Task A_foreign_key_from_a_distributed_table_to_a_local_one_is_refused()
    {
        const string schema = """
            CREATE TABLE countries (code text PRIMARY KEY);
            CREATE TABLE companies (id bigint PRIMARY KEY);
            CREATE TABLE campaigns (id bigint PRIMARY KEY, company_id bigint REFERENCES companies (id), country text REFERENCES countries (code));
            """;
        var catalog = await CatalogAsync("refuse_local_fk", schema);

        var problem = SingleProblemFor(Refuse(catalog, Root), "campaigns");

        Assert.Contains("public.countries", problem.What);
        Assert.Contains("distribute public.countries as reference table", problem.Fix);
        var fixedPlan = Plan(catalog, Root + "\ndistribute countries as reference table");
        Assert.Equal(TableCategory.Reference, fixedPlan.Get(Public("countries")).Category);
        Assert.Equal("create_reference_table", fixedPlan.Calls[0].IsReference ? "create_reference_table" : "");
    }

    [Fact]
    public async Task A_key_type_mismatch_is_refused_and_a_cast_rule_fixes_it()
    {
        var catalog = await CatalogAsync("refuse_type", """
            CREATE TABLE companies (id bigint PRIMARY KEY);
            CREATE TABLE campaigns (id bigint PRIMARY KEY, company_id integer REFERENCES companies (id));
            """);

        var problem = SingleProblemFor(Refuse(catalog, Root), "campaigns");

        Assert.Contains("integer", problem.What);
        Assert.Contains("bigint", problem.What);
        Assert.Contains("cast column public.campaigns.company_id to \"bigint\"", problem.Fix);
        var plan = Plan(catalog, Root + "\ncast column campaigns.company_id to \"int8\"");
        Assert.Equal("company_id", plan.Get(Public("campaigns")).DistributionColumn);
    }

    [Fact]
    public async Task A_rule_naming_a_missing_table_is_refused_with_its_position()
    {
        var catalog = await CatalogAsync("refuse_missing_table", "CREATE TABLE companies (id bigint PRIMARY KEY);");

        var refused = Refuse(catalog, Root + "\ndistribute compnies as reference table");

        var problem = Assert.Single(refused.Problems);
        Assert.Contains("test.rules:2:", problem.What);
        Assert.Contains("compnies", problem.What);
    }

    [Fact]
    public async Task A_rule_naming_a_missing_column_is_refused()
    {
        var catalog = await CatalogAsync("refuse_missing_column", "CREATE TABLE companies (id bigint PRIMARY KEY);");

        var problem = SingleProblemFor(Refuse(catalog, "distribute companies using company_ident"), "companies");

        Assert.Contains("company_ident", problem.What);
    }

    [Fact]
    public async Task A_cast_rule_naming_a_missing_column_is_refused()
    {
        var catalog = await CatalogAsync("refuse_cast_column", "CREATE TABLE companies (id bigint PRIMARY KEY);");

        var problem = SingleProblemFor(Refuse(catalog, Root + "\ncast column companies.nme to \"text\""), "companies");

        Assert.Contains("nme", problem.What);
    }

    [Fact]
    public async Task A_table_without_primary_key_or_replica_identity_is_refused()
    {
        const string schema = """
            CREATE TABLE companies (id bigint PRIMARY KEY);
            CREATE TABLE events (company_id bigint REFERENCES companies (id), payload text);
            """;
        var catalog = await CatalogAsync("refuse_identity", schema);

        var problem = SingleProblemFor(Refuse(catalog, Root), "events");

        Assert.Contains("replica identity", problem.What);
        Assert.Contains("REPLICA IDENTITY", problem.Fix);
        var full = await CatalogAsync("identity_full", schema, "ALTER TABLE events REPLICA IDENTITY FULL;");
        Assert.Equal(TableCategory.DistributedReady, Plan(full, Root).Get(Public("events")).Category);
    }

    [Fact]
    public async Task A_partition_without_replica_identity_is_refused_by_its_own_name()
    {
        var catalog = await CatalogAsync("refuse_partition", """
            CREATE TABLE companies (id bigint PRIMARY KEY);
            CREATE TABLE hits (company_id bigint, at date) PARTITION BY RANGE (at);
            CREATE TABLE hits_2026 PARTITION OF hits FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
            """);

        SingleProblemFor(Refuse(catalog, Root), "hits_2026");
    }

    [Fact]
    public async Task An_unlogged_table_is_refused()
    {
        var catalog = await CatalogAsync("refuse_unlogged", """
            CREATE TABLE companies (id bigint PRIMARY KEY);
            CREATE UNLOGGED TABLE cache (id bigint PRIMARY KEY);
            """);

        Assert.Contains("UNLOGGED", SingleProblemFor(Refuse(catalog, Root), "cache").What);
    }

    [Fact]
    public async Task A_from_list_that_does_not_follow_a_foreign_key_is_refused()
    {
        var catalog = await CatalogAsync("refuse_from", Sample("ad-platform", "schema.sql"));

        var problem = SingleProblemFor(Refuse(catalog, Root + "\ndistribute clicks using company_id from campaigns"), "clicks");

        Assert.Contains("public.campaigns", problem.What);
    }

    [Fact]
    public async Task Two_foreign_keys_holding_the_key_make_the_column_ambiguous()
    {
        var catalog = await CatalogAsync("refuse_two_columns", """
            CREATE TABLE companies (id bigint PRIMARY KEY);
            CREATE TABLE transfers (id bigint PRIMARY KEY, from_company bigint REFERENCES companies (id), to_company bigint REFERENCES companies (id));
            """);

        var problem = SingleProblemFor(Refuse(catalog, Root), "transfers");

        Assert.Contains("distribute public.transfers using", problem.Fix);
    }
}
