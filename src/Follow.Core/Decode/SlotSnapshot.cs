using Follow.Connections;
using Follow.Diagnostics;
using Follow.Model;
using Npgsql;
using Npgsql.Replication;
using Npgsql.Replication.PgOutput;
using NpgsqlTypes;

namespace Follow.Decode;

/// <summary>
/// The publication of the moved tables and a pgoutput slot created with an exported snapshot. The replication
/// connection that created it stays open and idle: the snapshot lives only as long as that session does.
/// </summary>
public sealed class SlotSnapshot : IAsyncDisposable
{
    private readonly LogicalReplicationConnection _connection;

    private SlotSnapshot(LogicalReplicationConnection connection, string slotName, string publication, string snapshotName,
        NpgsqlLogSequenceNumber consistentPoint, NpgsqlLogSequenceNumber? streamFrom = null)
    {
        _connection = connection;
        SlotName = slotName;
        Publication = publication;
        SnapshotName = snapshotName;
        ConsistentPoint = consistentPoint;
        StreamFrom = streamFrom ?? consistentPoint;
    }

    public string SlotName { get; }

    public string Publication { get; }

    public string SnapshotName { get; }

    /// <summary>The snapshot holds every transaction committed before this LSN, and none committed at or after it.</summary>
    public NpgsqlLogSequenceNumber ConsistentPoint { get; }

    /// <summary>Where the slot's stream starts: <see cref="ConsistentPoint"/>, or the kept slot's own when this snapshot resumes a copy.</summary>
    public NpgsqlLogSequenceNumber StreamFrom { get; }

    /// <summary>Whether this snapshot resumes an interrupted copy: its slot was kept, the snapshot is a temporary slot's.</summary>
    public bool Resumes => StreamFrom != ConsistentPoint;

    /// <summary>
    /// Creates the publication (when missing) and the slot, once <see cref="ReplicationPreflight"/> found every right. A slot of the same name left by an interrupted copy is
    /// dropped first: its snapshot is gone with the session that exported it, so the copy starts over.
    /// </summary>
    public static async Task<SlotSnapshot> CreateAsync(
        ConnectionInfo source, string slotName, string publication, IReadOnlyCollection<QualifiedName> tables, CancellationToken cancellationToken)
    {
        try
        {
            await using (var connection = new NpgsqlConnection(source.WithApplicationName("follow").ToNpgsqlConnectionString()))
            {
                await connection.OpenAsync(cancellationToken);
                await DropSlotIfExistsAsync(connection, slotName, cancellationToken);
                await CreatePublicationAsync(connection, publication, tables, cancellationToken);
            }

            var replication = new LogicalReplicationConnection(source.WithApplicationName("follow snapshot").ToNpgsqlConnectionString());
            await replication.Open(cancellationToken);
            var slot = await replication.CreatePgOutputReplicationSlot(
                slotName, temporarySlot: false, slotSnapshotInitMode: LogicalSlotSnapshotInitMode.Export, cancellationToken: cancellationToken);
            return new SlotSnapshot(replication, slotName, publication, slot.SnapshotName!, slot.ConsistentPoint);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or IOException)
        {
            throw new FollowException($"cannot create the replication slot {slotName} on the source {source.Redacted}: {ex.Message}", ExitCode.SourceFailure, ex);
        }
    }

    /// <summary>
    /// A new snapshot for the rest of an interrupted copy, keeping its slot (the stream starts at that slot's
    /// position). Null when the slot cannot be kept: missing, invalidated, or moved past <paramref name="streamFrom"/>.
    /// The snapshot is exported by a temporary slot, as PostgreSQL's table synchronisation does; its consistent point
    /// is the LSN the tables copied in it are consistent with. The temporary slot goes with this connection.
    /// </summary>
    public static async Task<SlotSnapshot?> ResumeAsync(
        ConnectionInfo source, string slotName, string publication, NpgsqlLogSequenceNumber streamFrom, CancellationToken cancellationToken)
    {
        try
        {
            await using (var connection = new NpgsqlConnection(source.WithApplicationName("follow").ToNpgsqlConnectionString()))
            {
                await connection.OpenAsync(cancellationToken);
                if (!await SlotKeptAtAsync(connection, slotName, streamFrom, cancellationToken)) return null;
            }
            var replication = new LogicalReplicationConnection(source.WithApplicationName("follow snapshot").ToNpgsqlConnectionString());
            await replication.Open(cancellationToken);
            // A temporary slot's name must be unique while it lives; it is dropped with its session, also after a kill.
            var name = $"follow_copy_{Environment.ProcessId}_{DateTime.UtcNow.Ticks % 1_000_000_000}";
            var slot = await replication.CreatePgOutputReplicationSlot(
                name, temporarySlot: true, slotSnapshotInitMode: LogicalSlotSnapshotInitMode.Export, cancellationToken: cancellationToken);
            return new SlotSnapshot(replication, slotName, publication, slot.SnapshotName!, slot.ConsistentPoint, streamFrom);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or IOException)
        {
            throw new FollowException($"cannot create a snapshot to resume the copy on the source {source.Redacted}: {ex.Message}", ExitCode.SourceFailure, ex);
        }
    }

    /// <summary>
    /// Whether this database's slot is there, not invalidated, and still at the copy's start (no stream read from
    /// it); waits while a killed follow's WAL sender still holds it.
    /// </summary>
    private static async Task<bool> SlotKeptAtAsync(NpgsqlConnection connection, string slotName, NpgsqlLogSequenceNumber streamFrom, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT active, wal_status IS DISTINCT FROM 'lost' AND NOT temporary AND plugin = 'pgoutput' AND confirmed_flush_lsn = $2
              FROM pg_replication_slots WHERE slot_name = $1 AND database = current_database()
            """;
        for (var attempt = 0; ; attempt++)
        {
            await using var check = new NpgsqlCommand(sql, connection);
            check.Parameters.Add(new NpgsqlParameter { Value = slotName });
            check.Parameters.Add(new NpgsqlParameter { Value = streamFrom, NpgsqlDbType = NpgsqlDbType.PgLsn });
            await using var reader = await check.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken)) return false;
            if (!reader.GetBoolean(0) || attempt >= 20) return !reader.GetBoolean(0) && reader.GetBoolean(1);
            await reader.DisposeAsync();
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }
    }

    /// <summary>
    /// Drops our slot of an earlier, interrupted copy of this database. A slot of that name that belongs to another
    /// database, or that a client is reading, is someone else's: refuse rather than drop it.
    /// </summary>
    private static async Task DropSlotIfExistsAsync(NpgsqlConnection connection, string slotName, CancellationToken cancellationToken)
    {
        // A follow process that was just killed leaves its slot active until the server notices: give it a moment.
        for (var attempt = 0; ; attempt++)
        {
            await using var check = new NpgsqlCommand("SELECT database, active FROM pg_replication_slots WHERE slot_name = $1", connection);
            check.Parameters.Add(new NpgsqlParameter { Value = slotName });
            await using var reader = await check.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken)) return;
            var database = reader.IsDBNull(0) ? null : reader.GetString(0);
            var active = reader.GetBoolean(1);
            if (database == connection.Database && !active) break;
            if (database == connection.Database && attempt < 20)
            {
                await reader.DisposeAsync();
                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
                continue;
            }
            throw new BadInputException(
                $"the source already has a replication slot named {slotName}{(database is null ? "" : $" (database {database})")}{(active ? ", in use" : "")}; nothing was changed. Give another name with --slot-name, or drop that slot if it is no longer needed");
        }
        await using var command = new NpgsqlCommand(
            "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = slotName });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// The publication lists exactly the moved tables; publishing through the partition root sends a partition's
    /// changes as its parent's, the table Follow created on the target.
    /// </summary>
    private static async Task CreatePublicationAsync(
        NpgsqlConnection connection, string publication, IReadOnlyCollection<QualifiedName> tables, CancellationToken cancellationToken)
    {
        await using var exists = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = $1)", connection);
        exists.Parameters.Add(new NpgsqlParameter { Value = publication });
        if ((bool)(await exists.ExecuteScalarAsync(cancellationToken))!)
        {
            await using var drop = new NpgsqlCommand($"DROP PUBLICATION {Sql.Ident(publication)}", connection);
            await drop.ExecuteNonQueryAsync(cancellationToken);
        }
        var list = string.Join(", ", tables.Select(t => t.Quoted));
        var sql = tables.Count == 0
            ? $"CREATE PUBLICATION {Sql.Ident(publication)} WITH (publish_via_partition_root = true)"
            : $"CREATE PUBLICATION {Sql.Ident(publication)} FOR TABLE {list} WITH (publish_via_partition_root = true)";
        await using var create = new NpgsqlCommand(sql, connection);
        await create.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Drops the slot and the publication, e.g. when the copy is refused before it started.</summary>
    public async Task DropAsync(ConnectionInfo source, CancellationToken cancellationToken)
    {
        await _connection.DisposeAsync();
        await using var connection = new NpgsqlConnection(source.WithApplicationName("follow").ToNpgsqlConnectionString());
        await connection.OpenAsync(cancellationToken);
        await DropSlotIfExistsAsync(connection, SlotName, cancellationToken);
        await DropSlotAndPublicationAsync(connection, SlotName, Publication, cancellationToken);
    }

    /// <summary>Drops this database's slot of that name and the publication, if they exist (follow stream cleanup).</summary>
    public static async Task DropSlotAndPublicationAsync(NpgsqlConnection connection, string slotName, string publication, CancellationToken cancellationToken)
    {
        await using var slot = new NpgsqlCommand(
            "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND database = current_database()", connection);
        slot.Parameters.Add(new NpgsqlParameter { Value = slotName });
        await slot.ExecuteNonQueryAsync(cancellationToken);
        await using var drop = new NpgsqlCommand($"DROP PUBLICATION IF EXISTS {Sql.Ident(publication)}", connection);
        await drop.ExecuteNonQueryAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
