using System.Net;
using System.Net.Sockets;
using System.Text;
using Follow.Model;
using Npgsql;

namespace Follow.IntegrationTests.Infrastructure;

/// <summary>One throw-away PostgreSQL cluster on loopback, owned by this test run.</summary>
public sealed class PostgresServer
{
    private static int _databaseCounter;

    private PostgresServer(string binDir, string dataDirectory, int port)
    {
        BinDir = binDir;
        DataDirectory = dataDirectory;
        Port = port;
    }

    public string Host => "127.0.0.1";
    public int Port { get; }
    public string BinDir { get; }
    internal string DataDirectory { get; }

    public string AdminConnectionString => ConnectionStringFor("postgres") + ";Pooling=false";

    internal string ConnectionStringFor(string database) =>
        $"Host={Host};Port={Port};Username=postgres;Database={database}";

    /// <summary>Creates an empty database named after the hint plus a unique suffix.</summary>
    public async Task<TestDatabase> CreateDatabaseAsync(string nameHint, CancellationToken ct = default)
    {
        var suffix = $"_{Interlocked.Increment(ref _databaseCounter)}_{Random.Shared.Next(0x100000):x5}";
        var name = Sanitize(nameHint, 63 - suffix.Length) + suffix;
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"CREATE DATABASE {Sql.Ident(name)}", connection);
        await command.ExecuteNonQueryAsync(ct);
        return new TestDatabase(this, name);
    }

    internal static string Sanitize(string hint, int maxLength)
    {
        var name = new StringBuilder();
        foreach (var c in hint.ToLowerInvariant())
        {
            name.Append(c is >= 'a' and <= 'z' or >= '0' and <= '9' ? c : '_');
        }
        var result = name.ToString().Trim('_');
        if (result.Length == 0) result = "db";
        return result.Length <= maxLength ? result : result[..maxLength];
    }

    /// <summary>initdb, settings, pg_ctl start. A port taken between probe and start gets one more try.</summary>
    internal static PostgresServer Start(string binDir, string dataDirectory, IReadOnlyDictionary<string, string> settings)
    {
        InitDb(binDir, dataDirectory);
        File.AppendAllLines(
            Path.Combine(dataDirectory, "postgresql.conf"),
            settings.Select(s => $"{s.Key} = {s.Value}").Prepend("# Follow integration tests"));

        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            var log = Path.Combine(dataDirectory, "server.log");
            try
            {
                PgTools.Run(binDir, "pg_ctl", dataDirectory, "start", "-w", "-t", "60", "-D", dataDirectory,
                    "-l", log, "-o", $"-p {port}");
                return new PostgresServer(binDir, dataDirectory, port);
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // Most likely another process took the port after we probed it.
            }
            catch (InvalidOperationException e)
            {
                var tail = File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(20)) : "(no server log)";
                throw new InvalidOperationException($"{e.Message}\nServer log {log}:\n{tail}", e);
            }
        }
    }

    internal void Stop() => StopCluster(BinDir, DataDirectory);

    /// <summary>What pg_ctl stop -m immediate does, without starting a process: fast enough for ProcessExit.</summary>
    internal void SignalImmediateShutdown()
    {
        var pidFile = Path.Combine(DataDirectory, "postmaster.pid");
        if (File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var postmaster))
        {
            PgTools.SignalQuit(postmaster);
        }
    }

    internal static void StopCluster(string binDir, string dataDirectory)
    {
        try
        {
            PgTools.Run(binDir, "pg_ctl", "/", "stop", "-m", "immediate", "-w", "-D", dataDirectory);
        }
        catch (Exception)
        {
            // Already stopped or never started; the directory goes anyway.
        }
    }

    private static void InitDb(string binDir, string dataDirectory)
    {
        try
        {
            RunInitDb(binDir, dataDirectory, "C.UTF-8");
        }
        catch (InvalidOperationException)
        {
            // Systems without the C.UTF-8 locale: start over with plain C.
            foreach (var entry in Directory.EnumerateFileSystemEntries(dataDirectory))
            {
                if (Directory.Exists(entry)) Directory.Delete(entry, recursive: true);
                else File.Delete(entry);
            }
            RunInitDb(binDir, dataDirectory, "C");
        }
    }

    private static void RunInitDb(string binDir, string dataDirectory, string locale) =>
        PgTools.Run(binDir, "initdb", dataDirectory, "--auth=trust", "-U", "postgres", "-E", "UTF8",
            $"--locale={locale}", "--no-sync", "-D", dataDirectory);

    internal static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }
}
