using Follow.Discovery;
using Follow.IntegrationTests.Cli;
using Follow.IntegrationTests.Infrastructure;
using Follow.Model;
using Follow.Planning;
using Follow.Rules;
using Npgsql;

namespace Follow.IntegrationTests.TargetSchema;

/// <summary>follow clone --schema-only against a plain PostgreSQL target: the target's catalogs must match the plan.</summary>
public sealed class SchemaCloneTests
{
    private const string PagilaRules = """
        distribute store using store_id
        distribute language as reference table
        distribute film as reference table
        distribute rental using store_id from inventory
        """;

    private static async Task<(TestDatabase Source, TestDatabase Target)> DatabasesAsync(string hint, string sample)
    {
        var servers = await PostgresServers.GetAsync();
        var source = await servers.Source.CreateDatabaseAsync(hint);
        await source.ExecuteFileAsync(SamplePaths.Get(sample, "schema.sql"));
        return (source, await servers.Target.CreateDatabaseAsync(hint));
    }

    private static async Task<Catalog> ReadCatalogAsync(TestDatabase database)
    {
        await using var connection = await database.OpenAsync();
        return await CatalogReader.ReadAsync(connection, CancellationToken.None);
    }

    private static string RulesFile(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"follow-{Guid.NewGuid():N}.rules");
        File.WriteAllText(path, text);
        return path;
    }

    private static Task<FollowProcess.Result> CloneAsync(TestDatabase source, string target, string rules, params string[] extra) =>
        FollowProcess.RunAsync(["clone", "--schema-only", "--source", source.Uri, "--target", target, "--rules", rules, .. extra]);

    [Fact]
    public async Task The_ad_platform_cloned_to_plain_postgres_has_the_planned_tables_keys_and_sequences()
    {
        var (source, target) = await DatabasesAsync("clone_ads", "ad-platform");
        await using var _ = source;
        await using var __ = target;
        var rules = SamplePaths.Get("ad-platform", "rules.txt");
        await source.ExecuteAsync("""
            ALTER TABLE campaigns SET (fillfactor = 70, toast.autovacuum_enabled = false);
            ALTER TABLE campaigns ALTER COLUMN name SET STORAGE EXTERNAL, ALTER COLUMN name SET STATISTICS 300
            """);

        var result = await CloneAsync(source, target.Uri, rules);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("has no citus extension", result.Error);
        var sourceCatalog = await ReadCatalogAsync(source);
        var plan = DistributionPlanner.Plan(sourceCatalog, RulesParser.ParseFile(rules));
        var targetCatalog = await ReadCatalogAsync(target);
        foreach (var planned in plan.Tables)
        {
            var table = targetCatalog.Get(planned.Name);
            var casts = planned.Casts.ToDictionary(c => c.Column, c => c.TargetType);
            var expectedColumns = planned.Source.Columns.Select(c => (c.Name, casts.GetValueOrDefault(c.Name) ?? c.Type));
            if (planned.AddsDistributionColumn) expectedColumns = expectedColumns.Prepend((planned.DistributionColumn!, planned.DistributionColumnType!));
            Assert.Equal(expectedColumns, table.Columns.Select(c => (c.Name, c.Type)));
            Assert.Equal(planned.PrimaryKey!.Columns, table.PrimaryKey!.Columns);
            Assert.Equal(
                planned.ForeignKeys.Select(f => (f.Name, string.Join(",", f.Columns), f.ReferencedTable, string.Join(",", f.ReferencedColumns))).Order(),
                table.ForeignKeys.Select(f => (f.Name, string.Join(",", f.Columns), f.ReferencedTable, string.Join(",", f.ReferencedColumns))).Order());
            Assert.Equal(planned.Source.Indexes.Select(i => i.Name).Order(), table.Indexes.Select(i => i.Name).Order());
            Assert.Equal(planned.Source.StorageParameters, table.StorageParameters);
            Assert.Equal(
                planned.Source.Columns.Select(c => (c.Name, c.Storage, c.StatisticsTarget)),
                table.Columns.Where(c => c.Name != planned.DistributionColumn || !planned.AddsDistributionColumn).Select(c => (c.Name, c.Storage, c.StatisticsTarget)));
        }
        Assert.Equal(["fillfactor=70", "toast.autovacuum_enabled=false"], targetCatalog.Get(new QualifiedName("public", "campaigns")).StorageParameters);
        Assert.Equal(
            sourceCatalog.Sequences.Select(s => (s.Name, s.OwnedBy)).OrderBy(s => s.Name),
            targetCatalog.Sequences.Select(s => (s.Name, s.OwnedBy)).OrderBy(s => s.Name));
        Assert.Equal("company_id", targetCatalog.Get(new QualifiedName("public", "clicks")).Columns[0].Name);
    }

    [Fact]
    public async Task A_pagila_like_schema_clones_without_manual_steps()
    {
        var (source, target) = await DatabasesAsync("clone_pagila", "pagila-lite");
        await using var _ = source;
        await using var __ = target;

        var result = await CloneAsync(source, target.Uri, RulesFile(PagilaRules));

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal("G,PG,PG-13,R,NC-17", await target.ScalarAsync<string>(
            "SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = 'mpaa_rating'::regtype"));
        Assert.Equal("d", await target.ScalarAsync<string>("SELECT typtype::text FROM pg_type WHERE typname = 'year'"));
        Assert.Equal(2L, await target.ScalarAsync<long>(
            "SELECT count(*) FROM pg_proc WHERE proname IN ('last_updated', 'film_in_stock')"));
        Assert.Equal(2L, await target.ScalarAsync<long>(
            "SELECT count(*) FROM pg_views WHERE (schemaname, viewname) IN (('public', 'customer_list'), ('reporting', 'sales_by_store'))"));
        Assert.Equal(1L, await target.ScalarAsync<long>("SELECT count(*) FROM pg_matviews WHERE matviewname = 'film_count'"));
        Assert.Equal(2L, await target.ScalarAsync<long>("SELECT count(*) FROM pg_trigger WHERE tgname = 'last_updated'"));
        Assert.Equal("the tenants", await target.ScalarAsync<string>("SELECT obj_description('store'::regclass)"));
        Assert.Equal(2L, await target.ScalarAsync<long>("SELECT count(*) FROM pg_inherits WHERE inhparent = 'payment'::regclass"));
        var catalog = await ReadCatalogAsync(target);
        var customer = catalog.Get(new QualifiedName("public", "customer"));
        Assert.Equal('a', customer.Column("customer_id")!.Identity);
        Assert.Equal(["store_id", "customer_id"], customer.PrimaryKey!.Columns);
        Assert.Contains(customer.Indexes, i => i.Name == "customer_email_idx" && i.Definition.Contains("(store_id, lower(email))"));
        var payment = catalog.Get(new QualifiedName("public", "payment"));
        Assert.Equal("store_id", payment.Columns[0].Name);
        Assert.Equal(["store_id", "payment_date", "payment_id"], payment.PrimaryKey!.Columns);
        Assert.Equal(["store_id", "rental_id"], Assert.Single(payment.ForeignKeys).Columns);
        Assert.True(await target.ScalarAsync<bool>("SELECT has_table_privilege('public', 'customer_list', 'SELECT')"));
    }

    [Fact]
    public async Task A_target_table_with_rows_is_refused_before_any_change()
    {
        var (source, target) = await DatabasesAsync("clone_nonempty", "ad-platform");
        await using var _ = source;
        await using var __ = target;
        await target.ExecuteAsync("CREATE TABLE companies (id bigint); INSERT INTO companies VALUES (1);");

        var result = await CloneAsync(source, target.Uri, SamplePaths.Get("ad-platform", "rules.txt"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("public.companies", result.Error);
        Assert.Contains("--drop-if-exists", result.Error);
        Assert.Null(await target.ScalarAsync<string>("SELECT to_regnamespace('follow')::text"));
        Assert.Null(await target.ScalarAsync<string>("SELECT to_regclass('public.campaigns')::text"));
        Assert.Equal(1L, await target.ScalarAsync<long>("SELECT count(*) FROM companies"));
    }

    [Fact]
    public async Task Drop_if_exists_replaces_a_target_table_with_rows()
    {
        var (source, target) = await DatabasesAsync("clone_drop", "ad-platform");
        await using var _ = source;
        await using var __ = target;
        await target.ExecuteAsync("CREATE TABLE companies (id bigint); INSERT INTO companies VALUES (1);");

        var result = await CloneAsync(source, target.Uri, SamplePaths.Get("ad-platform", "rules.txt"), "--drop-if-exists");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("dropping the existing target table public.companies", result.Error);
        Assert.Equal(0L, await target.ScalarAsync<long>("SELECT count(*) FROM companies"));
        Assert.Equal(5L, await target.ScalarAsync<long>("SELECT count(*) FROM pg_attribute WHERE attrelid = 'companies'::regclass AND attnum > 0"));
    }

    [Fact]
    public async Task A_step_that_fails_midway_is_rolled_back_and_a_rerun_finishes_the_clone()
    {
        var (source, target) = await DatabasesAsync("clone_resume", "pagila-lite");
        await using var _ = source;
        await using var __ = target;
        var rules = RulesFile(PagilaRules);
        await target.ExecuteAsync("CREATE VIEW customer_list AS SELECT 1 AS in_the_way;");

        var failed = await CloneAsync(source, target.Uri, rules);

        Assert.Equal(7, failed.ExitCode);
        Assert.Contains("customer_list", failed.Error);
        Assert.Equal("pre-data: objects before tables,pre-data: tables", await target.ScalarAsync<string>(
            "SELECT string_agg(step, ',' ORDER BY done_at) FROM follow.clone_step"));
        Assert.Null(await target.ScalarAsync<string>("SELECT to_regclass('reporting.sales_by_store')::text"));

        await target.ExecuteAsync("DROP VIEW customer_list;");
        var rerun = await CloneAsync(source, target.Uri, rules);

        Assert.True(rerun.ExitCode == 0, rerun.Error);
        Assert.Contains("already done by an earlier run", rerun.Error);
        // Every step but the distribution, which a plain PostgreSQL target has not.
        Assert.Equal(5L, await target.ScalarAsync<long>("SELECT count(*) FROM follow.clone_step"));
        Assert.Equal(3L, await target.ScalarAsync<long>("SELECT count(*) FROM pg_attribute WHERE attrelid = 'customer_list'::regclass AND attnum > 0"));
    }

    [Fact]
    public async Task Keys_an_interrupted_run_left_half_made_are_finished_by_a_rerun()
    {
        var (source, target) = await DatabasesAsync("clone_half_keys", "ad-platform");
        await using var _ = source;
        await using var __ = target;
        var rules = SamplePaths.Get("ad-platform", "rules.txt");
        var first = await CloneAsync(source, target.Uri, rules);
        Assert.True(first.ExitCode == 0, first.Error);
        // What a run stopped midway leaves: a foreign key added NOT VALID but not yet validated, a key's unique index
        // built but not yet taken over by its constraint, and a foreign key not yet made.
        await target.ExecuteAsync("""
            ALTER TABLE clicks DROP CONSTRAINT clicks_ad_id_fkey;
            ALTER TABLE clicks ADD CONSTRAINT clicks_ad_id_fkey FOREIGN KEY (company_id, ad_id) REFERENCES ads (company_id, id) NOT VALID;
            ALTER TABLE impressions DROP CONSTRAINT impressions_ad_id_fkey;
            ALTER TABLE impressions DROP CONSTRAINT impressions_pkey;
            CREATE UNIQUE INDEX impressions_pkey ON impressions (company_id, id);
            DELETE FROM follow.clone_step WHERE step LIKE 'post-data%';
            """);

        var rerun = await CloneAsync(source, target.Uri, rules);

        Assert.True(rerun.ExitCode == 0, rerun.Error);
        Assert.Equal("p", await target.ScalarAsync<string>("SELECT contype::text FROM pg_constraint WHERE conname = 'impressions_pkey'"));
        Assert.True(await target.ScalarAsync<bool>("SELECT convalidated FROM pg_constraint WHERE conname = 'clicks_ad_id_fkey'"));
        Assert.True(await target.ScalarAsync<bool>("SELECT convalidated FROM pg_constraint WHERE conname = 'impressions_ad_id_fkey'"));
    }

    [Fact]
    public async Task A_pg_dump_older_than_the_source_is_refused_before_any_change()
    {
        var (source, target) = await DatabasesAsync("clone_old_dump", "ad-platform");
        await using var _ = source;
        await using var __ = target;
        var bin = Directory.CreateTempSubdirectory("follow-old-pg-").FullName;
        var fake = Path.Combine(bin, "pg_dump");
        await File.WriteAllTextAsync(fake, "#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        var result = await FollowProcess.RunAsync(
            new Dictionary<string, string> { ["FOLLOW_PG_BINDIR"] = bin },
            "clone", "--schema-only", "--source", source.Uri, "--target", target.Uri, "--rules", SamplePaths.Get("ad-platform", "rules.txt"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("version 9, older than the source server (15)", result.Error);
        Assert.Contains("postgresql-client-15", result.Error);
        Assert.Null(await target.ScalarAsync<string>("SELECT to_regnamespace('follow')::text"));
        Directory.Delete(bin, recursive: true);
    }
}
