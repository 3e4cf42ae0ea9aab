using Follow.IntegrationTests.Cli;
using Follow.IntegrationTests.Infrastructure;
using Npgsql;
using Npgsql.Replication;
using static Follow.IntegrationTests.Snapshot.CopyFixture;

namespace Follow.IntegrationTests.Snapshot;

/// <summary>These fill the source server's slots or WAL senders, so nothing else may run beside them.</summary>
[CollectionDefinition(nameof(ReplicationLimits), DisableParallelization = true)]
public sealed class ReplicationLimits;

[Collection(nameof(ReplicationLimits))]
public sealed class ReplicationLimitsTests
{
    private static readonly string Rules = SamplePaths.Get("ad-platform", "rules.txt");

    [Fact]
    public async Task A_source_without_a_free_replication_slot_is_refused()
    {
        var (source, target) = await AdPlatformAsync("limits_slots", 0.01);
        await using var _ = source;
        await using var __ = target;
        var free = await source.ScalarAsync<long>(
            "SELECT current_setting('max_replication_slots')::int - (SELECT count(*) FROM pg_replication_slots)");
        await source.ExecuteAsync($"SELECT pg_create_physical_replication_slot('fill_' || g) FROM generate_series(1, {free}) g");
        try
        {
            var result = await FollowProcess.RunAsync("clone", "--slot-name", source.Name, "--source", source.Uri, "--target", target.Uri, "--rules", Rules);

            Assert.Equal(2, result.ExitCode);
            Assert.Contains("no free replication slot", result.Error);
            Assert.Contains("max_replication_slots", result.Error);
            Assert.Null(await target.ScalarAsync<string>("SELECT to_regclass('public.ads')::text"));
        }
        finally
        {
            await source.ExecuteAsync("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE 'fill\\_%'");
        }
    }

    [Fact]
    public async Task A_source_without_a_free_wal_sender_is_refused()
    {
        var (source, target) = await AdPlatformAsync("limits_senders", 0.01);
        await using var _ = source;
        await using var __ = target;
        var free = await source.ScalarAsync<long>(
            "SELECT current_setting('max_wal_senders')::int - (SELECT count(*) FROM pg_stat_replication)");
        var senders = new List<LogicalReplicationConnection>();
        try
        {
            for (var i = 0; i < free; i++)
            {
                var connection = new LogicalReplicationConnection(source.ConnectionString);
                await connection.Open();
                senders.Add(connection);
            }

            var result = await FollowProcess.RunAsync("clone", "--slot-name", source.Name, "--source", source.Uri, "--target", target.Uri, "--rules", Rules);

            Assert.Equal(2, result.ExitCode);
            Assert.Contains("no free WAL sender", result.Error);
            Assert.Null(await target.ScalarAsync<string>("SELECT to_regclass('public.ads')::text"));
        }
        finally
        {
            foreach (var sender in senders) await sender.DisposeAsync();
        }
    }
}
