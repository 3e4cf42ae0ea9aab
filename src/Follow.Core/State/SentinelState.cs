using Npgsql;
using NpgsqlTypes;

namespace Follow.State;

/// <summary>The sentinel row of the target's follow schema.</summary>
public sealed record SentinelState(
    NpgsqlLogSequenceNumber? StartPos,
    NpgsqlLogSequenceNumber? EndPos,
    bool Apply,
    NpgsqlLogSequenceNumber? WriteLsn,
    NpgsqlLogSequenceNumber? FlushLsn,
    NpgsqlLogSequenceNumber? ReplayLsn,
    DateTimeOffset? DoneAt,
    NpgsqlLogSequenceNumber? PauseLsn = null,
    NpgsqlLogSequenceNumber? HeldLsn = null)
{
    public static async Task<SentinelState> ReadAsync(NpgsqlConnection target, CancellationToken cancellationToken)
    {
        await TargetState.EnsureAsync(target, cancellationToken);
        return await ReadExistingAsync(target, cancellationToken);
    }

    /// <summary>Reads the row of a follow schema known to exist; the stream polls it several times a second.</summary>
    public static async Task<SentinelState> ReadExistingAsync(NpgsqlConnection target, CancellationToken cancellationToken)
    {
        await using var command = StateSql.Command("sentinel-read", target);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new SentinelState(Lsn(reader, 0), Lsn(reader, 1), reader.GetBoolean(2), Lsn(reader, 3), Lsn(reader, 4), Lsn(reader, 5),
            reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6), Lsn(reader, 7), Lsn(reader, 8));
    }

    /// <summary>The sentinel as it is, without creating the follow schema: null on a target Follow never touched.</summary>
    public static async Task<SentinelState?> TryReadAsync(NpgsqlConnection target, CancellationToken cancellationToken)
    {
        if (!(bool)(await StateSql.ScalarAsync("sentinel-exists", target, cancellationToken))!) return null;
        return await ReadExistingAsync(target, cancellationToken);
    }

    private static NpgsqlLogSequenceNumber? Lsn(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<NpgsqlLogSequenceNumber>(ordinal);

    public static async Task SetEndPosAsync(NpgsqlConnection target, NpgsqlLogSequenceNumber endpos, CancellationToken cancellationToken)
    {
        await TargetState.EnsureAsync(target, cancellationToken);
        await StateSql.ExecuteAsync("sentinel-set-endpos", target, cancellationToken, StateSql.Lsn(endpos));
    }

    public static async Task SetApplyAsync(NpgsqlConnection target, bool apply, CancellationToken cancellationToken)
    {
        await TargetState.EnsureAsync(target, cancellationToken);
        await StateSql.ExecuteAsync("sentinel-set-apply", target, cancellationToken, StateSql.Value(apply));
    }

    /// <summary>Asks the follower to hold at a pause point (<see cref="Pipeline.ApplyRules"/>), or, with null, to go on.</summary>
    public static async Task SetPauseAsync(NpgsqlConnection target, NpgsqlLogSequenceNumber? pause, CancellationToken cancellationToken)
    {
        await TargetState.EnsureAsync(target, cancellationToken);
        var parameter = pause is { } lsn ? StateSql.Lsn(lsn) : new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.PgLsn };
        await StateSql.ExecuteAsync("sentinel-set-pause", target, cancellationToken, parameter);
    }

    /// <summary>Asks the follower to hold where it is (pause point 0/0); false when another pause point is asked already.</summary>
    public static async Task<bool> TryClaimPauseAsync(NpgsqlConnection target, CancellationToken cancellationToken)
    {
        await TargetState.EnsureAsync(target, cancellationToken);
        return await StateSql.ScalarAsync("sentinel-claim-pause", target, cancellationToken) is true;
    }

    /// <summary>The follower holds at this pause point: everything committed before it is applied and committed.</summary>
    public static Task SetHeldAsync(NpgsqlConnection target, NpgsqlLogSequenceNumber pause, CancellationToken cancellationToken) =>
        StateSql.ExecuteAsync("sentinel-held", target, cancellationToken, StateSql.Lsn(pause));

    /// <summary>A new clone: no start or progress of an earlier stream; endpos too, unless <paramref name="keepEndpos"/>.</summary>
    public static async Task ResetAsync(NpgsqlConnection target, bool keepEndpos, CancellationToken cancellationToken)
    {
        await TargetState.EnsureAsync(target, cancellationToken);
        await StateSql.ExecuteAsync("sentinel-reset", target, cancellationToken, StateSql.Value(keepEndpos));
    }

    /// <summary>Where the stream starts: the copy's consistent point. An endpos set meanwhile is kept.</summary>
    public static Task SetStartPosAsync(NpgsqlConnection target, NpgsqlLogSequenceNumber startpos, CancellationToken cancellationToken) =>
        StateSql.ExecuteAsync("sentinel-set-startpos", target, cancellationToken, StateSql.Lsn(startpos));

    /// <summary>The stream reached endpos and set the sequences.</summary>
    public static Task SetDoneAsync(NpgsqlConnection target, CancellationToken cancellationToken) =>
        StateSql.ExecuteAsync("sentinel-done", target, cancellationToken);
}
