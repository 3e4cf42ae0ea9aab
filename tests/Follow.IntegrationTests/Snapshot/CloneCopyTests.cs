using Follow.IntegrationTests.Cli;
using Follow.IntegrationTests.Infrastructure;
using static Follow.IntegrationTests.Snapshot.CopyFixture;

namespace Follow.IntegrationTests.Snapshot;

/// <summary>follow clone with data, from a replication slot's snapshot, against a plain PostgreSQL target.</summary>
public sealed class CloneCopyTests
{
    private static readonly string Rules = SamplePaths.Get("ad-platform", "rules.txt");

    [Fact]
    public async Task Clone_copies_every_table_with_its_backfilled_key_and_records_each_job()
    {
        var (source, target) = await AdPlatformAsync("copy_basic", 0.05);
        await using var _ = source;
        await using var __ = target;

        var result = await FollowProcess.RunAsync("clone", "--slot-name", source.Name, "--source", source.Uri, "--target", target.Uri, "--rules", Rules);

        Assert.True(result.ExitCode == 0, result.Error);
        await AssertTablesEqualAsync(await PlanAsync(source, Rules), source, target.ConnectionString);
        Assert.Equal(5L, await target.ScalarAsync<long>("SELECT count(*) FROM follow.report WHERE state = 'completed' AND rows > 0 AND bytes > 0"));
        Assert.Equal(5000L, await target.ScalarAsync<long>("SELECT rows FROM follow.job WHERE table_name = 'public.impressions'"));
        Assert.Equal(await source.ScalarAsync<long>("SELECT last_value FROM impressions_id_seq"),
            await target.ScalarAsync<long>("SELECT last_value FROM impressions_id_seq"));
        Assert.Equal(1L, await source.ScalarAsync<long>("SELECT count(*) FROM pg_replication_slots WHERE slot_name = current_database() AND plugin = 'pgoutput'"));
        Assert.Contains("data phase done", result.Error);
    }

    [Fact]
    public async Task A_large_table_is_copied_in_several_ctid_ranges()
    {
        var (source, target) = await AdPlatformAsync("copy_split", 0.1);
        await using var _ = source;
        await using var __ = target;

        var result = await FollowProcess.RunAsync("clone", "--slot-name", source.Name, "--source", source.Uri, "--target", target.Uri, "--rules", Rules,
            "--split-tables-larger-than", "300kB", "--table-jobs", "3");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.True(await target.ScalarAsync<long>("SELECT count(*) FROM follow.job WHERE table_name = 'public.impressions'") > 1);
        Assert.Equal(10000L, await target.ScalarAsync<long>("SELECT sum(rows) FROM follow.job WHERE table_name = 'public.impressions'"));
        await AssertTablesEqualAsync(await PlanAsync(source, Rules), source, target.ConnectionString);
    }

    [Fact]
    public async Task Rows_without_a_key_are_refused_with_table_count_and_example_before_anything_is_copied()
    {
        var (source, target) = await AdPlatformAsync("copy_orphans", 0.02);
        await using var _ = source;
        await using var __ = target;
        await source.ExecuteAsync("UPDATE ads SET campaign_id = NULL WHERE id IN (7, 8, 9);");

        var refused = await FollowProcess.RunAsync("clone", "--slot-name", source.Name, "--source", source.Uri, "--target", target.Uri, "--rules", Rules);

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("public.ads: 3 rows without company_id through public.campaigns, e.g. (id) = (7)", refused.Error);
        Assert.Contains("--orphans skip", refused.Error);
        Assert.Null(await target.ScalarAsync<string>("SELECT to_regclass('public.ads')::text"));
        Assert.Equal(0L, await source.ScalarAsync<long>("SELECT count(*) FROM pg_replication_slots WHERE slot_name = current_database()"));

        var skipped = await FollowProcess.RunAsync("clone", "--slot-name", source.Name, "--source", source.Uri, "--target", target.Uri, "--rules", Rules, "--orphans", "skip");

        Assert.True(skipped.ExitCode == 0, skipped.Error);
        Assert.Contains("public.ads: 3 rows without a distribution key are left out", skipped.Error);
        Assert.Equal(await source.ScalarAsync<long>("SELECT count(*) FROM ads") - 3, await target.ScalarAsync<long>("SELECT count(*) FROM ads"));
        await AssertTablesEqualAsync(await PlanAsync(source, Rules), source, target.ConnectionString);
    }

    [Fact]
    public async Task Keys_the_copy_cannot_break_are_made_before_the_data_and_the_others_are_still_checked()
    {
        var (source, target) = await AdPlatformAsync("copy_held_keys", 0.05);
        await using var _ = source;
        await using var __ = target;
        // budgets has its own company_id: its key to campaigns gets company_id on both sides, so a budget that names
        // another company's campaign breaks it on the target. Large next to campaigns, so that size alone would let
        // its key be made before the data.
        await source.ExecuteAsync("""
            CREATE TABLE budgets (
                id bigserial PRIMARY KEY,
                company_id bigint NOT NULL REFERENCES companies (id),
                campaign_id bigint REFERENCES campaigns (id),
                note text);
            INSERT INTO budgets (company_id, campaign_id, note)
            SELECT c.company_id, c.id, repeat('x', 200) FROM campaigns c, generate_series(1, 20);
            ANALYZE budgets;
            """);
        var held = await FollowProcess.RunAsync("clone", "--slot-name", source.Name, "--source", source.Uri, "--target", target.Uri, "--rules", Rules);

        Assert.True(held.ExitCode == 0, held.Error);
        Assert.Contains("public.clicks: foreign key clicks_ad_id_fkey made once public.ads was copied, before its own rows", held.Error);
        Assert.Contains("public.impressions: foreign key impressions_ad_id_fkey made once public.ads was copied, before its own rows", held.Error);
        Assert.DoesNotContain("budgets_campaign_id_fkey made once", held.Error);
        await AssertTablesEqualAsync(await PlanAsync(source, Rules), source, target.ConnectionString);
        Assert.Equal(0L, await target.ScalarAsync<long>("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND NOT convalidated AND connamespace = 'public'::regnamespace"));
        Assert.Equal(6L, await target.ScalarAsync<long>("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace"));

        await source.ExecuteAsync("""
            UPDATE budgets SET campaign_id = (SELECT min(id) FROM campaigns WHERE company_id <> budgets.company_id)
             WHERE id = (SELECT min(id) FROM budgets);
            """);
        await source.ExecuteAsync("SELECT pg_drop_replication_slot(current_database())");

        var checkedKey = await FollowProcess.RunAsync("clone", "--slot-name", source.Name, "--source", source.Uri, "--target", target.Uri, "--rules", Rules,
            "--drop-if-exists");

        Assert.NotEqual(0, checkedKey.ExitCode);
        Assert.Contains("budgets_campaign_id_fkey", checkedKey.Error);
    }

    [Fact]
    public async Task A_source_without_logical_wal_level_is_refused()
    {
        var servers = await PostgresServers.GetAsync();
        // The target server runs with the default wal_level (replica).
        await using var source = await servers.Target.CreateDatabaseAsync("copy_wal_level");
        await source.ExecuteFileAsync(SamplePaths.Get("ad-platform", "schema.sql"));
        await using var target = await servers.Target.CreateDatabaseAsync("copy_wal_level_target");

        var result = await FollowProcess.RunAsync("clone", "--slot-name", source.Name, "--source", source.Uri, "--target", target.Uri, "--rules", Rules);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("wal_level = replica", result.Error);
        Assert.Contains("ALTER SYSTEM SET wal_level = logical", result.Error);
        Assert.Contains("rds.logical_replication = 1", result.Error);
        Assert.Contains("cloudsql.logical_decoding = on", result.Error);
        Assert.Null(await target.ScalarAsync<string>("SELECT to_regclass('public.ads')::text"));
        // Not even Follow's own schema.
        Assert.True(await target.ScalarAsync<bool>("SELECT to_regnamespace('follow') IS NULL"));
    }

    [Fact]
    public async Task A_role_without_the_replication_attribute_is_refused()
    {
        var (source, target) = await AdPlatformAsync("copy_role", 0.01);
        await using var _ = source;
        await using var __ = target;
        var role = $"reader_{Guid.NewGuid():N}"[..20];
        await source.ExecuteAsync($"CREATE ROLE {role} LOGIN; GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}; GRANT CREATE ON DATABASE \"{source.Name}\" TO {role};");
        try
        {
            var result = await FollowProcess.RunAsync("clone", "--slot-name", source.Name, "--source", source.Uri.Replace("postgres@", $"{role}@"), "--target", target.Uri, "--rules", Rules);

            Assert.Equal(2, result.ExitCode);
            Assert.Contains($"the role {role} may not stream changes", result.Error);
            Assert.Null(await target.ScalarAsync<string>("SELECT to_regclass('public.ads')::text"));
        }
        finally
        {
            await source.ExecuteAsync($"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}; REVOKE ALL ON DATABASE \"{source.Name}\" FROM {role}; DROP ROLE {role};");
        }
    }
}
