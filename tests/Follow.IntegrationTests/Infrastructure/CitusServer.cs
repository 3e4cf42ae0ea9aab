using Follow.Connections;
using Follow.Model;
using Npgsql;

namespace Follow.IntegrationTests.Infrastructure;

/// <summary>
/// The Citus coordinator of the Citus tests: the one FOLLOW_TEST_CITUS_URI names, else the cluster the harness
/// starts itself (<see cref="CitusCluster"/>) when Citus is installed into the PostgreSQL the tests use.
/// FOLLOW_TEST_NO_CITUS=1 skips the Citus tests, as on a machine without Citus.
/// </summary>
public static class CitusServer
{
    public const string UriVariable = "FOLLOW_TEST_CITUS_URI";
    public const string DisableVariable = "FOLLOW_TEST_NO_CITUS";

    private static int _counter;

    private static readonly Lazy<string?> Unavailable = new(FindUnavailableReason);

    private static string? ExternalUri =>
        Environment.GetEnvironmentVariable(UriVariable) is { Length: > 0 } uri ? uri : null;

    /// <summary>Whether the Citus tests run: a coordinator is named, or Citus is installed and not disabled.</summary>
    public static bool IsAvailable => Unavailable.Value is null;

    /// <summary>Why the Citus tests are skipped, and how to get Citus; null when they run.</summary>
    public static string? UnavailableReason => Unavailable.Value;

    /// <summary>The coordinator's URI; starts the test cluster on first use (and waits for it) unless one is named.</summary>
    public static string Uri => ExternalUri ?? CitusCluster.GetAsync().GetAwaiter().GetResult().Uri;

    public static async Task<string> UriAsync() => ExternalUri ?? (await CitusCluster.GetAsync()).Uri;

    /// <summary>Whether the tests use a cluster they started themselves, not one FOLLOW_TEST_CITUS_URI names.</summary>
    public static bool IsStartedByTests => ExternalUri is null;

    private static string? FindUnavailableReason()
    {
        if (Environment.GetEnvironmentVariable(DisableVariable) is { Length: > 0 } disabled && disabled != "0")
        {
            return $"Needs Citus: {DisableVariable}={disabled} disables the Citus tests.";
        }
        if (ExternalUri is not null) return null;
        string binDir;
        try
        {
            binDir = PgTools.FindBinDir();
        }
        catch (InvalidOperationException e)
        {
            return $"Needs Citus, and PostgreSQL itself is missing: {e.Message}";
        }
        return NotInstalledReason(binDir);
    }

    /// <summary>Null when the Citus extension is installed into the PostgreSQL of binDir; else what is missing and how to get it.</summary>
    internal static string? NotInstalledReason(string binDir)
    {
        var libDir = PgTools.Config(binDir, "--pkglibdir") ?? Path.GetFullPath(Path.Combine(binDir, "..", "lib"));
        var shareDir = PgTools.Config(binDir, "--sharedir");
        var library = Path.Combine(libDir, "citus.so");
        var control = shareDir is null ? null : Path.Combine(shareDir, "extension", "citus.control");
        if (File.Exists(library) && (control is null || File.Exists(control))) return null;
        return $"Needs Citus, which is not installed into the PostgreSQL of {binDir} (no {(File.Exists(library) ? control : library)}). "
            + "scripts/test builds and installs it when run as root with ../shared/citus beside the clone (it runs ../shared/citus/build.sh); "
            + "or install Citus 13 for this PostgreSQL yourself; "
            + $"or set {UriVariable} to a running coordinator, e.g. postgres://postgres@127.0.0.1:9700/postgres.";
    }

    /// <summary>
    /// A fresh database on the coordinator and its workers, ready for distributed tables: Citus 13 creates it on
    /// the workers when told to, but the extension and the node list belong to each database.
    /// </summary>
    public static async Task<CitusDatabase> CreateDatabaseAsync(string nameHint)
    {
        var coordinator = ConnectionInfo.Parse(await UriAsync(), UriVariable);
        var name = $"{new string(nameHint.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(40).ToArray())}_{Environment.ProcessId}_{Interlocked.Increment(ref _counter)}";
        var workers = new List<(string Host, int Port)>();
        await using (var admin = new NpgsqlConnection(coordinator.ToNpgsqlConnectionString()))
        {
            await admin.OpenAsync();
            await using (var reader = await new NpgsqlCommand(
                "SELECT nodename, nodeport FROM pg_dist_node WHERE groupid > 0 AND noderole = 'primary' ORDER BY nodeport", admin).ExecuteReaderAsync())
            {
                while (await reader.ReadAsync()) workers.Add((reader.GetString(0), reader.GetInt32(1)));
            }
            await new NpgsqlCommand("SET citus.enable_create_database_propagation = on", admin).ExecuteNonQueryAsync();
            await new NpgsqlCommand($"CREATE DATABASE {Sql.Ident(name)}", admin).ExecuteNonQueryAsync();
        }

        var database = new CitusDatabase(coordinator, name);
        foreach (var (host, port) in workers.Prepend((coordinator.Host, coordinator.Port)))
        {
            var builder = database.Connection.ToNpgsqlBuilder();
            builder.Host = host;
            builder.Port = port;
            await using var node = new NpgsqlConnection(builder.ConnectionString);
            await node.OpenAsync();
            await new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS citus", node).ExecuteNonQueryAsync();
        }
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var setCoordinator = new NpgsqlCommand("SELECT citus_set_coordinator_host($1, $2)", connection);
        setCoordinator.Parameters.Add(new NpgsqlParameter { Value = coordinator.Host });
        setCoordinator.Parameters.Add(new NpgsqlParameter { Value = coordinator.Port });
        await setCoordinator.ExecuteNonQueryAsync();
        foreach (var (host, port) in workers)
        {
            await using var add = new NpgsqlCommand("SELECT citus_add_node($1, $2)", connection);
            add.Parameters.Add(new NpgsqlParameter { Value = host });
            add.Parameters.Add(new NpgsqlParameter { Value = port });
            await add.ExecuteNonQueryAsync();
        }
        return database;
    }
}

/// <summary>A database of its own on the Citus cluster; disposing it drops it on every node.</summary>
public sealed class CitusDatabase(ConnectionInfo coordinator, string name) : IAsyncDisposable
{
    public string Name { get; } = name;

    public ConnectionInfo Connection { get; } = coordinator.WithDatabase(name);

    /// <summary>Npgsql's form, which follow's --target also takes; it keeps a password the URI had.</summary>
    public string ConnectionString => Connection.ToNpgsqlConnectionString();

    public async Task<T?> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return (T?)await new NpgsqlCommand(sql, connection).ExecuteScalarAsync();
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await new NpgsqlCommand(sql, connection).ExecuteNonQueryAsync();
    }

    /// <summary>Runs a statement in the coordinator's own database, e.g. on a role, once this database is gone.</summary>
    public async Task ExecuteOnServerAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(coordinator.ToNpgsqlConnectionString());
        await connection.OpenAsync();
        await new NpgsqlCommand(sql, connection).ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await using (var pooled = new NpgsqlConnection(ConnectionString)) NpgsqlConnection.ClearPool(pooled);
        await using var admin = new NpgsqlConnection(coordinator.ToNpgsqlConnectionString() + ";Include Error Detail=true");
        await admin.OpenAsync();
        await new NpgsqlCommand("SET citus.enable_create_database_propagation = on", admin).ExecuteNonQueryAsync();
        // FORCE waits 5 s for the sessions it terminates, on each node; on a busy machine a session on a worker
        // (of a follow process just ended, or of Citus' own daemons) may take longer to go.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await new NpgsqlCommand($"DROP DATABASE IF EXISTS {Sql.Ident(Name)} WITH (FORCE)", admin).ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ObjectInUse && attempt < 5)
            {
                await Task.Delay(TimeSpan.FromSeconds(attempt));
            }
            // DROP DATABASE is not transactional: an attempt refused on one node has dropped it on another, and Citus
            // then reports the database missing there, IF EXISTS or not. Each database's name is this run's own, so
            // one left behind on a node harms no later test.
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidCatalogName)
            {
                return;
            }
        }
    }
}
