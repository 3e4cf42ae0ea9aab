using Npgsql;
using NpgsqlTypes;

namespace Follow.State;

/// <summary>
/// The target's replication origin: each applied target transaction records its last source commit with it (and in
/// the sentinel's replay_lsn), so a restart resumes exactly after it. Created, set up and dropped only here.
/// </summary>
public static class ReplicationOrigin
{
    public static async Task<string> NameAsync(NpgsqlConnection target, CancellationToken cancellationToken) =>
        (string)(await StateSql.ScalarAsync("origin-name", target, cancellationToken))!;

    /// <summary>
    /// Creates the origin when missing and ties this session's transactions to it; on Citus, puts the sentinel in
    /// Citus' metadata. Returns the last source commit applied, by the origin or by replay_lsn.
    /// </summary>
    public static async Task<NpgsqlLogSequenceNumber?> SetUpAsync(NpgsqlConnection target, bool citus, CancellationToken cancellationToken)
    {
        var name = StateSql.Value(await NameAsync(target, cancellationToken));
        await StateSql.ExecuteAsync("origin-create", target, cancellationToken, name);
        await StateSql.ExecuteAsync("origin-session-setup", target, cancellationToken, StateSql.Value(name.Value));
        if (citus) await StateSql.ExecuteAsync("sentinel-citus-checkpoint", target, cancellationToken);
        return await StateSql.ScalarAsync("applied-position", target, cancellationToken, StateSql.Value(name.Value)) is NpgsqlLogSequenceNumber lsn ? lsn : null;
    }

    /// <summary>The statements that record a source commit in the open target transaction: the origin's, then replay_lsn.</summary>
    public static IEnumerable<(string Sql, NpgsqlParameter[] Parameters)> RecordCommit(NpgsqlLogSequenceNumber commitLsn, DateTimeOffset commitTime)
    {
        yield return (StateSql.Text("origin-xact-setup"), [StateSql.Lsn(commitLsn), StateSql.Value(commitTime)]);
        yield return (StateSql.Text("sentinel-replay"), [StateSql.Lsn(commitLsn)]);
    }

    /// <summary>Drops this target's origin, if any; returns its name.</summary>
    public static async Task<string> DropAsync(NpgsqlConnection target, CancellationToken cancellationToken)
    {
        var name = await NameAsync(target, cancellationToken);
        await StateSql.ExecuteAsync("origin-drop", target, cancellationToken, StateSql.Value(name));
        return name;
    }
}
