using System.Globalization;
using Follow.Model;
using Npgsql;

namespace Follow.IntegrationTests.Infrastructure;

/// <summary>A database of its own for one test; disposing it drops it, even with connections still open.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private const int CommandTimeoutSeconds = 300;

    internal TestDatabase(PostgresServer server, string name)
    {
        Server = server;
        Name = name;
        ConnectionString = server.ConnectionStringFor(name);
    }

    public string Name { get; }
    public PostgresServer Server { get; }
    public string ConnectionString { get; }
    public string Uri => $"postgres://postgres@{Server.Host}:{Server.Port}/{Name}";

    /// <summary>Runs a script of one or more statements (no psql meta-commands).</summary>
    public async Task ExecuteAsync(string sql, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = CommandTimeoutSeconds };
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task ExecuteFileAsync(string path, CancellationToken ct = default) =>
        await ExecuteAsync(await File.ReadAllTextAsync(path, ct), ct);

    /// <summary>The first column of the first row, converted to T; default when there is no row or it is NULL.</summary>
    public async Task<T?> ScalarAsync<T>(string sql, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = CommandTimeoutSeconds };
        var value = await command.ExecuteScalarAsync(ct);
        return value switch
        {
            null or DBNull => default,
            T typed => typed,
            _ => (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), CultureInfo.InvariantCulture),
        };
    }

    public async Task<NpgsqlConnection> OpenAsync(CancellationToken ct = default)
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(ct);
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        // Pooled idle connections would only be killed by FORCE anyway; clearing them avoids noisy errors later.
        await using (var pooled = new NpgsqlConnection(ConnectionString)) NpgsqlConnection.ClearPool(pooled);
        await using var connection = new NpgsqlConnection(Server.AdminConnectionString);
        await connection.OpenAsync();
        // A database that a logical replication slot uses cannot be dropped.
        await using (var slots = new NpgsqlCommand(
            "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = $1 AND NOT active", connection))
        {
            slots.Parameters.Add(new NpgsqlParameter { Value = Name });
            await slots.ExecuteNonQueryAsync();
        }
        string? originName;
        await using (var oid = new NpgsqlCommand("SELECT oid::text FROM pg_database WHERE datname = $1", connection))
        {
            oid.Parameters.Add(new NpgsqlParameter { Value = Name });
            originName = await oid.ExecuteScalarAsync() is string id ? $"follow_{id}" : null;
        }
        await using (var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Sql.Ident(Name)} WITH (FORCE)", connection))
        {
            await command.ExecuteNonQueryAsync();
        }
        // Replication origins belong to the whole server and outlive the database: each holds one of the server's
        // max_replication_slots progress entries until dropped (once its sessions are gone with the database).
        await using var origin = new NpgsqlCommand("SELECT pg_replication_origin_drop(roname) FROM pg_replication_origin WHERE roname = $1", connection);
        origin.Parameters.Add(new NpgsqlParameter { Value = (object?)originName ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await origin.ExecuteNonQueryAsync();
    }
}
