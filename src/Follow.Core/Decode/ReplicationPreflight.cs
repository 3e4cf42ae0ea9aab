using Follow.Connections;
using Follow.Diagnostics;
using Follow.Model;
using Npgsql;
using Npgsql.Replication;
using Npgsql.Replication.PgOutput;

namespace Follow.Decode;

/// <summary>What the source must allow for the publication, the slot and the copy, and which rights are missing.</summary>
/// <param name="SlotName">The slot Follow uses.</param>
/// <param name="CreatesSlot">Whether it is created (a clone) rather than read (a stream that resumes).</param>
/// <param name="Published">The tables the publication names: the role must own them.</param>
/// <param name="Read">The tables the copy reads.</param>
/// <param name="Sequences">The sequences whose values the target takes.</param>
public sealed record SourceNeeds(
    string SlotName, bool CreatesSlot, IReadOnlyList<QualifiedName> Published, IReadOnlyList<QualifiedName> Read, IReadOnlyList<QualifiedName> Sequences);

/// <summary>What the source lacks (each with its fix), and whether it keeps a slot's WAL without bound.</summary>
public sealed record SourceCheck(IReadOnlyList<string> Problems, bool UnboundedWal);

/// <summary>
/// The source's side of the preflight: settings read, rights tried rather than read from role attributes (on RDS and
/// Aurora the replication right is membership in rds_replication, and rolreplication reads false). It opens a
/// replication connection, runs IDENTIFY_SYSTEM, creates and drops a temporary pgoutput slot. Changes nothing that
/// outlives it; each problem names the fix on self-hosted PostgreSQL and the managed services.
/// </summary>
public static class ReplicationPreflight
{
    private const string WalLevelFix =
        "self-hosted PostgreSQL: ALTER SYSTEM SET wal_level = logical, then restart; Amazon RDS and Aurora: rds.logical_replication = 1 "
        + "in the parameter group, then reboot; Cloud SQL: the flag cloudsql.logical_decoding = on; Azure Flexible Server: wal_level = logical "
        + "in the server parameters, then restart";

    public static async Task<SourceCheck> CheckAsync(ConnectionInfo source, SourceNeeds needs, CancellationToken cancellationToken)
    {
        await using var connection = await source.OpenAsync("follow preflight", ExitCode.SourceFailure, cancellationToken);
        var problems = new List<string>();
        string walLevel, user, database;
        bool canCreate, slotFree, senderFree, unboundedWal;
        await using (var command = new NpgsqlCommand(SqlResource.Load("Decode.Sql.source-rights.sql"), connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = needs.SlotName });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            walLevel = reader.GetString(0);
            var freeSlots = reader.GetInt64(1);
            var freeSenders = reader.GetInt64(2);
            var slotExists = reader.GetBoolean(3);
            user = reader.GetString(4);
            database = reader.GetString(5);
            canCreate = reader.GetBoolean(6);
            unboundedWal = reader.GetBoolean(7);
            (slotFree, senderFree) = (freeSlots >= 1, freeSenders >= 1);
            if (walLevel != "logical")
            {
                problems.Add($"the source has wal_level = {walLevel}; logical replication needs wal_level = logical ({WalLevelFix})");
            }
            if (freeSlots < 1 && !slotExists)
            {
                problems.Add("the source has no free replication slot (max_replication_slots is reached); raise max_replication_slots (needs a restart) or drop an unused slot (pg_drop_replication_slot)");
            }
            if (freeSenders < 1)
            {
                problems.Add("the source has no free WAL sender (max_wal_senders is reached); raise max_wal_senders (needs a restart) or stop another replication client");
            }
        }
        var role = Sql.IdentIfNeeded(user);
        if (needs.SlotName.StartsWith("rds", StringComparison.Ordinal))
        {
            problems.Add($"the slot name {needs.SlotName} begins with rds, which Amazon RDS and Aurora reserve for their own slots; give another name with --slot-name");
        }
        if (needs.CreatesSlot && !canCreate)
        {
            problems.Add($"the role {user} may not create the publication in the source database {database}; run GRANT CREATE ON DATABASE {Sql.IdentIfNeeded(database)} TO {role}");
        }
        foreach (var table in await ListAsync(connection, "source-unowned", needs.Published, cancellationToken))
        {
            problems.Add($"the role {user} does not own the table {table}, which the publication names; run ALTER TABLE {table} OWNER TO {role}, or connect as its owner");
        }
        if (await ListAsync(connection, "source-unreadable", [.. needs.Read, .. needs.Sequences], cancellationToken) is { Count: > 0 } unreadable)
        {
            // GRANT SELECT ON takes sequences beside tables.
            var names = string.Join(", ", unreadable);
            problems.Add($"the role {user} may not read {names}; run GRANT SELECT ON {names} TO {role}");
        }
        // Tried only where the server has room: a full server's refusal is told above.
        if (senderFree && await TryReplicationAsync(source, needs.CreatesSlot && walLevel == "logical" && slotFree, cancellationToken) is { } refused)
        {
            problems.Add($"the role {user} may not stream changes ({refused}); give it the replication right: self-hosted PostgreSQL: ALTER ROLE {role} WITH REPLICATION; "
                + $"Amazon RDS and Aurora: GRANT rds_replication TO {role}; Cloud SQL and Azure Flexible Server: ALTER ROLE {role} WITH REPLICATION, as the server's admin role");
        }
        return new SourceCheck(problems, unboundedWal);
    }

    /// <summary>
    /// IDENTIFY_SYSTEM on a replication connection, and a temporary slot created and dropped when
    /// <paramref name="trySlot"/>: the server's answer, whatever role attribute or group membership grants it.
    /// Returns the server's refusal, or null.
    /// </summary>
    private static async Task<string?> TryReplicationAsync(ConnectionInfo source, bool trySlot, CancellationToken cancellationToken)
    {
        await using var replication = new LogicalReplicationConnection(source.WithApplicationName("follow preflight").ToNpgsqlConnectionString());
        try
        {
            await replication.Open(cancellationToken);
            await replication.IdentifySystem(cancellationToken);
            if (!trySlot) return null;
            var name = $"follow_preflight_{Guid.NewGuid():N}";
            await replication.CreatePgOutputReplicationSlot(
                name, temporarySlot: true, slotSnapshotInitMode: LogicalSlotSnapshotInitMode.NoExport, cancellationToken: cancellationToken);
            await replication.DropReplicationSlot(name, cancellationToken: cancellationToken);
            return null;
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.InvalidAuthorizationSpecification)
        {
            return $"{ex.SqlState}: {ex.MessageText}";
        }
    }

    /// <summary>Those of <paramref name="relations"/> that the query picks, by their positions.</summary>
    private static async Task<List<QualifiedName>> ListAsync(
        NpgsqlConnection connection, string query, IReadOnlyList<QualifiedName> relations, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(SqlResource.Load($"Decode.Sql.{query}.sql"), connection);
        command.Parameters.Add(new NpgsqlParameter { Value = relations.Select(t => t.Quoted).ToArray() });
        var found = new List<QualifiedName>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) found.Add(relations[(int)reader.GetInt64(0) - 1]);
        return found;
    }
}
