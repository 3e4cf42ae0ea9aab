using Npgsql;

namespace Follow.State;

/// <summary>Follow's state on the target (the <c>follow</c> schema): which clone steps are done.</summary>
public static class TargetState
{
    public const string Schema = "follow";

    public static async Task EnsureAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(StateSql.Text("schema"), connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Whether the clone's steps were ever recorded here, without creating Follow's state.</summary>
    public static async Task<bool> ExistsAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        (bool)(await StateSql.ScalarAsync("clone-step-exists", connection, cancellationToken))!;

    public static async Task<bool> IsDoneAsync(NpgsqlConnection connection, string step, CancellationToken cancellationToken) =>
        (bool)(await StateSql.ScalarAsync("clone-step-done", connection, cancellationToken, StateSql.Value(step)))!;

    /// <summary>Records a step inside the caller's transaction, so the step and its record commit together.</summary>
    public static async Task MarkDoneAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string step, CancellationToken cancellationToken)
    {
        await using var command = StateSql.Command("clone-step-mark", connection, transaction, StateSql.Value(step));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The same record for a script that psql runs in one transaction; psql binds the variable as a literal.</summary>
    public static string MarkDoneScript => StateSql.Text("clone-step-mark-psql");

    public const string MarkDoneVariable = "follow_step";

    /// <summary>Drops the follow schema and everything in it: once the migration is over, or abandoned.</summary>
    public static Task DropAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        StateSql.ExecuteAsync("schema-drop", connection, cancellationToken);

    public static async Task ResetAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = StateSql.Command("clone-step-reset", connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
