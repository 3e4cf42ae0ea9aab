using Follow.Connections;
using Follow.Model;
using Npgsql;

namespace Follow.State;

/// <summary>
/// The moved tables' own triggers do not fire while Follow writes what the source already did (a trigger that writes
/// another moved table would double its rows), and are in force again once the stream reached endpos. On
/// PostgreSQL session_replication_role would keep them quiet, but on Citus it reaches neither the shards, where
/// the triggers run, nor TRUNCATE (Citus empties shards from a trigger that replica mode silences): so they are
/// disabled by name, recorded in follow.held_trigger, and enabled by that record. Triggers the source had disabled
/// are left as they are.
/// </summary>
public static class HeldTriggers
{
    public static Task<int> HoldAsync(NpgsqlConnection target, IEnumerable<QualifiedName> tables, CancellationToken cancellationToken) =>
        SwitchAsync(target, "triggers-to-hold", [StateSql.Value(tables.Select(t => t.Quoted).ToArray())], "DISABLE", "trigger-held", cancellationToken);

    public static Task<int> ReleaseAsync(NpgsqlConnection target, CancellationToken cancellationToken) =>
        SwitchAsync(target, "triggers-held", [], "ENABLE", "trigger-released", cancellationToken);

    /// <summary>
    /// In one transaction: each trigger the <paramref name="list"/> query names is switched (<paramref name="change"/>
    /// is DISABLE or ENABLE) and its record written or removed by <paramref name="record"/>.
    /// </summary>
    private static async Task<int> SwitchAsync(
        NpgsqlConnection target, string list, NpgsqlParameter[] listParameters, string change, string record, CancellationToken cancellationToken)
    {
        var citus = await target.HasCitusAsync(cancellationToken);
        await using var transaction = await target.BeginTransactionAsync(cancellationToken);
        await AllowOnCitusAsync(target, transaction, citus, cancellationToken);
        var triggers = new List<(string Table, string Trigger)>();
        await using (var command = StateSql.Command(list, target, transaction, listParameters))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken)) triggers.Add((reader.GetString(0), reader.GetString(1)));
        }
        foreach (var (table, trigger) in triggers)
        {
            // The table's name comes quoted from the catalog (quote_ident); the trigger's is quoted here.
            await using (var alter = new NpgsqlCommand($"ALTER TABLE {table} {change} TRIGGER {Sql.Ident(trigger)}", target, transaction))
            {
                await alter.ExecuteNonQueryAsync(cancellationToken);
            }
            await using var written = StateSql.Command(record, target, transaction, StateSql.Value(table), StateSql.Value(trigger));
            await written.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return triggers.Count;
    }

    /// <summary>Citus changes triggers of distributed and reference tables only when told their functions are safe on shards.</summary>
    private static async Task AllowOnCitusAsync(NpgsqlConnection target, NpgsqlTransaction transaction, bool citus, CancellationToken cancellationToken)
    {
        if (!citus) return;
        await using var command = new NpgsqlCommand("SET LOCAL citus.enable_unsafe_triggers TO on", target, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
