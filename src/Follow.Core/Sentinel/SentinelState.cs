using Follow.State;
using Npgsql;
using NpgsqlTypes;

namespace Follow.Sentinel;

/// <summary>The sentinel row of the target's follow schema.</summary>
public sealed record SentinelState(
    NpgsqlLogSequenceNumber? StartPos,
    NpgsqlLogSequenceNumber? EndPos,
    bool Apply,
    NpgsqlLogSequenceNumber? WriteLsn,
    NpgsqlLogSequenceNumber? FlushLsn,
    NpgsqlLogSequenceNumber? ReplayLsn,
    DateTimeOffset? DoneAt)
{
    public static async Task<SentinelState> ReadAsync(NpgsqlConnection target, CancellationToken cancellationToken)
    {
        await TargetState.EnsureAsync(target, cancellationToken);
        return await ReadExistingAsync(target, cancellationToken);
    }

    /// <summary>Reads the row of a follow schema known to exist; the stream polls it several times a second.</summary>
    public static async Task<SentinelState> ReadExistingAsync(NpgsqlConnection target, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT startpos, endpos, apply, write_lsn, flush_lsn, replay_lsn, done_at FROM follow.sentinel", target);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new SentinelState(Lsn(reader, 0), Lsn(reader, 1), reader.GetBoolean(2), Lsn(reader, 3), Lsn(reader, 4), Lsn(reader, 5),
            reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6));
    }

    /// <summary>The sentinel as it is, without creating the follow schema: null on a target Follow never touched.</summary>
    public static async Task<SentinelState?> TryReadAsync(NpgsqlConnection target, CancellationToken cancellationToken)
    {
        await using (var exists = new NpgsqlCommand("SELECT to_regclass('follow.sentinel') IS NOT NULL", target))
        {
            if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken))!) return null;
        }
        return await ReadExistingAsync(target, cancellationToken);
    }

    private static NpgsqlLogSequenceNumber? Lsn(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<NpgsqlLogSequenceNumber>(ordinal);

    public static async Task SetEndPosAsync(NpgsqlConnection target, NpgsqlLogSequenceNumber endpos, CancellationToken cancellationToken)
    {
        await TargetState.EnsureAsync(target, cancellationToken);
        await using var command = new NpgsqlCommand("UPDATE follow.sentinel SET endpos = $1", target);
        command.Parameters.Add(new NpgsqlParameter { Value = endpos, NpgsqlDbType = NpgsqlDbType.PgLsn });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task SetApplyAsync(NpgsqlConnection target, bool apply, CancellationToken cancellationToken)
    {
        await TargetState.EnsureAsync(target, cancellationToken);
        await using var command = new NpgsqlCommand("UPDATE follow.sentinel SET apply = $1", target);
        command.Parameters.Add(new NpgsqlParameter { Value = apply });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>A new clone: no start, end or progress of an earlier stream.</summary>
    public static async Task ResetAsync(NpgsqlConnection target, CancellationToken cancellationToken)
    {
        await TargetState.EnsureAsync(target, cancellationToken);
        await using var command = new NpgsqlCommand(
            "UPDATE follow.sentinel SET startpos = NULL, endpos = NULL, write_lsn = NULL, flush_lsn = NULL, replay_lsn = NULL, done_at = NULL", target);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Where the stream starts: the copy's consistent point. An endpos set meanwhile is kept.</summary>
    public static async Task SetStartPosAsync(NpgsqlConnection target, NpgsqlLogSequenceNumber startpos, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("UPDATE follow.sentinel SET startpos = $1", target);
        command.Parameters.Add(new NpgsqlParameter { Value = startpos, NpgsqlDbType = NpgsqlDbType.PgLsn });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
