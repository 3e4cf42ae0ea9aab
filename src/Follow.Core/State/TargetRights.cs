using Npgsql;

namespace Follow.State;

/// <summary>
/// What the target's role may do, tried rather than read from role attributes: managed services give no superuser.
/// </summary>
/// <param name="CanCreate">CREATE on the database: Follow's schema and the moved tables need it.</param>
/// <param name="OriginFunctions">
/// The schema whose replication origin functions the role may call (pg_catalog, or public where a service wraps
/// them), or null: then the applied position is replay_lsn alone, written in the same target transaction.
/// </param>
/// <param name="MaySkipTriggers">
/// Whether it may set session_replication_role (a superuser, or GRANT SET ON PARAMETER): without it, foreign keys are
/// checked while Follow writes.
/// </param>
public sealed record TargetRights(string User, string Database, bool CanCreate, string? OriginFunctions, bool MaySkipTriggers)
{
    public static async Task<TargetRights> ReadAsync(NpgsqlConnection target, CancellationToken cancellationToken)
    {
        string user, database;
        bool canCreate;
        string? origin;
        await using (var command = StateSql.Command("target-rights", target))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            (user, database, canCreate) = (reader.GetString(0), reader.GetString(1), reader.GetBoolean(2));
            origin = reader.IsDBNull(3) ? null : reader.GetString(3);
        }
        return new TargetRights(user, database, canCreate, origin, await MaySkipTriggersAsync(target, cancellationToken));
    }

    /// <summary>Tried in a transaction that is rolled back: the setting is a superuser's unless granted.</summary>
    public static async Task<bool> MaySkipTriggersAsync(NpgsqlConnection target, CancellationToken cancellationToken)
    {
        await using var transaction = await target.BeginTransactionAsync(cancellationToken);
        try
        {
            await using var command = new NpgsqlCommand("SELECT set_config('session_replication_role', 'replica', true)", target, transaction);
            await command.ExecuteNonQueryAsync(cancellationToken);
            return true;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            return false;
        }
        finally
        {
            await transaction.RollbackAsync(CancellationToken.None);
        }
    }
}
