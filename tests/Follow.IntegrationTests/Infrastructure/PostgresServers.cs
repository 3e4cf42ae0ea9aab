namespace Follow.IntegrationTests.Infrastructure;

/// <summary>
/// The source (wal_level=logical) and target servers shared by the whole test run: started on first use,
/// stopped when the test host exits. Clusters of killed runs are removed by the next run.
/// </summary>
public sealed class PostgresServers
{
    // A failed start stays cached, so every test reports the same error instead of retrying.
    private static readonly Lazy<Task<PostgresServers>> Instance = new(() => Task.Run(Start));

    private PostgresServers(PostgresServer source, PostgresServer target)
    {
        Source = source;
        Target = target;
    }

    public PostgresServer Source { get; }
    public PostgresServer Target { get; }

    public static Task<PostgresServers> GetAsync() => Instance.Value;

    internal static readonly Dictionary<string, string> CommonSettings = new()
    {
        ["listen_addresses"] = "'127.0.0.1'",
        ["unix_socket_directories"] = "''",
        ["fsync"] = "off",
        ["synchronous_commit"] = "off",
        ["full_page_writes"] = "off",
        ["max_connections"] = "200",
        ["shared_buffers"] = "128MB",
        ["logging_collector"] = "off",
    };

    private static PostgresServers Start()
    {
        string binDir, runDirectory;
        try
        {
            binDir = PgTools.FindBinDir();
            runDirectory = TestRuns.Create(binDir, "pg", ["source", "target"]);
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"Could not prepare the test PostgreSQL servers: {e.Message}", e);
        }

        PostgresServer? source = null, target = null;
        // The test platform kills the host shortly after the run, so this only signals; the watchdog finishes.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            source?.SignalImmediateShutdown();
            target?.SignalImmediateShutdown();
            TestRuns.TryDelete(runDirectory);
        };

        try
        {
            source = PostgresServer.Start(binDir, Path.Combine(runDirectory, "source"), new Dictionary<string, string>(CommonSettings)
            {
                ["wal_level"] = "logical",
                ["max_replication_slots"] = "20",
                ["max_wal_senders"] = "20",
            });
            target = PostgresServer.Start(binDir, Path.Combine(runDirectory, "target"), CommonSettings);
            return new PostgresServers(source, target);
        }
        catch (Exception e)
        {
            source?.Stop();
            target?.Stop();
            throw new InvalidOperationException($"Could not start the test PostgreSQL servers: {e.Message}", e);
        }
    }
}
