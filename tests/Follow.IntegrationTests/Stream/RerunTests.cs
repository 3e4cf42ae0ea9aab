using Follow.IntegrationTests.Cli;
using Follow.IntegrationTests.Infrastructure;
using static Follow.IntegrationTests.Snapshot.CopyFixture;
using static Follow.IntegrationTests.Stream.StreamKit;

namespace Follow.IntegrationTests.Stream;

/// <summary>
/// The target remembers its clone: a second clone over a finished one is refused before it changes anything, later
/// commands take the clone's rules, filters and slot from the target and refuse another plan, and an endpos set while
/// a clone is unfinished survives its restart.
/// </summary>
public sealed class RerunTests
{
    private static readonly string[] Tables = ["companies", "campaigns", "ads", "clicks", "impressions"];

    private const string NewTenant = """
        BEGIN;
        INSERT INTO companies (id, name, created_at, updated_at) VALUES (90001, 'New', now(), now());
        INSERT INTO campaigns (id, company_id, name, cost_model, state, created_at, updated_at) VALUES (90001, 90001, 'c', 'cpc', 'running', now(), now());
        INSERT INTO ads (id, campaign_id, name, created_at, updated_at) VALUES (90001, 90001, 'a', now(), now());
        INSERT INTO impressions (id, ad_id, seen_at, site_url, cost_per_impression_usd, user_ip, user_data)
             VALUES (90001, 90001, now(), 'https://x', NULL, '10.1.1.1', '{"new": true}');
        COMMIT;
        """;

    private static string SampleRules => SamplePaths.Get("ad-platform", "rules.txt");

    private static string[] Connections(TestDatabase source, TestDatabase target) => ["--source", source.Uri, "--target", target.Uri];

    /// <summary>Every moved table's rows on the target, as one text: equal before and after means nothing changed.</summary>
    private static async Task<string> ChecksumsAsync(TestDatabase target)
    {
        var sums = new List<string>();
        foreach (var table in Tables)
        {
            sums.Add($"{table} {await target.ScalarAsync<string>($"SELECT coalesce(md5(string_agg(t::text, ',' ORDER BY id)), '') FROM {table} t")}");
        }
        return string.Join('\n', sums);
    }

    private static async Task CloneAsync(TestDatabase source, TestDatabase target, params string[] more)
    {
        var clone = await FollowProcess.RunAsync(["clone", .. Arguments(source, target, SampleRules), .. more]);
        Assert.True(clone.ExitCode == 0, clone.All);
    }

    private static async Task WaitForRowAsync(TestDatabase target, string sql)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !await target.ScalarAsync<bool>(sql)) await Task.Delay(50);
        Assert.True(await target.ScalarAsync<bool>(sql), $"not applied within 60 s: {sql}");
    }

    [Fact]
    public async Task A_second_clone_after_a_finished_clone_and_stream_cleanup_is_refused_and_changes_nothing_unless_it_starts_over()
    {
        var (source, target) = await AdPlatformAsync("rerun_copied", 0.01);
        await using var _ = source;
        await using var __ = target;
        await CloneAsync(source, target);
        // Without --slot-name: the clone's slot, recorded on the target, not the default one.
        var cleanup = await FollowProcess.RunAsync(["stream", "cleanup", .. Connections(source, target)]);
        Assert.True(cleanup.ExitCode == 0, cleanup.All);
        Assert.Contains($"dropped slot and publication {source.Name}", cleanup.Output);
        var before = await ChecksumsAsync(target);

        var again = await FollowProcess.RunAsync(["clone", .. Arguments(source, target, SampleRules)]);

        Assert.True(again.ExitCode == 2, again.All);
        Assert.Contains("a finished clone", again.Error);
        Assert.Contains("follow follow", again.Error);
        Assert.Contains("--drop-if-exists", again.Error);
        Assert.Equal(before, await ChecksumsAsync(target));
        Assert.Equal(1L, await target.ScalarAsync<long>("SELECT count(*) FROM follow.run"));
        Assert.Equal("copied", await target.ScalarAsync<string>("SELECT phase FROM follow.migration"));

        // A follow schema of an older Follow, without the record: the finished run tells it, and nothing is created.
        await target.ExecuteAsync("DROP TABLE follow.migration");
        var older = await FollowProcess.RunAsync(["clone", .. Arguments(source, target, SampleRules)]);
        Assert.True(older.ExitCode == 2, older.All);
        Assert.Contains("a finished clone", older.Error);
        Assert.False(await target.ScalarAsync<bool>("SELECT to_regclass('follow.migration') IS NOT NULL"));
        Assert.Equal(before, await ChecksumsAsync(target));

        await CloneAsync(source, target, "--drop-if-exists");
        Assert.Equal(2L, await target.ScalarAsync<long>("SELECT count(*) FROM follow.run"));
        Assert.Equal(before, await ChecksumsAsync(target));
    }

    [Fact]
    public async Task A_load_commands_include_drop_does_not_start_a_finished_clone_over()
    {
        var (source, target) = await AdPlatformAsync("rerun_load", 0.01);
        await using var _ = source;
        await using var __ = target;
        var load = RulesFile("""
            load database
                 from pgsql://someone:secret@nowhere/db
                 into pgsql://someone:secret@nowhere/db
            with include drop
            cast column impressions.seen_at to "timestamp with time zone"
            distribute companies using id
            ;
            """);
        var first = await FollowProcess.RunAsync(["clone", .. Arguments(source, target, load)]);
        Assert.True(first.ExitCode == 0, first.All);
        var before = await ChecksumsAsync(target);

        var again = await FollowProcess.RunAsync(["clone", .. Arguments(source, target, load)]);

        Assert.True(again.ExitCode == 2, again.All);
        Assert.Contains("--drop-if-exists", again.Error);
        Assert.Equal(before, await ChecksumsAsync(target));
        Assert.Equal(1L, await target.ScalarAsync<long>("SELECT count(*) FROM follow.run"));
        // The recorded text keeps no password of the command's URIs.
        Assert.DoesNotContain("secret", await target.ScalarAsync<string>("SELECT rules FROM follow.migration"));
    }

    [Fact]
    public async Task A_second_clone_after_the_stream_started_is_refused_and_changes_nothing()
    {
        var (source, target) = await AdPlatformAsync("rerun_streaming", 0.01);
        await using var _ = source;
        await using var __ = target;
        await CloneAsync(source, target);
        using (var follower = FollowProcess.Start(null, ["follow", .. Connections(source, target)]))
        {
            await WaitForActiveSlotAsync(source);
            await source.ExecuteAsync(NewTenant);
            await WaitForRowAsync(target, "SELECT EXISTS (SELECT 1 FROM impressions WHERE id = 90001)");
            follower.Kill(entireProcessTree: true);
            await follower.WaitForExitAsync();
        }
        var before = await ChecksumsAsync(target);

        var again = await FollowProcess.RunAsync(["clone", "--follow", .. Arguments(source, target, SampleRules)]);

        Assert.True(again.ExitCode == 2, again.All);
        Assert.Contains("the changes its stream applied", again.Error);
        Assert.Equal(before, await ChecksumsAsync(target));
        Assert.Equal(1L, await target.ScalarAsync<long>("SELECT count(*) FROM follow.run"));
        Assert.Equal("streaming", await target.ScalarAsync<string>("SELECT phase FROM follow.migration"));
    }

    [Fact]
    public async Task Follow_compare_and_run_without_rules_keep_to_the_plan_the_clone_recorded_and_a_clone_after_endpos_is_refused()
    {
        var (source, target) = await AdPlatformAsync("rerun_recorded", 0.01);
        await using var _ = source;
        await using var __ = target;
        await CloneAsync(source, target);
        using var follower = FollowProcess.Start(null, ["follow", .. Connections(source, target)]);
        var error = follower.StandardError.ReadToEndAsync();
        await WaitForActiveSlotAsync(source);
        // The impression gets its company_id from its ad's campaign: as local tables, the stream would miss it.
        await source.ExecuteAsync(NewTenant);
        await SetEndposAsync(source, target);
        await WaitOrKillAsync(follower, TimeSpan.FromSeconds(60), error);
        Assert.True(follower.ExitCode == 0, await error);
        Assert.Contains("rules and filters the clone recorded", await error);
        Assert.Equal(90001L, await target.ScalarAsync<long>("SELECT company_id FROM impressions WHERE id = 90001"));

        var compare = await FollowProcess.RunAsync(["compare", "data", .. Connections(source, target)]);
        Assert.True(compare.ExitCode == 0, compare.All);
        var before = await ChecksumsAsync(target);

        var again = await FollowProcess.RunAsync(["clone", .. Arguments(source, target, SampleRules)]);
        Assert.True(again.ExitCode == 2, again.All);
        Assert.Contains("reached endpos", again.Error);
        Assert.Equal(before, await ChecksumsAsync(target));
        Assert.Equal("done", await target.ScalarAsync<string>("SELECT phase FROM follow.migration"));

        var run = await FollowProcess.RunAsync(["run", .. Connections(source, target), "--Follow:Http:Port=0"]);
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Contains("resuming at done", run.All);
    }

    [Fact]
    public async Task Other_rules_or_filters_are_refused_naming_what_differs_and_the_same_rules_elsewhere_are_accepted()
    {
        var (source, target) = await AdPlatformAsync("rerun_other", 0.01);
        await using var _ = source;
        await using var __ = target;
        await CloneAsync(source, target);

        var otherRules = await FollowProcess.RunAsync(
            ["follow", "--rules", RulesFile("distribute companies using id\n"), .. Connections(source, target), "--slot-name", source.Name]);
        Assert.True(otherRules.ExitCode == 2, otherRules.All);
        Assert.Contains("the rules differ", otherRules.Error);
        Assert.Contains("public.impressions: recorded", otherRules.Error);

        var otherFilters = await FollowProcess.RunAsync(["compare", "data", "--exclude-table", "clicks", .. Connections(source, target)]);
        Assert.True(otherFilters.ExitCode == 2, otherFilters.All);
        Assert.Contains("the filters differ", otherFilters.Error);
        Assert.Contains("public.clicks: recorded", otherFilters.Error);

        var followFilters = await FollowProcess.RunAsync(["follow", "--exclude-table", "public.clicks", .. Connections(source, target)]);
        Assert.True(followFilters.ExitCode == 2, followFilters.All);
        Assert.Contains("the filters differ: the clone's were none, these are --exclude-table public.clicks", followFilters.Error);

        var otherSlot = await FollowProcess.RunAsync(["follow", .. Connections(source, target), "--slot-name", "another"]);
        Assert.True(otherSlot.ExitCode == 2, otherSlot.All);
        Assert.Contains($"recorded the slot {source.Name}", otherSlot.Error);

        // The same rules in another file, written otherwise, plan the same: accepted.
        var same = RulesFile("distribute companies using id\n\ncast column impressions.seen_at to \"timestamp with time zone\"\n");
        var compare = await FollowProcess.RunAsync(["compare", "data", "--rules", same, .. Connections(source, target)]);
        Assert.True(compare.ExitCode == 0, compare.All);
    }

    [Fact]
    public async Task An_endpos_set_while_a_clone_is_unfinished_survives_its_restart_and_the_stream_stops_there()
    {
        var (source, target) = await AdPlatformAsync("rerun_endpos", 0.05);
        await using var _ = source;
        await using var __ = target;
        string[] args = ["clone", "--follow", .. Arguments(source, target, SampleRules), "--table-jobs", "1"];
        using (var first = FollowProcess.Start(null, args))
        {
            // Killed as soon as the clone recorded itself: during its schema phase, as a SIGTERM'd worker would be.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline && !first.HasExited
                && !await target.ScalarAsync<bool>("SELECT to_regclass('follow.migration') IS NOT NULL"))
            {
                await Task.Delay(10);
            }
            while (DateTime.UtcNow < deadline && !first.HasExited && !await target.ScalarAsync<bool>("SELECT EXISTS (SELECT FROM follow.migration)"))
            {
                await Task.Delay(10);
            }
            Assert.False(first.HasExited, "the first clone ended before it could be killed");
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
        }
        Assert.Equal("copying", await target.ScalarAsync<string>("SELECT phase FROM follow.migration"));
        var early = await FollowProcess.RunAsync(["follow", .. Connections(source, target)]);
        Assert.True(early.ExitCode == 2, early.All);
        Assert.Contains("has not finished", early.Error);
        await SetEndposAsync(source, target);
        var endpos = await target.ScalarAsync<string>("SELECT endpos::text FROM follow.sentinel");

        // Restarted without the rules or the slot: those the clone recorded.
        using var second = FollowProcess.Start(null, ["clone", "--follow", .. Connections(source, target), "--table-jobs", "1"]);
        var error = second.StandardError.ReadToEndAsync();
        await WaitOrKillAsync(second, TimeSpan.FromSeconds(90), error);

        Assert.True(second.ExitCode == 0, await error);
        Assert.Contains($"endpos {endpos}, set before this clone finished, is kept", await error);
        Assert.Contains("rules and filters the clone recorded", await error);
        Assert.Equal(0L, await target.ScalarAsync<long>("SELECT count(*) FROM impressions WHERE company_id IS NULL"));
        Assert.Equal(endpos, await target.ScalarAsync<string>("SELECT endpos::text FROM follow.sentinel"));
        Assert.True(await target.ScalarAsync<bool>("SELECT done_at IS NOT NULL FROM follow.sentinel"));
        Assert.Equal("done", await target.ScalarAsync<string>("SELECT phase FROM follow.migration"));
    }
}
