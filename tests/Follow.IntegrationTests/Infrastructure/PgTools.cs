using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Follow.IntegrationTests.Infrastructure;

/// <summary>Finds the PostgreSQL binaries and runs them, as the postgres user when we are root.</summary>
internal static class PgTools
{
    // initdb and postgres refuse to run as root, so root runs them through runuser.
    public static bool IsRoot { get; } = Environment.UserName == "root";

    private const int SigQuit = 3;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    /// <summary>SIGQUIT makes the postmaster do an immediate shutdown.</summary>
    public static void SignalQuit(int pid) => kill(pid, SigQuit);

    /// <summary>SIGINT, as Ctrl-C in a terminal.</summary>
    public static void SignalInterrupt(int pid) => kill(pid, 2);

    public static string FindBinDir()
    {
        var fromEnv = Environment.GetEnvironmentVariable("FOLLOW_PG_BINDIR");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return File.Exists(Path.Combine(fromEnv, "initdb"))
                ? fromEnv
                : throw new InvalidOperationException($"FOLLOW_PG_BINDIR={fromEnv} holds no initdb.");
        }

        var packaged = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Where(d => int.TryParse(Path.GetFileName(d), out _) && File.Exists(Path.Combine(d, "bin", "initdb")))
                .OrderByDescending(d => int.Parse(Path.GetFileName(d)))
                .Select(d => Path.Combine(d, "bin"))
                .FirstOrDefault()
            : null;
        if (packaged is not null) return packaged;

        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "initdb"))
            .FirstOrDefault(File.Exists);
        if (onPath is not null)
        {
            // Debian puts symlinks on PATH; pg_ctl and postgres sit next to the real initdb.
            var real = new FileInfo(onPath).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? onPath;
            return Path.GetDirectoryName(real)!;
        }

        throw new InvalidOperationException(
            "No PostgreSQL server binaries found (no initdb in FOLLOW_PG_BINDIR, /usr/lib/postgresql/*/bin or PATH). "
            + "Install them with `apt-get install postgresql-15` or set FOLLOW_PG_BINDIR.");
    }

    /// <summary>What pg_config of binDir prints for one option (--pkglibdir, --sharedir); null without a working pg_config.</summary>
    public static string? Config(string binDir, string option)
    {
        var pgConfig = Path.Combine(binDir, "pg_config");
        if (!File.Exists(pgConfig)) return null;
        try
        {
            var start = new ProcessStartInfo(pgConfig) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/" };
            start.ArgumentList.Add(option);
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            _ = stderr.Result;
            return process.ExitCode == 0 && output.Length > 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>Runs a server binary and returns its output; throws with that output when it fails.</summary>
    public static string Run(string binDir, string tool, string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo
        {
            FileName = IsRoot ? "runuser" : Path.Combine(binDir, tool),
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        if (IsRoot)
        {
            foreach (var a in new[] { "-u", "postgres", "--", Path.Combine(binDir, tool) }) start.ArgumentList.Add(a);
        }
        foreach (var a in args) start.ArgumentList.Add(a);

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var output = stdout + stderr.Result;
        return process.ExitCode == 0
            ? output
            : throw new InvalidOperationException(
                $"{tool} {string.Join(' ', args)} exited with {process.ExitCode}:\n{output.Trim()}");
    }

    /// <summary>Runs a plain command (chown, chmod), ignoring nothing: setup must not half-succeed.</summary>
    public static void Shell(string file, params string[] args)
    {
        var start = new ProcessStartInfo { FileName = file, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {stderr.Result.Trim()}");
        }
    }
}
