using System.Diagnostics;

namespace Follow.IntegrationTests.Infrastructure;

/// <summary>
/// The source (wal_level=logical) and target servers shared by the whole test run: started on first use,
/// stopped when the test host exits. Clusters of killed runs are removed by the next run.
/// </summary>
public sealed class PostgresServers
{
    private const string RootDirectory = "/tmp/follow-tests";
    private const string OwnerFile = "owner.pid";

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

    private static readonly Dictionary<string, string> CommonSettings = new()
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
            RemoveStaleRuns(binDir);
            runDirectory = CreateRunDirectory();
            StartWatchdog(binDir, runDirectory);
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
            TryDelete(runDirectory);
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

    private static string CreateRunDirectory()
    {
        // World-writable with the sticky bit like /tmp: root and normal users may share it, postgres must traverse it.
        Directory.CreateDirectory(RootDirectory);
        const UnixFileMode shared = (UnixFileMode)0b1_111_111_111; // 1777
        if (OperatingSystem.IsLinux() && File.GetUnixFileMode(RootDirectory) != shared)
        {
            File.SetUnixFileMode(RootDirectory, shared);
        }

        var runDirectory = Path.Combine(RootDirectory, $"{Environment.ProcessId}-{Guid.NewGuid():N}"[..24]);
        Directory.CreateDirectory(runDirectory);
        File.WriteAllText(Path.Combine(runDirectory, OwnerFile), Environment.ProcessId.ToString());
        Directory.CreateDirectory(Path.Combine(runDirectory, "source"));
        Directory.CreateDirectory(Path.Combine(runDirectory, "target"));
        if (PgTools.IsRoot) PgTools.Shell("chown", "-R", "postgres:", runDirectory);
        return runDirectory;
    }

    /// <summary>
    /// A detached shell that stops the clusters and removes the run directory once this process is gone,
    /// however it ended (killed by a hang timeout or Ctrl-C, or exiting before ProcessExit finished).
    /// </summary>
    private static void StartWatchdog(string binDir, string runDirectory)
    {
        const string script = """
            exec </dev/null >/dev/null 2>&1
            host=$1 run=$2 bin=$3 root=$4
            while kill -0 "$host"; do sleep 1; done
            for data in "$run/source" "$run/target"; do
              [ -f "$data/postmaster.pid" ] || continue
              if [ "$root" = yes ]; then runuser -u postgres -- "$bin/pg_ctl" stop -m immediate -D "$data"
              else "$bin/pg_ctl" stop -m immediate -D "$data"; fi
            done
            rm -rf "$run"
            """;
        PgTools.Shell("setsid", "-f", "sh", "-c", script, "follow-test-watchdog",
            Environment.ProcessId.ToString(), runDirectory, binDir, PgTools.IsRoot ? "yes" : "no");
    }

    private static void RemoveStaleRuns(string binDir)
    {
        if (!Directory.Exists(RootDirectory)) return;
        foreach (var run in Directory.GetDirectories(RootDirectory))
        {
            // The directory name starts with the pid too, for a run killed before it wrote the file.
            var ownerFile = Path.Combine(run, OwnerFile);
            var owner = File.Exists(ownerFile) ? File.ReadAllText(ownerFile).Trim() : Path.GetFileName(run).Split('-')[0];
            if (!int.TryParse(owner, out var pid) || IsAlive(pid)) continue;
            foreach (var cluster in new[] { "source", "target" })
            {
                var dataDirectory = Path.Combine(run, cluster);
                if (File.Exists(Path.Combine(dataDirectory, "postmaster.pid"))) PostgresServer.StopCluster(binDir, dataDirectory);
            }
            TryDelete(run);
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Another user's run, or already gone; the next run tries again.
        }
    }
}
