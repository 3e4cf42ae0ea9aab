using System.Diagnostics;
using System.Text.RegularExpressions;
using Follow.Connections;
using Follow.Diagnostics;

namespace Follow.TargetSchema;

/// <summary>
/// The PostgreSQL client programs (pg_dump, pg_restore): FOLLOW_PG_BINDIR when set, else the newest
/// /usr/lib/postgresql/N/bin (Debian installs several majors side by side), else the PATH.
/// </summary>
public sealed partial class PgTools(string binDir)
{
    public string BinDir { get; } = binDir;

    public static PgTools Locate(Func<string, string?> environment)
    {
        if (environment("FOLLOW_PG_BINDIR") is { Length: > 0 } configured) return new PgTools(configured);
        var newest = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => (Dir: Path.Combine(d, "bin"), Major: int.TryParse(Path.GetFileName(d), out var m) ? m : 0))
                .Where(d => File.Exists(Path.Combine(d.Dir, "pg_dump")))
                .OrderByDescending(d => d.Major)
                .Select(d => d.Dir)
                .FirstOrDefault()
            : null;
        return new PgTools(newest ?? "");
    }

    private string Program(string name) => BinDir.Length == 0 ? name : Path.Combine(BinDir, name);

    /// <summary>pg_dump refuses a server newer than itself; say so before anything is changed.</summary>
    public async Task CheckCanDumpAsync(int sourceServerVersionNum, CancellationToken cancellationToken)
    {
        var result = await RunAsync("pg_dump", ["--version"], null, cancellationToken);
        var match = VersionPattern().Match(result.Output);
        if (!match.Success) throw new BadInputException($"cannot tell the version of {Program("pg_dump")} from: {result.Output.Trim()}");
        var dumpMajor = int.Parse(match.Groups[1].Value);
        var sourceMajor = sourceServerVersionNum / 10000;
        if (dumpMajor < sourceMajor)
        {
            throw new BadInputException(
                $"{Program("pg_dump")} is version {dumpMajor}, older than the source server ({sourceMajor}), and cannot dump it; "
                + $"install the PostgreSQL {sourceMajor} client tools (postgresql-client-{sourceMajor}) or set FOLLOW_PG_BINDIR to their bin directory");
        }
    }

    public sealed record Result(int ExitCode, string Output, string Error);

    /// <summary>
    /// Runs a client program. The connection goes through PG* variables, never the command line, so no password
    /// shows in a process list; inherited PG* variables are cleared first so they cannot redirect it.
    /// </summary>
    public async Task<Result> RunAsync(string program, IEnumerable<string> arguments, ConnectionInfo? connection, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(Program(program))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("PG", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }
        if (connection is not null)
        {
            foreach (var (name, value) in connection.LibpqEnvironment()) start.Environment[name] = value;
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new BadInputException($"cannot run {Program(program)}: {ex.Message}; install the PostgreSQL client tools or set FOLLOW_PG_BINDIR", ex);
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            try
            {
                await process.WaitForExitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }
            return new Result(process.ExitCode, await output, await error);
        }
    }

    [GeneratedRegex(@"\(PostgreSQL\)\s+(\d+)")]
    private static partial Regex VersionPattern();
}
