using Follow.Diagnostics;
using Npgsql;

namespace Follow.State;

/// <summary>
/// Every statement on the follow schema, one file each in State/Sql, runnable in psql (positional parameters via
/// PREPARE). Values are bound as parameters in order.
/// </summary>
public static class StateSql
{
    public static string Text(string name) => SqlResource.Load($"State.Sql.{name}.sql");

    public static NpgsqlCommand Command(string name, NpgsqlConnection connection, NpgsqlTransaction? transaction, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlCommand(Text(name), connection, transaction);
        foreach (var parameter in parameters) command.Parameters.Add(parameter);
        return command;
    }

    public static NpgsqlCommand Command(string name, NpgsqlConnection connection, params NpgsqlParameter[] parameters) =>
        Command(name, connection, null, parameters);

    public static NpgsqlParameter Value(object? value) => new() { Value = value ?? DBNull.Value };

    public static NpgsqlParameter Lsn(NpgsqlTypes.NpgsqlLogSequenceNumber lsn) => new() { Value = lsn, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.PgLsn };

    public static async Task ExecuteAsync(string name, NpgsqlConnection connection, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await using var command = Command(name, connection, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task<object?> ScalarAsync(string name, NpgsqlConnection connection, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await using var command = Command(name, connection, parameters);
        return await command.ExecuteScalarAsync(cancellationToken);
    }
}
