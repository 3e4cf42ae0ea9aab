using Npgsql;
using NpgsqlTypes;

namespace Follow.State;

/// <summary>A table of a copy run: whether all its parts completed, and the run and LSN its rows come from.</summary>
/// <param name="CopiedIn">The run that copied the rows: this one, or the earlier run a resumed copy kept them from.</param>
/// <param name="Lsn">The consistent point of that run's snapshot: the table holds every transaction committed before it.</param>
public sealed record TableCopy(string Table, bool Completed, long CopiedIn, NpgsqlLogSequenceNumber Lsn, long Rows);

/// <summary>
/// The latest copy run's tables and where its stream starts (the slot's consistent point). Tables of one migration
/// can be consistent with different points when a killed copy was resumed: the stream applies each table's changes
/// only from its own point on (<see cref="Pipeline.ApplyRules.AppliesToTable"/>).
/// </summary>
public sealed record CopyPoints(long RunId, string SlotName, NpgsqlLogSequenceNumber StreamFrom, bool Finished, IReadOnlyList<TableCopy> Tables)
{
    /// <summary>The latest run, or null when the target has none.</summary>
    public static async Task<CopyPoints?> ReadAsync(NpgsqlConnection target, CancellationToken cancellationToken)
    {
        if (!(bool)(await StateSql.ScalarAsync("state-exists", target, cancellationToken))!) return null;
        await using var command = StateSql.Command("copy-points", target);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var tables = new List<TableCopy>();
        (long RunId, string Slot, NpgsqlLogSequenceNumber From, bool Finished)? run = null;
        while (await reader.ReadAsync(cancellationToken))
        {
            tables.Add(new TableCopy(reader.GetString(0), reader.GetBoolean(1), reader.GetInt64(2),
                reader.GetFieldValue<NpgsqlLogSequenceNumber>(3), reader.GetInt64(4)));
            run = (reader.GetInt64(5), reader.GetString(6), reader.GetFieldValue<NpgsqlLogSequenceNumber>(7), reader.GetBoolean(8));
        }
        return run is { } r ? new CopyPoints(r.RunId, r.Slot, r.From, r.Finished, tables) : null;
    }

    /// <summary>The tables whose rows are consistent with a later point than where the stream starts.</summary>
    public IReadOnlyDictionary<string, NpgsqlLogSequenceNumber> AfterStart() =>
        Tables.Where(t => t.Lsn > StreamFrom).ToDictionary(t => t.Table, t => t.Lsn);
}
