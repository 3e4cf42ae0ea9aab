using Follow.Diagnostics;
using Npgsql;

namespace Follow.State;

/// <summary>Follow's state on the target (the <c>follow</c> schema): which clone steps are done.</summary>
public static class TargetState
{
    public const string Schema = "follow";

    public static async Task EnsureAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(SqlResource.Load("State.Sql.schema.sql"), connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task<bool> IsDoneAsync(NpgsqlConnection connection, string step, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM follow.clone_step WHERE step = $1)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = step });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Records a step inside the caller's transaction, so the step and its record commit together.</summary>
    public static async Task MarkDoneAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string step, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("INSERT INTO follow.clone_step (step) VALUES ($1) ON CONFLICT (step) DO NOTHING", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = step });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The same record for a script that psql runs in one transaction; psql binds the variable as a literal.</summary>
    public const string MarkDoneScript =
        "INSERT INTO follow.clone_step (step) VALUES (:'follow_step') ON CONFLICT (step) DO NOTHING;\n";

    public const string MarkDoneVariable = "follow_step";

    public static async Task ResetAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("DELETE FROM follow.clone_step", connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
