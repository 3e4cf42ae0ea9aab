using Follow.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace Follow.Pipeline;

/// <summary>Reads how far the slot's consumer is behind the source, from the source's own views.</summary>
public static class SlotLagReader
{
    /// <summary>Null when the source has no such slot (no clone yet, or after stream cleanup).</summary>
    public static async Task<SlotLag?> ReadAsync(NpgsqlConnection source, string slotName, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(SqlResource.Load("Pipeline.Sql.slot-lag.sql"), source);
        command.Parameters.Add(new NpgsqlParameter { Value = slotName });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        return new SlotLag(
            DateTimeOffset.UtcNow,
            reader.GetFieldValue<NpgsqlLogSequenceNumber>(0),
            reader.IsDBNull(1) ? null : reader.GetFieldValue<NpgsqlLogSequenceNumber>(1),
            reader.GetBoolean(2),
            reader.IsDBNull(3) ? null : reader.GetDouble(3))
        {
            RestartLsn = reader.IsDBNull(4) ? null : reader.GetFieldValue<NpgsqlLogSequenceNumber>(4),
            WalStatus = reader.IsDBNull(5) ? null : reader.GetString(5),
            SafeWalSize = reader.IsDBNull(6) ? null : reader.GetInt64(6),
            MaxSlotWalKeepSize = reader.IsDBNull(7) ? null : reader.GetInt64(7),
        };
    }
}
