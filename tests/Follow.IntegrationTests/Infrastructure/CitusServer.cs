using Follow.Connections;
using Follow.Model;
using Npgsql;

namespace Follow.IntegrationTests.Infrastructure;

/// <summary>A Citus coordinator the tests do not start themselves: named by FOLLOW_TEST_CITUS_URI, if at all.</summary>
public static class CitusServer
{
    public const string UriVariable = "FOLLOW_TEST_CITUS_URI";

    private static int _counter;

    public static string? Uri =>
        Environment.GetEnvironmentVariable(UriVariable) is { Length: > 0 } uri ? uri : null;

    public static bool IsAvailable => Uri is not null;

    /// <summary>
    /// A fresh database on the coordinator and its workers, ready for distributed tables: Citus 13 creates it on
    /// the workers when told to, but the extension and the node list belong to each database.
    /// </summary>
    public static async Task<CitusDatabase> CreateDatabaseAsync(string nameHint)
    {
        var coordinator = ConnectionInfo.Parse(Uri ?? throw new InvalidOperationException($"{UriVariable} is not set"), UriVariable);
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

    public async ValueTask DisposeAsync()
    {
        await using (var pooled = new NpgsqlConnection(ConnectionString)) NpgsqlConnection.ClearPool(pooled);
        await using var admin = new NpgsqlConnection(coordinator.ToNpgsqlConnectionString());
        await admin.OpenAsync();
        await new NpgsqlCommand("SET citus.enable_create_database_propagation = on", admin).ExecuteNonQueryAsync();
        await new NpgsqlCommand($"DROP DATABASE IF EXISTS {Sql.Ident(Name)} WITH (FORCE)", admin).ExecuteNonQueryAsync();
    }
}
