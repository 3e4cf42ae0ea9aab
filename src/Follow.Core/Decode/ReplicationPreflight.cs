using Follow.Diagnostics;
using Npgsql;

namespace Follow.Decode;

/// <summary>What logical replication needs on the source, checked before anything is created, with the fix for each.</summary>
public static class ReplicationPreflight
{
    private const string Sql = """
        SELECT current_setting('wal_level'),
               current_setting('max_replication_slots')::int - (SELECT count(*) FROM pg_replication_slots),
               current_setting('max_wal_senders')::int - (SELECT count(*) FROM pg_stat_replication),
               (SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user),
               current_user
        """;

    /// <param name="slotExists">A slot of ours that is already there needs no free slot.</param>
    public static async Task CheckAsync(NpgsqlConnection source, bool slotExists, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(Sql, source);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var walLevel = reader.GetString(0);
        var freeSlots = reader.GetInt64(1);
        var freeSenders = reader.GetInt64(2);
        var canReplicate = reader.GetBoolean(3);
        var user = reader.GetString(4);

        var problems = new List<string>();
        if (walLevel != "logical")
        {
            problems.Add($"the source has wal_level = {walLevel}; logical replication needs wal_level = logical (ALTER SYSTEM SET wal_level = logical, then restart the server)");
        }
        if (freeSlots < 1 && !slotExists)
        {
            problems.Add("the source has no free replication slot (max_replication_slots is reached); raise max_replication_slots (needs a restart) or drop an unused slot (pg_drop_replication_slot)");
        }
        if (freeSenders < 1)
        {
            problems.Add("the source has no free WAL sender (max_wal_senders is reached); raise max_wal_senders (needs a restart) or stop another replication client");
        }
        if (!canReplicate)
        {
            problems.Add($"the role {user} lacks the REPLICATION attribute; run ALTER ROLE {Model.Sql.Ident(user)} REPLICATION as a superuser, or connect as a role that has it");
        }
        if (problems.Count > 0)
        {
            throw new BadInputException("the source cannot stream changes; nothing was changed:\n  - " + string.Join("\n  - ", problems));
        }
    }
}
