using System.Diagnostics;
using Npgsql;

namespace Follow.IntegrationTests.Infrastructure;

public sealed class HarnessTests
{
    [Fact]
    public async Task Source_server_runs_with_logical_wal_level()
    {
        var servers = await PostgresServers.GetAsync();
        await using var db = await servers.Source.CreateDatabaseAsync(nameof(Source_server_runs_with_logical_wal_level));

        Assert.Equal("logical", await db.ScalarAsync<string>("SHOW wal_level"));
        Assert.Equal(20, await db.ScalarAsync<int>("SELECT current_setting('max_replication_slots')::int"));
        Assert.Equal("off", await db.ScalarAsync<string>("SHOW fsync"));
    }

    [Fact]
    public async Task Source_accepts_a_pgoutput_replication_slot()
    {
        var servers = await PostgresServers.GetAsync();
        await using var db = await servers.Source.CreateDatabaseAsync("slot");
        var slot = db.Name + "_slot";

        var created = await db.ScalarAsync<string>($"SELECT slot_name::text FROM pg_create_logical_replication_slot('{slot}', 'pgoutput')");
        await db.ExecuteAsync($"SELECT pg_drop_replication_slot('{slot}')");

        Assert.Equal(slot, created);
    }

    [Fact]
    public async Task Source_and_target_are_separate_servers()
    {
        var servers = await PostgresServers.GetAsync();
        await using var source = await servers.Source.CreateDatabaseAsync("separate");
        await using var target = await servers.Target.CreateDatabaseAsync("separate");

        Assert.NotEqual(servers.Source.Port, servers.Target.Port);
        Assert.NotEqual(
            await source.ScalarAsync<string>("SHOW data_directory"),
            await target.ScalarAsync<string>("SHOW data_directory"));
        Assert.Equal("replica", await target.ScalarAsync<string>("SHOW wal_level"));
    }

    [Fact]
    public async Task Getting_the_servers_twice_returns_the_same_servers()
    {
        var first = PostgresServers.GetAsync();
        var second = PostgresServers.GetAsync();

        Assert.Same(await first, await second);
    }

    [Fact]
    public async Task Each_test_database_is_isolated()
    {
        var servers = await PostgresServers.GetAsync();
        await using var first = await servers.Source.CreateDatabaseAsync("isolated");
        await using var second = await servers.Source.CreateDatabaseAsync("isolated");

        await first.ExecuteAsync("CREATE TABLE only_here (id int); INSERT INTO only_here VALUES (1), (2);");

        Assert.NotEqual(first.Name, second.Name);
        Assert.Equal(2L, await first.ScalarAsync<long>("SELECT count(*) FROM only_here"));
        Assert.Null(await second.ScalarAsync<string>("SELECT to_regclass('only_here')::text"));
    }

    [Fact]
    public async Task Disposed_database_is_dropped_even_with_open_connections()
    {
        var servers = await PostgresServers.GetAsync();
        var db = await servers.Target.CreateDatabaseAsync("dropped");
        await using var open = await db.OpenAsync();

        await db.DisposeAsync();

        await using var admin = new NpgsqlConnection(servers.Target.AdminConnectionString);
        await admin.OpenAsync();
        await using var exists = new NpgsqlCommand("SELECT count(*) FROM pg_database WHERE datname = $1", admin)
        {
            Parameters = { new() { Value = db.Name } },
        };
        Assert.Equal(0L, await exists.ExecuteScalarAsync());
    }

    [Theory]
    [InlineData("Order-Items Ä test")]
    [InlineData("___")]
    [InlineData("a_very_long_hint_that_goes_on_and_on_well_past_the_sixty_three_byte_limit_of_postgres")]
    public async Task Database_names_are_sanitized_and_fit_in_63_bytes(string hint)
    {
        var servers = await PostgresServers.GetAsync();
        await using var db = await servers.Target.CreateDatabaseAsync(hint);

        Assert.Matches("^[a-z0-9_]{1,63}$", db.Name);
        Assert.Equal(db.Name, await db.ScalarAsync<string>("SELECT current_database()"));
        Assert.Equal($"postgres://postgres@127.0.0.1:{servers.Target.Port}/{db.Name}", db.Uri);
    }

    [Fact]
    public async Task Sample_schema_loads_from_the_test_output()
    {
        var servers = await PostgresServers.GetAsync();
        await using var db = await servers.Source.CreateDatabaseAsync("sample_schema");

        await db.ExecuteFileAsync(SamplePaths.Get("ad-platform", "schema.sql"));

        Assert.Equal(5L, await db.ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"));
    }

    [Fact]
    public async Task Sample_data_loads_with_psql_at_a_small_scale()
    {
        var servers = await PostgresServers.GetAsync();
        await using var db = await servers.Source.CreateDatabaseAsync("sample_data");
        await db.ExecuteFileAsync(SamplePaths.Get("ad-platform", "schema.sql"));

        var psql = Process.Start(new ProcessStartInfo(Path.Combine(servers.Source.BinDir, "psql"))
        {
            ArgumentList = { "-X", "-q", "-v", "ON_ERROR_STOP=1", "-v", "scale=0.01", "-d", db.Uri, "-f", SamplePaths.Get("ad-platform", "data.sql") },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        var errors = psql.StandardError.ReadToEndAsync();
        await psql.StandardOutput.ReadToEndAsync();
        await psql.WaitForExitAsync();

        Assert.True(psql.ExitCode == 0, await errors);
        Assert.Equal(20L, await db.ScalarAsync<long>("SELECT count(*) FROM companies"));
        Assert.Equal(0L, await db.ScalarAsync<long>(
            "SELECT count(*) FROM clicks c LEFT JOIN ads a ON a.id = c.ad_id WHERE a.id IS NULL"));
    }

    [CitusFact]
    public void Citus_facts_run_only_when_a_coordinator_is_configured() =>
        Assert.False(string.IsNullOrEmpty(CitusServer.Uri));

    [CitusFact]
    public async Task Citus_test_databases_distribute_tables_over_the_workers()
    {
        await using var db = await CitusServer.CreateDatabaseAsync("citus_harness");
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        await connection.OpenAsync();
        await new NpgsqlCommand("""
            CREATE TABLE spread (id int PRIMARY KEY);
            SELECT create_distributed_table('spread', 'id', shard_count => 4);
            INSERT INTO spread SELECT generate_series(1, 100);
            """, connection).ExecuteNonQueryAsync();

        Assert.Equal(100L, await db.ScalarAsync<long>("SELECT count(*) FROM spread"));
        var workers = await db.ScalarAsync<long>("SELECT count(*) FROM citus_get_active_worker_nodes()");
        Assert.Equal(workers, await db.ScalarAsync<long>(
            "SELECT count(DISTINCT groupid) FROM pg_dist_placement p JOIN pg_dist_shard s USING (shardid) WHERE s.logicalrelid = 'spread'::regclass"));
        if (CitusServer.IsStartedByTests)
        {
            var cluster = await CitusCluster.GetAsync();
            Assert.Same(cluster, await CitusCluster.GetAsync());
            Assert.Equal(2L, workers);
            Assert.Equal($"postgres://postgres@127.0.0.1:{cluster.Coordinator.Port}/postgres", CitusServer.Uri);
            Assert.Equal("logical", await db.ScalarAsync<string>("SHOW wal_level"));
            Assert.Equal("off", await db.ScalarAsync<string>("SHOW fsync"));
        }
    }
}
