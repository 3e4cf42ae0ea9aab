using System.Runtime.CompilerServices;
using Follow.Model;
using Npgsql.Replication;
using Npgsql.Replication.PgOutput;
using Npgsql.Replication.PgOutput.Messages;
using NpgsqlTypes;

namespace Follow.Decode;

/// <summary>
/// Reads pgoutput messages into Follow's change records. Npgsql reuses its message objects and a tuple can be
/// read once, so every value is copied out before the next message. A relation whose columns change while
/// streaming (DDL on the source) stops the stream with what changed. Keepalives are answered by Npgsql itself
/// and are not records: the WAL position they carry is <c>LastReceivedLsn</c> on the connection.
/// </summary>
public sealed class PgOutputDecoder(LogicalReplicationConnection connection, string slotName, string publication)
{
    private readonly Dictionary<uint, Relation> _relations = [];
    private long _messages;
    private int _inTransaction;

    /// <summary>Messages read so far: a stream that is idle reads none.</summary>
    public long MessagesRead => Interlocked.Read(ref _messages);

    /// <summary>Between a Begin and its Commit, as read (not as applied).</summary>
    public bool InTransaction => Volatile.Read(ref _inTransaction) == 1;

    public async IAsyncEnumerable<ChangeRecord> ReadAsync(NpgsqlLogSequenceNumber start, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var slot = new PgOutputReplicationSlot(slotName);
        var options = new PgOutputReplicationOptions(publication, PgOutputProtocolVersion.V1);
        await foreach (var message in connection.StartReplication(slot, options, cancellationToken, start))
        {
            Interlocked.Increment(ref _messages);
            if (message is BeginMessage) Volatile.Write(ref _inTransaction, 1);
            switch (message)
            {
                case BeginMessage begin:
                    yield return new TransactionBegin(begin.TransactionXid, begin.TransactionFinalLsn, begin.TransactionCommitTimestamp);
                    break;
                case CommitMessage commit:
                    yield return new TransactionCommit(commit.CommitLsn, commit.TransactionEndLsn, commit.TransactionCommitTimestamp);
                    Volatile.Write(ref _inTransaction, 0);
                    break;
                case RelationMessage relation:
                    Remember(relation);
                    break;
                case InsertMessage insert:
                    yield return new RowChange(_relations[insert.Relation.RelationId], ChangeKind.Insert, null, await CopyAsync(insert.NewRow, cancellationToken));
                    break;
                case FullUpdateMessage full:
                    yield return new RowChange(_relations[full.Relation.RelationId], ChangeKind.Update,
                        await CopyAsync(full.OldRow, cancellationToken), await CopyAsync(full.NewRow, cancellationToken));
                    break;
                case IndexUpdateMessage keyChanged:
                    yield return new RowChange(_relations[keyChanged.Relation.RelationId], ChangeKind.Update,
                        await CopyAsync(keyChanged.Key, cancellationToken), await CopyAsync(keyChanged.NewRow, cancellationToken));
                    break;
                case UpdateMessage update:
                    yield return new RowChange(_relations[update.Relation.RelationId], ChangeKind.Update, null, await CopyAsync(update.NewRow, cancellationToken));
                    break;
                case FullDeleteMessage fullDelete:
                    yield return new RowChange(_relations[fullDelete.Relation.RelationId], ChangeKind.Delete, await CopyAsync(fullDelete.OldRow, cancellationToken), null);
                    break;
                case KeyDeleteMessage keyDelete:
                    yield return new RowChange(_relations[keyDelete.Relation.RelationId], ChangeKind.Delete, await CopyAsync(keyDelete.Key, cancellationToken), null);
                    break;
                case TruncateMessage truncate:
                    yield return new TruncateChange(
                        [.. truncate.Relations.Select(r => _relations[r.RelationId])],
                        truncate.Options.HasFlag(TruncateMessage.TruncateOptions.Cascade),
                        truncate.Options.HasFlag(TruncateMessage.TruncateOptions.RestartIdentity));
                    break;
            }
        }
    }

    private void Remember(RelationMessage message)
    {
        var relation = new Relation(
            message.RelationId,
            new QualifiedName(message.Namespace, message.RelationName),
            [.. message.Columns.Select(c => new RelationColumn(c.ColumnName, c.DataTypeId, c.Flags.HasFlag(RelationMessage.Column.ColumnFlags.PartOfKey)))]);
        if (_relations.TryGetValue(message.RelationId, out var known) && !known.Columns.SequenceEqual(relation.Columns))
        {
            throw new RelationChangedException(known, relation);
        }
        _relations[message.RelationId] = relation;
    }

    private static async Task<IReadOnlyList<ColumnValue>> CopyAsync(ReplicationTuple tuple, CancellationToken cancellationToken)
    {
        var values = new List<ColumnValue>(tuple.NumColumns);
        await foreach (var value in tuple.WithCancellation(cancellationToken))
        {
            values.Add(value.IsDBNull ? ColumnValue.Null
                : value.IsUnchangedToastedValue ? ColumnValue.Unchanged
                : new ColumnValue(ValueKind.Text, await value.Get<string>(cancellationToken)));
        }
        return values;
    }
}
