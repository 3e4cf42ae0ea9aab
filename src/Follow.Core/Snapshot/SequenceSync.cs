using Follow.Model;
using Npgsql;

namespace Follow.Snapshot;

/// <summary>Sets the target's sequences to the source's current values, as the last step of a clone or a cutover.</summary>
public static class SequenceSync
{
    public static async Task<int> RunAsync(Catalog catalog, NpgsqlConnection source, NpgsqlConnection target, CancellationToken cancellationToken)
    {
        var synced = 0;
        foreach (var sequence in catalog.Sequences)
        {
            // A sequence that does not exist on the target (of an excluded table) is skipped.
            await using (var exists = new NpgsqlCommand("SELECT to_regclass($1) IS NOT NULL", target))
            {
                exists.Parameters.Add(new NpgsqlParameter { Value = sequence.Name.Quoted });
                if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken))!) continue;
            }

            long lastValue;
            bool isCalled;
            await using (var read = new NpgsqlCommand($"SELECT last_value, is_called FROM {sequence.Name.Quoted}", source))
            await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
            {
                await reader.ReadAsync(cancellationToken);
                lastValue = reader.GetInt64(0);
                isCalled = reader.GetBoolean(1);
            }
            await using var set = new NpgsqlCommand("SELECT setval($1::text::regclass, $2, $3)", target);
            set.Parameters.Add(new NpgsqlParameter { Value = sequence.Name.Quoted });
            set.Parameters.Add(new NpgsqlParameter { Value = lastValue });
            set.Parameters.Add(new NpgsqlParameter { Value = isCalled });
            await set.ExecuteNonQueryAsync(cancellationToken);
            synced++;
        }
        return synced;
    }
}
