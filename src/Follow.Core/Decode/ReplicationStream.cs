using Follow.Connections;
using Follow.Diagnostics;
using Follow.Model;
using Npgsql;
using Npgsql.Replication;
using NpgsqlTypes;

namespace Follow.Decode;

/// <summary>
/// The replication connection of the stream: pgoutput from the slot, decoded into Follow's records, and the
/// acknowledgements of what the target committed. Keepalives are answered by Npgsql itself; the WAL position they
/// carry is <see cref="LastReceivedLsn"/>.
/// </summary>
public sealed class ReplicationStream : IAsyncDisposable
{
    private readonly LogicalReplicationConnection _connection;
    private readonly PgOutputDecoder _decoder;

    private ReplicationStream(LogicalReplicationConnection connection, string slotName)
    {
        _connection = connection;
        _decoder = new PgOutputDecoder(connection, slotName, slotName);
    }

    public static async Task<ReplicationStream> OpenAsync(ConnectionInfo source, string slotName, CancellationToken cancellationToken)
    {
        var connection = new LogicalReplicationConnection(source.WithApplicationName("follow stream").ToNpgsqlConnectionString());
        try
        {
            await connection.Open(cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or IOException)
        {
            await connection.DisposeAsync();
            throw new FollowException($"cannot open a replication connection to the source {source.Redacted}: {ex.Message}", ExitCode.SourceFailure, ex);
        }
        return new ReplicationStream(connection, slotName);
    }

    /// <summary>The records from <paramref name="start"/> on, values copied out of Npgsql's buffers.</summary>
    public IAsyncEnumerable<ChangeRecord> ReadAsync(NpgsqlLogSequenceNumber start, CancellationToken cancellationToken) =>
        _decoder.ReadAsync(start, cancellationToken);

    /// <summary>Messages read so far: a stream that is idle reads none.</summary>
    public long MessagesRead => _decoder.MessagesRead;

    /// <summary>Between a Begin and its Commit, as read (not as applied).</summary>
    public bool InTransaction => _decoder.InTransaction;

    /// <summary>The source's WAL position as the stream last told it (keepalives included).</summary>
    public NpgsqlLogSequenceNumber LastReceivedLsn => _connection.LastReceivedLsn;

    public NpgsqlLogSequenceNumber LastFlushedLsn => _connection.LastFlushedLsn;

    /// <summary>
    /// Tells the source what the target has committed, so the slot lets go of the WAL before it. When the stream has
    /// just ended (the source went away), Npgsql refuses; the acknowledgement is dropped, the decoder's error follows,
    /// and a restart resumes after the target's position anyway.
    /// </summary>
    public async Task AcknowledgeAsync(NpgsqlLogSequenceNumber lsn, CancellationToken cancellationToken)
    {
        _connection.SetReplicationStatus(lsn);
        try
        {
            await _connection.SendStatusUpdate(cancellationToken);
        }
        catch (InvalidOperationException)
        {
        }
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
