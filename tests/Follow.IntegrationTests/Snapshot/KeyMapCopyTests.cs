using Follow.IntegrationTests.Cli;
using Follow.IntegrationTests.Infrastructure;
using static Follow.IntegrationTests.Snapshot.CopyFixture;

namespace Follow.IntegrationTests.Snapshot;

/// <summary>
/// Backfilled tables copied through a map of their first parent's keys, without joins on the source: the target
/// holds exactly the rows the joins give (<see cref="CopyFixture.SourceRows"/> is the join query), orphans included.
/// </summary>
public sealed class KeyMapCopyTests
{
    private static readonly string Rules = SamplePaths.Get("ad-platform", "rules.txt");

    [Fact]
    public async Task Tables_copied_through_key_maps_equal_the_joins_and_a_map_over_the_memory_limit_falls_back_to_the_joins()
    {
        var (source, target) = await AdPlatformAsync("keymap_basic", 0.05);
        await using var _ = source;
        await using var __ = target;
        var servers = await PostgresServers.GetAsync();
        await using var joined = await servers.Target.CreateDatabaseAsync("keymap_joined");

        var mapped = await FollowProcess.RunAsync("clone", "--slot-name", source.Name, "--source", source.Uri, "--target", target.Uri, "--rules", Rules);

        Assert.True(mapped.ExitCode == 0, mapped.Error);
        Assert.Contains("copied public.impressions (part 1 of 1): 5000 rows", mapped.Error);
        Assert.Contains("(backfill key map)", mapped.Error);
        Assert.DoesNotContain("(backfill joins)", mapped.Error);
        await AssertTablesEqualAsync(await PlanAsync(source, Rules), source, target.ConnectionString);

        await source.ExecuteAsync($"SELECT pg_drop_replication_slot('{source.Name}')");
        var fallback = await FollowProcess.RunAsync("clone", "--slot-name", source.Name, "--source", source.Uri, "--target", joined.Uri, "--rules", Rules,
            "--backfill-memory", "1kB");

        Assert.True(fallback.ExitCode == 0, fallback.Error);
        Assert.Contains("exceed the backfill memory (0 MB): copied through joins", fallback.Error);
        Assert.Contains("(backfill joins)", fallback.Error);
        Assert.DoesNotContain("(backfill key map)", fallback.Error);
        await AssertTablesEqualAsync(await PlanAsync(source, Rules), source, joined.ConnectionString);
    }

    [Fact]
    public async Task Rows_whose_parent_is_missing_or_leads_to_no_key_are_refused_or_skipped_as_with_the_joins()
    {
        var (source, target) = await AdPlatformAsync("keymap_orphans", 0.02);
        await using var _ = source;
        await using var __ = target;
        // A key the source does not enforce (NOT VALID, the row written past its trigger) lets an impression point
        // at no ad; a campaign without a company leaves its ads, and their clicks and impressions, without a key one
        // hop further.
        await source.ExecuteAsync("""
            ALTER TABLE impressions DROP CONSTRAINT impressions_ad_id_fkey;
            ALTER TABLE impressions ADD CONSTRAINT impressions_ad_id_fkey FOREIGN KEY (ad_id) REFERENCES ads (id) NOT VALID;
            SET session_replication_role = replica;
            INSERT INTO impressions (ad_id, seen_at, site_url, user_ip, user_data) VALUES (999999, now(), 'nowhere', '10.0.0.1', '{}');
            RESET session_replication_role;
            UPDATE campaigns SET company_id = NULL WHERE id = (SELECT campaign_id FROM ads WHERE id = (SELECT min(ad_id) FROM impressions));
            """);

        var refused = await FollowProcess.RunAsync("clone", "--slot-name", source.Name, "--source", source.Uri, "--target", target.Uri, "--rules", Rules);

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("public.impressions:", refused.Error);
        Assert.Contains("public.campaigns:", refused.Error);

        var skipped = await FollowProcess.RunAsync("clone", "--slot-name", source.Name, "--source", source.Uri, "--target", target.Uri, "--rules", Rules,
            "--orphans", "skip");

        Assert.True(skipped.ExitCode == 0, skipped.Error);
        Assert.Contains("(backfill key map)", skipped.Error);
        var plan = await PlanAsync(source, Rules);
        await AssertTablesEqualAsync(plan, source, target.ConnectionString);
        Assert.Equal(0L, await target.ScalarAsync<long>("SELECT count(*) FROM impressions WHERE site_url = 'nowhere'"));
        Assert.True(await source.ScalarAsync<long>("SELECT count(*) FROM impressions") - 2
            >= await target.ScalarAsync<long>("SELECT count(*) FROM impressions"));
    }
}
