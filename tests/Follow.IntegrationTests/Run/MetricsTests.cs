using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Follow.Connections;
using Follow.Diagnostics;
using Follow.Discovery;
using Follow.IntegrationTests.Infrastructure;
using Follow.Pipeline;
using Follow.Planning;
using Follow.Rules;
using Follow.State;
using Follow.Snapshot;
using Microsoft.Extensions.Logging.Abstractions;
using static Follow.IntegrationTests.Snapshot.CopyFixture;

namespace Follow.IntegrationTests.Run;

/// <summary>The Follow meter's instruments, read in-process with a listener while a clone and a stream run.</summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task The_follow_meter_counts_copied_rows_applied_changes_cache_lookups_and_reports_the_lag()
    {
        var (source, target) = await AdPlatformAsync("metrics", 0.01);
        await using var _ = source;
        await using var __ = target;
        var rules = RulesParser.ParseFile(SamplePaths.Get("ad-platform", "rules.txt"));
        Model.Catalog catalog;
        await using (var connection = await source.OpenAsync())
        {
            catalog = await CatalogReader.ReadAsync(connection, CancellationToken.None);
        }
        var plan = DistributionPlanner.Plan(catalog, rules);
        var sourceInfo = ConnectionInfo.Parse(source.Uri, "test");
        var targetInfo = ConnectionInfo.Parse(target.Uri, "test");

        var status = new FollowStatus();
        using var metrics = new FollowMetrics(status);
        var measured = new ConcurrentQueue<(string Instrument, double Value, string? Attribute)>();
        using var listener = new MeterListener();
        // Only this test's meter: other tests running at the same time have meters of the same name.
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, metrics.Meter)) l.EnableMeasurementEvents(instrument);
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            // The one attribute each instrument has: the table, the cache's result or the phase.
            string? attribute = null;
            foreach (var tag in tags) if (tag.Key is "db.collection.name" or "follow.fk_cache.result" or "follow.phase") attribute = tag.Value as string;
            measured.Enqueue((instrument.Name, value, attribute));
        }
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.Start();
        double Sum(string instrument, string? attribute = null) =>
            measured.Where(m => m.Instrument == instrument && (attribute is null || m.Attribute == attribute)).Sum(m => m.Value);

        var options = new CloneOptions(new Follow.TargetSchema.SchemaCloneOptions(), new CopyOptions(), SlotName: source.Name);
        var planText = PlanFingerprint.Text(plan);
        var migration = new PlannedMigration(catalog, plan, sourceInfo, targetInfo, IncludeDrop: false,
            new Follow.State.PlanRecord(null, null, [], planText, PlanFingerprint.Of(planText)));
        MigrationCoordinator Coordinator(MigrationScope scope) => new(
            targetInfo, (_, _) => Task.FromResult(migration), scope, options, 0, () => Follow.TargetSchema.PgTools.Locate(Environment.GetEnvironmentVariable), NullLogger.Instance)
        {
            Status = status,
            Metrics = metrics,
        };
        await Coordinator(MigrationScope.Clone).RunAsync(CancellationToken.None);

        Assert.Equal(FollowPhase.PostData, status.Phase);
        Assert.Equal(await source.ScalarAsync<long>("SELECT count(*) FROM impressions"), (long)Sum("follow.copy.rows", "public.impressions"));
        Assert.Equal(await source.ScalarAsync<long>("SELECT count(*) FROM companies"), (long)Sum("follow.copy.rows", "public.companies"));
        Assert.True(Sum("follow.copy.io", "public.impressions") > 0);

        // Five source transactions of one change each: two children of one ad and a delete, answered by the keys the
        // stream read before it started (hits); the ad's campaign moved to another company, after which nothing cached
        // is trusted, and a third child of that ad (its parent looked up on the target: a miss).
        string[] changes =
        [
            "INSERT INTO impressions (ad_id, seen_at, site_url, cost_per_impression_usd, user_ip, user_data) VALUES (1, now(), 'https://m', 0.1, '10.5.5.5', '{}')",
            "INSERT INTO impressions (ad_id, seen_at, site_url, cost_per_impression_usd, user_ip, user_data) VALUES (1, now(), 'https://m', 0.2, '10.5.5.5', '{}')",
            "DELETE FROM clicks WHERE id = (SELECT min(id) FROM clicks)",
            "UPDATE campaigns SET company_id = (SELECT min(id) FROM companies WHERE id <> campaigns.company_id) WHERE id = (SELECT campaign_id FROM ads WHERE id = 1)",
            "INSERT INTO clicks (ad_id, clicked_at, site_url, cost_per_click_usd, user_ip, user_data) VALUES (1, now(), 'https://m', 1, '10.5.5.6', '{}')",
        ];
        // One at a time: statements sent together run in one implicit transaction.
        foreach (var change in changes) await source.ExecuteAsync(change);
        await using (var connection = await target.OpenAsync())
        {
            var end = await source.ScalarAsync<string>("SELECT pg_current_wal_insert_lsn()::text");
            await SentinelState.SetEndPosAsync(connection, NpgsqlTypes.NpgsqlLogSequenceNumber.Parse(end!), CancellationToken.None);
        }
        await Coordinator(MigrationScope.Follow).RunAsync(CancellationToken.None);

        Assert.Equal(FollowPhase.Finishing, status.Phase);
        Assert.NotNull(status.Snapshot().AppliedLsn);
        Assert.Equal(5, Sum("follow.transactions.applied"));
        Assert.Equal(5, Sum("follow.changes.applied"));
        Assert.Equal(5, Sum("follow.apply.batch.transactions"));
        Assert.Equal(5, Sum("follow.apply.batch.changes"));
        Assert.True(Sum("follow.fk_cache.lookups", "miss") >= 1, "no look-up on the target was counted");
        Assert.True(Sum("follow.fk_cache.lookups", "hit") >= 1, "no cache hit was counted");

        Assert.DoesNotContain(measured, m => m.Instrument.StartsWith("follow.replication.lag", StringComparison.Ordinal));
        await using (var connection = await source.OpenAsync())
        {
            status.Sampled((await SlotLagReader.ReadAsync(connection, source.Name, CancellationToken.None))!);
        }
        listener.RecordObservableInstruments();
        Assert.Contains(measured, m => m.Instrument == "follow.replication.lag.size" && m.Value >= 0);
        Assert.Contains(measured, m => m.Instrument == "follow.replication.lag.time" && m.Value >= 0);
        Assert.Contains(measured, m => m.Instrument == "follow.replication.slot.retained_wal" && m.Value >= 0);
        Assert.Contains(measured, m => m.Instrument == "follow.phase" && m.Value == 1 && m.Attribute == "finishing");
        Assert.Equal(Enum.GetValues<FollowPhase>().Length, measured.Count(m => m.Instrument == "follow.phase"));
    }
}
