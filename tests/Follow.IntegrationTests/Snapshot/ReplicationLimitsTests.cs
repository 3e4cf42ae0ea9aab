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

    [Fact]
    public async Task Retained_wal_shows_in_list_progress_and_a_slot_the_source_invalidates_stops_the_stream_with_exit_6()
    {
        var (source, target) = await AdPlatformAsync("limits_lost", 0.01);
        await using var _ = source;
        await using var __ = target;
        string[] connections = ["--slot-name", source.Name, "--source", source.Uri, "--target", target.Uri, "--rules", Rules];
        var clone = await FollowProcess.RunAsync(["clone", .. connections]);
        Assert.True(clone.ExitCode == 0, clone.Error);

        var progress = await FollowProcess.RunAsync("list", "progress", "--json", "--source", source.Uri, "--target", target.Uri);
        var stream = System.Text.Json.JsonDocument.Parse(progress.Output).RootElement.GetProperty("stream");
        Assert.True(stream.GetProperty("retainedBytes").GetInt64() >= 0, progress.Output);
        Assert.Equal("reserved", stream.GetProperty("walStatus").GetString());
        var text = await FollowProcess.RunAsync("list", "progress", "--source", source.Uri, "--target", target.Uri);
        Assert.Contains("Retained WAL:", text.Output);

        // The follower reads but applies nothing, so the slot keeps its WAL while the source writes more than it may keep.
        var held = await FollowProcess.RunAsync("sentinel", "set", "no-apply", "--target", target.Uri);
        Assert.True(held.ExitCode == 0, held.Error);
        using var follower = FollowProcess.Start(null, ["follow", .. connections]);
        var error = follower.StandardError.ReadToEndAsync();
        await Stream.StreamKit.WaitForActiveSlotAsync(source);
        await source.ExecuteAsync("ALTER SYSTEM SET max_slot_wal_keep_size = '32MB'; SELECT pg_reload_conf()");
        try
        {
            await source.ExecuteAsync("CREATE TABLE filler (pad text)");
            for (var round = 0; round < 3; round++)
            {
                await source.ExecuteAsync("INSERT INTO filler SELECT repeat('x', 200) FROM generate_series(1, 150000); SELECT pg_switch_wal(); CHECKPOINT");
            }
            Assert.Equal("lost", await source.ScalarAsync<string>($"SELECT wal_status FROM pg_replication_slots WHERE slot_name = '{source.Name}'"));
            var started = DateTime.UtcNow;
            await Stream.StreamKit.WaitOrKillAsync(follower, TimeSpan.FromSeconds(60), error);

            var log = await error;
            Assert.True(follower.ExitCode == 6, log);
            Assert.Contains("must start again from a new clone", log);
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20), $"exited after {(DateTime.UtcNow - started).TotalSeconds} s");
        }
        finally
        {
            await source.ExecuteAsync("ALTER SYSTEM RESET max_slot_wal_keep_size; SELECT pg_reload_conf()");
        }
    }
}
