using Follow.IntegrationTests.Cli;
using Follow.IntegrationTests.Infrastructure;
using Npgsql;

namespace Follow.IntegrationTests.TargetSchema;

/// <summary>The same clones against a real Citus coordinator (FOLLOW_TEST_CITUS_URI).</summary>
public sealed class CitusCloneTests
{
    private static async Task<List<(string Table, string Method, string? Column, int Colocation)>> DistributionAsync(CitusDatabase database)
    {
        var rows = new List<(string, string, string?, int)>();
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT logicalrelid::text, partmethod::text, column_to_column_name(logicalrelid, partkey), colocationid FROM pg_dist_partition ORDER BY 1", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add((reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetInt32(3)));
        return rows;
    }

    [CitusFact]
    public async Task The_ad_platform_is_distributed_and_colocated_as_planned()
    {
        var servers = await PostgresServers.GetAsync();
        await using var source = await servers.Source.CreateDatabaseAsync("citus_ads");
        await source.ExecuteFileAsync(SamplePaths.Get("ad-platform", "schema.sql"));
        await using var target = await CitusServer.CreateDatabaseAsync("citus_ads");

        var result = await FollowProcess.RunAsync("clone", "--schema-only", "--source", source.Uri, "--target", target.ConnectionString,
            "--rules", SamplePaths.Get("ad-platform", "rules.txt"), "--shard-count", "4");

        Assert.True(result.ExitCode == 0, result.Error);
        var rows = await DistributionAsync(target);
        Assert.Equal(
            [("ads", "h", "company_id"), ("campaigns", "h", "company_id"), ("clicks", "h", "company_id"), ("companies", "h", "id"), ("impressions", "h", "company_id")],
            rows.Select(r => (r.Table, r.Method, r.Column)));
        Assert.Single(rows.Select(r => r.Colocation).Distinct());
        Assert.Equal(4L, await target.ScalarAsync<long>("SELECT count(*) FROM pg_dist_shard WHERE logicalrelid = 'impressions'::regclass"));
        Assert.Equal(2L, await target.ScalarAsync<long>(
            "SELECT count(*) FROM pg_constraint WHERE conrelid = 'impressions'::regclass AND contype IN ('p', 'f')"));
    }

    [CitusFact]
    public async Task A_pagila_like_schema_clones_on_citus_with_reference_tables()
    {
        var servers = await PostgresServers.GetAsync();
        await using var source = await servers.Source.CreateDatabaseAsync("citus_pagila");
        await source.ExecuteFileAsync(SamplePaths.Get("pagila-lite", "schema.sql"));
        await using var target = await CitusServer.CreateDatabaseAsync("citus_pagila");
        var rules = Path.Combine(Path.GetTempPath(), $"follow-{Guid.NewGuid():N}.rules");
        await File.WriteAllTextAsync(rules, """
            distribute store using store_id
            distribute language as reference table
            distribute film as reference table
            distribute rental using store_id from inventory
            """);

        var result = await FollowProcess.RunAsync("clone", "--schema-only", "--source", source.Uri, "--target", target.ConnectionString, "--rules", rules);

        Assert.True(result.ExitCode == 0, result.Error);
        var rows = (await DistributionAsync(target)).ToDictionary(r => r.Table);
        Assert.Equal("n", rows["film"].Method);
        Assert.Equal("n", rows["language"].Method);
        Assert.All(new[] { "store", "customer", "inventory", "rental", "payment" }, t => Assert.Equal("store_id", rows[t].Column));
        Assert.Single(new[] { "store", "customer", "inventory", "rental", "payment" }.Select(t => rows[t].Colocation).Distinct());
        Assert.Equal(2L, await target.ScalarAsync<long>("SELECT count(*) FROM pg_trigger WHERE tgname = 'last_updated'"));
        File.Delete(rules);
    }

    [CitusFact]
    public async Task The_ad_platform_data_is_copied_into_citus_with_backfilled_keys()
    {
        var servers = await PostgresServers.GetAsync();
        await using var source = await servers.Source.CreateDatabaseAsync("citus_copy");
        await source.ExecuteFileAsync(SamplePaths.Get("ad-platform", "schema.sql"));
        await Snapshot.CopyFixture.LoadSampleDataAsync(source, 0.05);
        // A table with autovacuum settings of its own is analyzed by the clone; the others are left to autovacuum.
        await source.ExecuteAsync("ALTER TABLE campaigns SET (autovacuum_enabled = false)");
        await using var target = await CitusServer.CreateDatabaseAsync("citus_copy");
        var rules = SamplePaths.Get("ad-platform", "rules.txt");
        var sessionsBefore = await WorkerSessionsAsync(target);

        var result = await FollowProcess.RunAsync("clone", "--slot-name", source.Name, "--source", source.Uri, "--target", target.ConnectionString, "--rules", rules);

        Assert.True(result.ExitCode == 0, result.Error);
        // Small tables take one connection a worker for their copy and their keys: with Citus' default pool of 16,
        // the same clone opened about 120 sessions on each worker (32 shards a table), with one about 15.
        var opened = await SessionsOpenedSinceAsync(target, sessionsBefore);
        Assert.True(opened.All(n => n < 40), $"sessions the clone opened on each worker: {string.Join(", ", opened)}");
        var plan = await Snapshot.CopyFixture.PlanAsync(source, rules);
        await Snapshot.CopyFixture.AssertTablesEqualAsync(plan, source, target.ConnectionString);
        Assert.Equal(5L, await target.ScalarAsync<long>("SELECT count(*) FROM follow.job WHERE state = 'completed'"));
        Assert.Equal((0L, 32L), await AnalyzedShardsAsync(target, "companies"));
        Assert.Equal((32L, 32L), await AnalyzedShardsAsync(target, "campaigns"));

        // The stream's look-up indexes, built as the clone's. These shards are small enough for one connection a
        // worker to build them all before Citus' slow start opens another, so it starts every connection at once:
        // with Citus' default pool of 16, the four indexes then open 60 sessions on each worker; with one a worker, none
        // beyond the one each worker keeps (the count includes the query's own).
        sessionsBefore = await WorkerSessionsAsync(target);
        await using (var connection = new NpgsqlConnection(target.ConnectionString))
        {
            await connection.OpenAsync();
            await using (var slowStart = new NpgsqlCommand("SET citus.executor_slow_start_interval = 0", connection)) await slowStart.ExecuteNonQueryAsync();
            Assert.Equal(4, await Follow.Apply.LookupIndexes.EnsureAsync(plan, connection, CancellationToken.None));
        }
        opened = await SessionsOpenedSinceAsync(target, sessionsBefore);
        Assert.True(opened.All(n => n < 20), $"sessions the look-up indexes opened on each worker: {string.Join(", ", opened)}");
    }

    /// <summary>The sessions each worker has had since <paramref name="before"/>, once the closed ones are counted.</summary>
    private static async Task<List<long>> SessionsOpenedSinceAsync(CitusDatabase target, List<long> before)
    {
        await Task.Delay(500);
        return [.. (await WorkerSessionsAsync(target)).Zip(before, (now, then) => now - then)];
    }

    /// <summary>The sessions each worker has had in this database (the query itself opens one on each).</summary>
    private static async Task<List<long>> WorkerSessionsAsync(CitusDatabase target)
    {
        var text = await target.ScalarAsync<string>(
            "SELECT string_agg(result, ',' ORDER BY nodeport) FROM run_command_on_workers($$SELECT sessions FROM pg_stat_database WHERE datname = current_database()$$)");
        return [.. text!.Split(',').Select(long.Parse)];
    }

    /// <summary>How many of a distributed table's shards were analyzed by an ANALYZE (not autovacuum), of all its shards.</summary>
    private static async Task<(long Analyzed, long Shards)> AnalyzedShardsAsync(CitusDatabase target, string table)
    {
        var analyzed = await target.ScalarAsync<long>($"""
            SELECT count(*) FILTER (WHERE result = 't') FROM run_command_on_shards('{table}',
              $$SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relid = '%s'::regclass$$)
            """);
        var shards = await target.ScalarAsync<long>($"SELECT count(*) FROM pg_dist_shard WHERE logicalrelid = '{table}'::regclass");
        return (analyzed, shards);
    }
}
