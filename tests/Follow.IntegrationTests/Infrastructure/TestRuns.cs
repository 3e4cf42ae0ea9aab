using System.Diagnostics;

namespace Follow.IntegrationTests.Infrastructure;

/// <summary>
/// The directories the test servers live in: /tmp/follow-tests/&lt;pid&gt;-…, one per group of servers a test host starts,
/// each holding one data directory per server. A detached watchdog stops those servers and removes the directory
/// once the test host is gone, however it ended; runs whose host died before its watchdog did are removed by the next run.
/// </summary>
internal static class TestRuns
{
    private const string RootDirectory = "/tmp/follow-tests";
    private const string OwnerFile = "owner.pid";

    /// <summary>
    /// Removes the runs of dead test hosts, creates this host's run directory with an empty data directory per
    /// server (owned by postgres when we are root) and starts its watchdog. Returns the run directory.
    /// </summary>
    public static string Create(string binDir, string kind, IReadOnlyList<string> servers)
    {
        RemoveStaleRuns(binDir);

        // World-writable with the sticky bit like /tmp: root and normal users may share it, postgres must traverse it.
        Directory.CreateDirectory(RootDirectory);
        const UnixFileMode shared = (UnixFileMode)0b1_111_111_111; // 1777
        if (OperatingSystem.IsLinux() && File.GetUnixFileMode(RootDirectory) != shared)
        {
            File.SetUnixFileMode(RootDirectory, shared);
        }

        // The name starts with the pid, for a run killed before it wrote the owner file.
        var runDirectory = Path.Combine(RootDirectory, $"{Environment.ProcessId}-{kind}-{Guid.NewGuid():N}"[..28]);
        Directory.CreateDirectory(runDirectory);
        File.WriteAllText(Path.Combine(runDirectory, OwnerFile), Environment.ProcessId.ToString());
        foreach (var server in servers) Directory.CreateDirectory(Path.Combine(runDirectory, server));
        if (PgTools.IsRoot) PgTools.Shell("chown", "-R", "postgres:", runDirectory);
        StartWatchdog(binDir, runDirectory);
        return runDirectory;
    }

    /// <summary>
    /// A detached shell that stops every server of the run and removes its directory once this process is gone,
    /// however it ended (killed by a hang timeout or Ctrl-C, or exiting before ProcessExit finished).
    /// </summary>
    private static void StartWatchdog(string binDir, string runDirectory)
    {
        const string script = """
            exec </dev/null >/dev/null 2>&1
            host=$1 run=$2 bin=$3 root=$4
            while kill -0 "$host"; do sleep 1; done
            for data in "$run"/*/; do
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
            var ownerFile = Path.Combine(run, OwnerFile);
            string owner;
            try
            {
                owner = File.Exists(ownerFile) ? File.ReadAllText(ownerFile).Trim() : Path.GetFileName(run).Split('-')[0];
            }
            catch (IOException)
            {
                continue; // Removed meanwhile by its watchdog or by another run.
            }
            if (!int.TryParse(owner, out var pid) || IsAlive(pid)) continue;
            try
            {
                foreach (var dataDirectory in Directory.GetDirectories(run))
                {
                    if (File.Exists(Path.Combine(dataDirectory, "postmaster.pid"))) PostgresServer.StopCluster(binDir, dataDirectory);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another user's run, or already gone.
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

    public static void TryDelete(string directory)
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
