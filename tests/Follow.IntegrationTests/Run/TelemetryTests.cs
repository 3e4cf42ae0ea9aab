using System.Text.Json;
using Follow.IntegrationTests.Infrastructure;
using static Follow.IntegrationTests.Snapshot.CopyFixture;
using static Follow.IntegrationTests.Stream.StreamKit;

namespace Follow.IntegrationTests.Run;

/// <summary><c>follow run</c>'s metrics as a collector and Prometheus see them, while a migration streams.</summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task Follow_run_exports_the_follow_runtime_and_npgsql_meters_over_otlp_and_serves_them_to_a_prometheus_scrape()
    {
        var (source, target) = await AdPlatformAsync("telemetry", 0.01);
        await using var _ = source;
        await using var __ = target;
        using var receiver = new OtlpReceiver();
        var environment = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
        };
        using var stop = new CancellationTokenSource();
        var writer = WriteNumberedAsync(source, "UPDATE ads SET clicks_count = $1 WHERE id = (SELECT min(id) FROM ads)", TimeSpan.FromMilliseconds(20), stop.Token);
        try
        {
            using var worker = WorkerProcess.Start(environment,
                "--source", source.Uri, "--target", target.Uri, "--rules", SamplePaths.Get("ad-platform", "rules.txt"),
                $"--Follow:SlotName={source.Name}", "--Follow:Http:Prometheus=true", "--Follow:MaxRetainedWal=1");
            await worker.WaitForStatusAsync(
                s => s.GetProperty("phase").GetString() == "streaming"
                    && s.GetProperty("stream").GetProperty("retainedBytes").ValueKind == JsonValueKind.Number,
                "streaming with the slot sampled");
            // A lost target connection: the stream is retried, and the retry counted.
            await target.ExecuteAsync("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'follow apply' AND datname = current_database()");
            await worker.WaitForStatusAsync(
                s => s.GetProperty("interruption").ValueKind == JsonValueKind.Object && s.GetProperty("phase").GetString() == "streaming",
                "the stream retried");

            string[] instruments =
            [
                // Follow's own: the copy, the phase, the slot's retained WAL, the lag, the retry.
                "follow.copy.rows", "follow.phase", "follow.replication.slot.retained_wal", "follow.replication.lag.size", "follow.retries",
                // The runtime's meter (System.Runtime) and Npgsql's.
                "dotnet.gc.collections", "dotnet.process.cpu.time", "db.client.operation.duration", "db.client.connection.count",
            ];
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (instruments.Any(name => !receiver.Metrics.Contains(name)) && DateTime.UtcNow < deadline) await Task.Delay(250);
            var missing = instruments.Where(name => !receiver.Metrics.Contains(name)).ToList();
            Assert.True(missing.Count == 0, $"not exported over OTLP ({receiver.Exports} exports): {string.Join(", ", missing)}\n{worker.Log}");
            Assert.Contains("streaming", receiver.Metrics);
            Assert.DoesNotContain("follow.replication.lag.bytes", receiver.Metrics);

            var (status, scrape) = await worker.GetAsync("/metrics");
            Assert.True(status == 200, scrape);
            Assert.Matches("(?m)^follow_phase\\{[^}]*follow_phase=\"streaming\"[^}]*\\} 1", scrape);
            Assert.Matches("(?m)^follow_replication_slot_retained_wal_bytes(\\{[^}]*\\})? [0-9]", scrape);
            Assert.Matches("(?m)^follow_retries_total\\{[^}]*follow_step=\"stream\"[^}]*\\} [1-9]", scrape);

            // A slot that keeps more than one byte of WAL passes the limit: warned of.
            Assert.Contains($"the slot {source.Name} keeps", worker.Log);
            Assert.Contains("more than the max-retained-wal limit", worker.Log);
        }
        finally
        {
            await stop.CancelAsync();
            await writer;
        }
    }
}
