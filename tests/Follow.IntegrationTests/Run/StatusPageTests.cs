using System.Text.Json;
using System.Text.RegularExpressions;
using Follow.IntegrationTests.Infrastructure;
using static Follow.IntegrationTests.Snapshot.CopyFixture;
using static Follow.IntegrationTests.Stream.StreamKit;

namespace Follow.IntegrationTests.Run;

/// <summary>The status page of <c>follow run</c>, rendered by a real browser while a migration streams.</summary>
public sealed partial class StatusPageTests
{
    private static readonly string[] AdPlatformTables = ["companies", "campaigns", "ads", "clicks", "impressions"];

    [ChromiumFact]
    public async Task The_page_rendered_in_chromium_during_streaming_shows_the_phase_every_table_the_lag_chart_and_a_lost_connection()
    {
        var (source, target) = await AdPlatformAsync("status_page", 0.01);
        await using var _ = source;
        await using var __ = target;
        var rules = SamplePaths.Get("ad-platform", "rules.txt");
        using var stop = new CancellationTokenSource();
        var writer = WriteNumberedAsync(source, "UPDATE ads SET clicks_count = $1 WHERE id = (SELECT min(id) FROM ads)", TimeSpan.FromMilliseconds(20), stop.Token);
        try
        {
            using var worker = WorkerProcess.Start(null,
                "--source", source.Uri, "--target", target.Uri, "--rules", rules, $"--Follow:SlotName={source.Name}", "--Follow:HistoryInterval=00:00:01");
            await worker.WaitForStatusAsync(
                s => s.GetProperty("phase").GetString() == "streaming"
                    && s.GetProperty("stream").GetProperty("lagBytes").ValueKind == JsonValueKind.Number,
                "streaming with a measured lag");
            var history = JsonDocument.Parse((await worker.GetAsync("/status/history")).Body).RootElement;
            Assert.True(history.GetProperty("points").GetArrayLength() > 0, history.ToString());

            var dom = await HeadlessChromium.DumpDomAsync(await worker.AddressAsync(), TimeSpan.FromSeconds(3));

            Assert.True(Phase().Match(dom) is { Success: true } phase && phase.Groups[1].Value == "streaming", dom);
            var rows = TableRow().Matches(dom).Select(m => m.Groups[1].Value).ToList();
            Assert.True(AdPlatformTables.All(t => rows.Contains($"public.{t}")), $"rows: {string.Join(", ", rows)}\n{dom}");
            Assert.Matches("ready for cutover", dom.ToLowerInvariant());
            Assert.Contains("<polyline", dom);
            Assert.Matches("<dd id=\"retained\">[0-9.]+ [kMG]?B on the source's disk \\(wal_status (reserved|extended)", dom);

            // A lost target connection, retried: the page lists it among the errors while the stream carries on.
            await target.ExecuteAsync("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'follow apply' AND datname = current_database()");
            await worker.WaitForStatusAsync(
                s => s.GetProperty("interruption").ValueKind == JsonValueKind.Object && s.GetProperty("phase").GetString() == "streaming",
                "the lost connection reported");
            var retried = await HeadlessChromium.DumpDomAsync(await worker.AddressAsync(), TimeSpan.FromSeconds(3));
            Assert.Matches("<li>connection lost at [^<]*\\(retried\\)</li>", retried);
        }
        finally
        {
            await stop.CancelAsync();
            await writer;
        }
    }

    [GeneratedRegex("""<span id="phase"[^>]*>([^<]*)</span>""")]
    private static partial Regex Phase();

    [GeneratedRegex("""<tr data-table="([^"]+)">""")]
    private static partial Regex TableRow();
}
