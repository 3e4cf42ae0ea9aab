using Follow.Model;
using Npgsql;
using NpgsqlTypes;

namespace Follow.State;

/// <summary>
/// The target's replication origin, where the role may keep one (<see cref="TargetRights.OriginFunctions"/>): each
/// applied target transaction records its last source commit with it and in the sentinel's replay_lsn, so a restart
/// resumes exactly after it. replay_lsn, written in the same transaction, is enough on its own: without the right,
/// no origin is kept. Created, set up and dropped only here.
/// </summary>
public static class ReplicationOrigin
{
    public static async Task<string> NameAsync(NpgsqlConnection target, CancellationToken cancellationToken) =>
        (string)(await StateSql.ScalarAsync("origin-name", target, cancellationToken))!;

    /// <summary>
    /// Creates the origin when missing and ties this session's transactions to it, where <paramref name="functions"/>
    /// names the schema of the origin functions the role may call; on Citus, puts the sentinel in Citus' metadata.
    /// Returns the last source commit applied, by the origin or by replay_lsn.
    /// </summary>
    public static async Task<NpgsqlLogSequenceNumber?> SetUpAsync(NpgsqlConnection target, bool citus, string? functions, CancellationToken cancellationToken)
    {
        if (citus) await StateSql.ExecuteAsync("sentinel-citus-checkpoint", target, cancellationToken);
        if (functions is null)
        {
            return await StateSql.ScalarAsync("applied-position-sentinel", target, cancellationToken) is NpgsqlLogSequenceNumber replay ? replay : null;
        }
        var name = await NameAsync(target, cancellationToken);
        await ExecuteAsync("origin-create", functions, target, cancellationToken, StateSql.Value(name));
        await ExecuteAsync("origin-session-setup", functions, target, cancellationToken, StateSql.Value(name));
        await using var command = Command("applied-position", functions, target, StateSql.Value(name));
        return await command.ExecuteScalarAsync(cancellationToken) is NpgsqlLogSequenceNumber lsn ? lsn : null;
    }

    /// <summary>
    /// The statements that record a source commit in the open target transaction: the origin's where one is kept
    /// (<paramref name="functions"/>), then replay_lsn.
    /// </summary>
    public static IEnumerable<(string Sql, NpgsqlParameter[] Parameters)> RecordCommit(NpgsqlLogSequenceNumber commitLsn, DateTimeOffset commitTime, string? functions)
    {
        if (functions is not null) yield return (Text("origin-xact-setup", functions), [StateSql.Lsn(commitLsn), StateSql.Value(commitTime)]);
        yield return (StateSql.Text("sentinel-replay"), [StateSql.Lsn(commitLsn)]);
    }

    /// <summary>Drops this target's origin, if any and if the role may; returns its name.</summary>
    public static async Task<string> DropAsync(NpgsqlConnection target, CancellationToken cancellationToken)
    {
        var name = await NameAsync(target, cancellationToken);
        var rights = await TargetRights.ReadAsync(target, cancellationToken);
        if (rights.OriginFunctions is { } functions) await ExecuteAsync("origin-drop", functions, target, cancellationToken, StateSql.Value(name));
        return name;
    }

    /// <summary>The statement with the origin functions of <paramref name="functions"/> (the files name pg_catalog's).</summary>
    private static string Text(string name, string functions) =>
        StateSql.Text(name).Replace("pg_catalog.pg_replication_origin_", $"{Sql.Ident(functions)}.pg_replication_origin_", StringComparison.Ordinal);

    private static NpgsqlCommand Command(string name, string functions, NpgsqlConnection target, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlCommand(Text(name, functions), target);
        foreach (var parameter in parameters) command.Parameters.Add(parameter);
        return command;
    }

    private static async Task ExecuteAsync(string name, string functions, NpgsqlConnection target, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await using var command = Command(name, functions, target, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
