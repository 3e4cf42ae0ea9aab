using Follow.Connections;
using Follow.Diagnostics;
using Npgsql;
using Npgsql.Replication;
using Npgsql.Replication.PgOutput;
using NpgsqlTypes;

namespace Follow.Decode;

/// <summary>
/// A temporary logical slot created with an exported snapshot, only for its snapshot and consistent point: the
/// snapshot sees exactly the transactions whose commit LSN is before that point. Nothing streams from it; the slot
/// and the snapshot go with the replication connection, which stays open and idle meanwhile.
/// </summary>
public sealed class TemporarySnapshot : IAsyncDisposable
{
    private readonly LogicalReplicationConnection _connection;

    private TemporarySnapshot(LogicalReplicationConnection connection, string name, NpgsqlLogSequenceNumber consistentPoint)
    {
        _connection = connection;
        Name = name;
        ConsistentPoint = consistentPoint;
    }

    /// <summary>The exported snapshot's name, for SET TRANSACTION SNAPSHOT.</summary>
    public string Name { get; }

    public NpgsqlLogSequenceNumber ConsistentPoint { get; }

    public static async Task<TemporarySnapshot> CreateAsync(ConnectionInfo source, CancellationToken cancellationToken)
    {
        var slotName = $"follow_pause_{Environment.ProcessId}_{Guid.NewGuid():N}"[..40];
        var connection = new LogicalReplicationConnection(source.WithApplicationName("follow pause").ToNpgsqlConnectionString());
        try
        {
            await connection.Open(cancellationToken);
            var slot = await connection.CreatePgOutputReplicationSlot(
                slotName, temporarySlot: true, slotSnapshotInitMode: LogicalSlotSnapshotInitMode.Export, cancellationToken: cancellationToken);
            return new TemporarySnapshot(connection, slot.SnapshotName!, slot.ConsistentPoint);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or IOException)
        {
            await connection.DisposeAsync();
            throw new FollowException(
                $"cannot create a temporary replication slot on the source {source.Redacted}: {ex.Message} (it needs one free slot of max_replication_slots)",
                ExitCode.SourceFailure, ex);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
