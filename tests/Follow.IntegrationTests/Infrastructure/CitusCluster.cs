using Npgsql;

namespace Follow.IntegrationTests.Infrastructure;

/// <summary>
/// A Citus cluster of this test run: a coordinator and two workers on free loopback ports, started on first use by
/// the first Citus test (once, whichever tests ask at the same time) and stopped when the test host exits, like the
/// PostgreSQL servers. Each node is a PostgreSQL server with Citus preloaded, its extension created in the postgres
/// database, and the coordinator knows itself and both workers (what ../shared/citus/cluster.sh sets up).
/// </summary>
public sealed class CitusCluster
{
    public static readonly IReadOnlyList<string> NodeNames = ["coordinator", "worker1", "worker2"];

    // A failed start stays cached, so every Citus test reports the same error instead of retrying.
    private static readonly Lazy<Task<CitusCluster>> Instance = new(() => Task.Run(Start));

    private CitusCluster(PostgresServer coordinator, IReadOnlyList<PostgresServer> workers)
    {
        Coordinator = coordinator;
        Workers = workers;
    }

    public PostgresServer Coordinator { get; }
    public IReadOnlyList<PostgresServer> Workers { get; }

    public string Uri => $"postgres://postgres@{Coordinator.Host}:{Coordinator.Port}/postgres";

    public static Task<CitusCluster> GetAsync() => Instance.Value;

    private static Dictionary<string, string> NodeSettings() => new(PostgresServers.CommonSettings)
    {
        ["shared_preload_libraries"] = "'citus'",
        // Streamed changes commit with a two-phase commit across nodes; the stream tests' replication origins
        // (as many as max_replication_slots) belong to the whole coordinator.
        ["wal_level"] = "logical",
        ["max_prepared_transactions"] = "200",
        ["max_replication_slots"] = "20",
        ["max_wal_senders"] = "20",
        // Citus runs a maintenance daemon per database with the extension, and every test has databases of its own.
        ["max_worker_processes"] = "64",
        ["shared_buffers"] = "64MB",
        // Citus connects to its own node through this name; 'localhost' may resolve to ::1, where nothing listens.
        ["citus.local_hostname"] = "'127.0.0.1'",
    };

    private static CitusCluster Start()
    {
        string binDir, runDirectory;
        try
        {
            binDir = PgTools.FindBinDir();
            if (CitusServer.NotInstalledReason(binDir) is { } reason) throw new InvalidOperationException(reason);
            runDirectory = TestRuns.Create(binDir, "citus", NodeNames);
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"Could not prepare the test Citus cluster: {e.Message}", e);
        }

        var nodes = new PostgresServer?[NodeNames.Count];
        // The test platform kills the host shortly after the run, so this only signals; the watchdog finishes.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var node in nodes) node?.SignalImmediateShutdown();
            TestRuns.TryDelete(runDirectory);
        };

        try
        {
            // initdb and start of the three nodes at once: a few seconds instead of three times that.
            Task.WaitAll(NodeNames.Select((name, i) => Task.Run(() =>
                nodes[i] = PostgresServer.Start(binDir, Path.Combine(runDirectory, name), NodeSettings()))).ToArray());
            var cluster = new CitusCluster(nodes[0]!, [nodes[1]!, nodes[2]!]);
            cluster.RegisterNodesAsync().GetAwaiter().GetResult();
            return cluster;
        }
        catch (Exception e)
        {
            foreach (var node in nodes) node?.Stop();
            var error = e is AggregateException { InnerExceptions.Count: 1 } one ? one.InnerException! : e;
            throw new InvalidOperationException($"Could not start the test Citus cluster: {error.Message}", error);
        }
    }

    /// <summary>The extension on every node, then the coordinator's node list: itself and the two workers.</summary>
    private async Task RegisterNodesAsync()
    {
        await Task.WhenAll(Workers.Prepend(Coordinator).Select(async node =>
        {
            await using var connection = new NpgsqlConnection(node.AdminConnectionString);
            await connection.OpenAsync();
            await new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS citus", connection).ExecuteNonQueryAsync();
        }));

        await using var coordinator = new NpgsqlConnection(Coordinator.AdminConnectionString);
        await coordinator.OpenAsync();
        await using (var setCoordinator = new NpgsqlCommand("SELECT citus_set_coordinator_host($1, $2)", coordinator))
        {
            setCoordinator.Parameters.Add(new NpgsqlParameter { Value = Coordinator.Host });
            setCoordinator.Parameters.Add(new NpgsqlParameter { Value = Coordinator.Port });
            await setCoordinator.ExecuteNonQueryAsync();
        }
        foreach (var worker in Workers)
        {
            await using var add = new NpgsqlCommand("SELECT citus_add_node($1, $2)", coordinator);
            add.Parameters.Add(new NpgsqlParameter { Value = worker.Host });
            add.Parameters.Add(new NpgsqlParameter { Value = worker.Port });
            await add.ExecuteNonQueryAsync();
        }
    }
}
