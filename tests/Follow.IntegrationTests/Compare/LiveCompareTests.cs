using Follow.IntegrationTests.Cli;
using Follow.IntegrationTests.Infrastructure;
using static Follow.IntegrationTests.Snapshot.CopyFixture;
using static Follow.IntegrationTests.Stream.StreamKit;

namespace Follow.IntegrationTests.Compare;

/// <summary>
/// follow compare data --live and follow repair while the application writes and the follower streams: the
/// follower holds at the snapshot's exact LSN, the comparison names the tenants and rows changed behind Follow's
/// back, repair puts them right, and the follower still ends equal at endpos.
/// </summary>
public sealed class LiveCompareTests
{
    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    internal static async Task<FollowProcess.Result> LiveAsync(string sourceUri, string targetUri, string rules, params string[] extra) =>
        await FollowProcess.RunAsync(["compare", "data", "--live", "--source", sourceUri, "--target", targetUri, "--rules", rules, .. extra]);

    /// <summary>
    /// The tenants (company ids) of rows the workload never writes: a campaign, an impression of the copy (the
    /// workload only adds impressions), a company. A row the workload then changed would stop the follower.
    /// </summary>
    internal static async Task<(long A, long CampaignA, long B, long ImpressionB, long C)> PickAsync(Func<string, Task<long>> scalar)
    {
        var campaignA = await scalar("SELECT min(id) FROM campaigns WHERE company_id IS NOT NULL");
        var a = await scalar($"SELECT company_id FROM campaigns WHERE id = {campaignA}");
        var impressionB = await scalar($"SELECT min(i.id) FROM impressions i JOIN ads d ON d.id = i.ad_id JOIN campaigns c ON c.id = d.campaign_id WHERE c.company_id <> {a}");
        var b = await scalar($"SELECT c.company_id FROM impressions i JOIN ads d ON d.id = i.ad_id JOIN campaigns c ON c.id = d.campaign_id WHERE i.id = {impressionB}");
        var c = await scalar($"SELECT min(id) FROM companies WHERE id NOT IN ({a}, {b})");
        return (a, campaignA, b, impressionB, c);
    }

    /// <summary>One row's value changed in tenant A, one row deleted in tenant B, one extra row in tenant C.</summary>
    internal static string Tamper((long A, long CampaignA, long B, long ImpressionB, long C) t) => $"""
        UPDATE campaigns SET name = name || ' (tampered)' WHERE id = {t.CampaignA};
        DELETE FROM impressions WHERE id = {t.ImpressionB};
        INSERT INTO campaigns (company_id, id, name, cost_model, state, created_at, updated_at)
             VALUES ({t.C}, 9000001, 'extra', 'cpc', 'running', now(), now());
        """;

    internal static void AssertNamesExactly(FollowProcess.Result result, (long A, long CampaignA, long B, long ImpressionB, long C) t)
    {
        Assert.True(result.ExitCode == 1, result.All);
        var lines = Lines(result.Output);
        var tenants = new[] { t.A, t.B, t.C }.Order().Select(v => v.ToString());
        Assert.Contains($"tenants differing: {string.Join(", ", tenants)}", lines);
        Assert.Equal(
            new[] { $"public.campaigns tenant {t.A}: changed ({t.CampaignA})", $"public.campaigns tenant {t.C}: extra (9000001)", $"public.impressions tenant {t.B}: missing ({t.ImpressionB})"}.Order(StringComparer.Ordinal),
            lines.Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\S+ tenant \S+: (changed|missing|extra) ")).Order(StringComparer.Ordinal));
        Assert.Equal("4 tables equal, 2 differ", lines[^1]);
    }

    [Fact]
    public async Task A_live_compare_holds_the_follower_at_its_snapshot_names_tenants_and_rows_changed_behind_its_back_and_repair_puts_them_right()
    {
        var (source, target) = await AdPlatformAsync("live_compare", 0.01);
        await using var _ = source;
        await using var __ = target;
        await source.ExecuteAsync(AppliedOnceTable);
        var rules = RulesFile(AppliedOnceRules);
        var clone = await FollowProcess.RunAsync(["clone", .. Arguments(source, target, rules)]);
        Assert.True(clone.ExitCode == 0, clone.Error);

        await RunScenarioAsync(source, target.Uri, sql => target.ExecuteAsync(sql), sql => target.ScalarAsync<long>(sql), rules);
    }

    [Fact]
    public async Task A_pause_point_is_refused_while_another_is_asked_a_bad_tenant_before_any_change_and_without_a_follower_it_times_out_and_is_cleared()
    {
        var (source, target) = await AdPlatformAsync("live_refusals", 0.01);
        await using var _ = source;
        await using var __ = target;
        var rules = SamplePaths.Get("ad-platform", "rules.txt");
        var clone = await FollowProcess.RunAsync(["clone", .. Arguments(source, target, rules)]);
        Assert.True(clone.ExitCode == 0, clone.Error);

        var badTenant = await LiveAsync(source.Uri, target.Uri, rules, "--tenant", "not-a-number");
        var noTenant = await FollowProcess.RunAsync("repair", "--source", source.Uri, "--target", target.Uri, "--rules", rules);
        await target.ExecuteAsync("UPDATE follow.sentinel SET pause_lsn = '0/0'");
        var other = await LiveAsync(source.Uri, target.Uri, rules);
        var asked = await FollowProcess.RunAsync("list", "progress", "--target", target.Uri);
        var resume = await FollowProcess.RunAsync("sentinel", "set", "resume", "--target", target.Uri);
        var pauseAfterResume = await target.ScalarAsync<string>("SELECT coalesce(pause_lsn::text, '-') FROM follow.sentinel");
        var noFollower = await LiveAsync(source.Uri, target.Uri, rules, "--wait-timeout", "1");

        Assert.True(badTenant.ExitCode == 2, badTenant.All);
        Assert.Contains("--tenant: not a value of the distribution key's type bigint", badTenant.Error);
        Assert.True(noTenant.ExitCode == 2, noTenant.All);
        Assert.Contains("give the tenants to repair", noTenant.Error);
        Assert.True(other.ExitCode == 2, other.All);
        Assert.Contains("already asked to hold at 0/0", other.Error);
        Assert.Contains(", asked to hold at pause point 0/0", asked.Output);
        Assert.True(resume.ExitCode == 0, resume.All);
        Assert.Equal("-", pauseAfterResume);
        Assert.True(noFollower.ExitCode == 7, noFollower.All);
        Assert.Contains("did not hold at the pause point 0/0 within 1 s", noFollower.Error);
        // The pause it asked for is gone with it, and no temporary slot stays on the source.
        Assert.Equal("-", await target.ScalarAsync<string>("SELECT coalesce(pause_lsn::text, '-') FROM follow.sentinel"));
        Assert.Equal(0L, await source.ScalarAsync<long>("SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'follow_pause%'"));
    }

    /// <summary>
    /// With the follower streaming: --live on an idle source, then under a workload; the target tampered with in
    /// three tenants, named exactly; --tenant; repair; --live equal again; the follower ends at endpos equal.
    /// </summary>
    internal static async Task RunScenarioAsync(
        TestDatabase source, string targetUri, Func<string, Task> onTarget, Func<string, Task<long>> targetScalar, string rules)
    {
        using var follower = FollowProcess.Start(null, ["follow", "--slot-name", source.Name, "--source", source.Uri, "--target", targetUri, "--rules", rules]);
        var error = follower.StandardError.ReadToEndAsync();
        await WaitForActiveSlotAsync(source);
        try
        {
            // An idle source: the follower reaches the pause point from keepalives alone.
            var idle = await LiveAsync(source.Uri, targetUri, rules);
            Assert.True(idle.ExitCode == 0, idle.All);

            using var stop = new CancellationTokenSource();
            var writer = WriteNumberedAsync(source, AppliedOnceWorkload, TimeSpan.FromMilliseconds(2), stop.Token);
            var busy = await LiveAsync(source.Uri, targetUri, rules);
            Assert.True(busy.ExitCode == 0, busy.All);
            Assert.Contains("compared at LSN", busy.Error);
            Assert.Contains("compared public.impressions: ", busy.Error);
            // The comparison's progress, recorded on the target for another shell.
            var progress = await FollowProcess.RunAsync("list", "progress", "--target", targetUri);
            Assert.True(progress.ExitCode == 0, progress.All);
            Assert.Matches(@"(?m)^Compare at \d+/[0-9A-F]+: 6/6 tables, \d+ tenants .* in .*; finished .*, equal$", progress.Output);

            var tampered = await PickAsync(sql => source.ScalarAsync<long>(sql));
            await onTarget(Tamper(tampered));
            AssertNamesExactly(await LiveAsync(source.Uri, targetUri, rules), tampered);
            // --tenant limits the comparison to B.
            var onlyB = await LiveAsync(source.Uri, targetUri, rules, "--tenant", tampered.B.ToString(), "--json");
            Assert.Equal(1, onlyB.ExitCode);
            using (var json = System.Text.Json.JsonDocument.Parse(onlyB.Output))
            {
                Assert.Equal([tampered.B.ToString()], json.RootElement.GetProperty("tenantsDiffering").EnumerateArray().Select(e => e.GetString()));
            }

            // --table: that table and those whose foreign keys lead to it. Campaigns' descendants hold B's missing
            // impression; C's extra campaign is not among impressions' (none), so C still differs.
            var byCampaigns = await FollowProcess.RunAsync(["repair", "--tenant", tampered.A.ToString(), "--tenant", tampered.B.ToString(), "--table", "public.campaigns",
                "--source", source.Uri, "--target", targetUri, "--rules", rules]);
            Assert.True(byCampaigns.ExitCode == 0, byCampaigns.All);
            Assert.Contains($"tenant {tampered.A}: ", byCampaigns.Output);
            Assert.Matches($@"(?m)^tenant {tampered.B}: \d+ rows in 4 tables replaced", byCampaigns.Output);
            var byImpressions = await FollowProcess.RunAsync(["repair", "--tenant", tampered.C.ToString(), "--table", "impressions",
                "--source", source.Uri, "--target", targetUri, "--rules", rules]);
            Assert.True(byImpressions.ExitCode == 0, byImpressions.All);
            Assert.Matches($@"(?m)^tenant {tampered.C}: \d+ rows in 1 tables replaced", byImpressions.Output);
            var onlyC = await LiveAsync(source.Uri, targetUri, rules);
            Assert.True(onlyC.ExitCode == 1, onlyC.All);
            Assert.Contains($"tenants differing: {tampered.C}", Lines(onlyC.Output));

            var repair = await FollowProcess.RunAsync(["repair", "--tenant", tampered.C.ToString(),
                "--source", source.Uri, "--target", targetUri, "--rules", rules]);
            Assert.True(repair.ExitCode == 0, repair.All);
            var repaired = await LiveAsync(source.Uri, targetUri, rules);
            Assert.True(repaired.ExitCode == 0, repaired.All);

            await stop.CancelAsync();
            var transactions = await writer;
            var endpos = await FollowProcess.RunAsync("sentinel", "set", "endpos", "--current", "--source", source.Uri, "--target", targetUri);
            Assert.True(endpos.ExitCode == 0, endpos.Error);
            await WaitOrKillAsync(follower, TimeSpan.FromSeconds(120), error);
            Assert.True(follower.ExitCode == 0, await error);
            Assert.Equal(transactions, await targetScalar("SELECT count(*) FROM applied_once"));
            var compare = await FollowProcess.RunAsync(["compare", "data", "--source", source.Uri, "--target", targetUri, "--rules", rules]);
            Assert.True(compare.ExitCode == 0, compare.Output + compare.Error);
        }
        finally
        {
            if (!follower.HasExited) follower.Kill(entireProcessTree: true);
        }
    }
}
