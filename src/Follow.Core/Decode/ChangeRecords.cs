using Follow.Model;
using NpgsqlTypes;

namespace Follow.Decode;

/// <summary>A change as Follow passes it between stages: its own records, values copied out of Npgsql's buffers.</summary>
public abstract record ChangeRecord;

/// <param name="CommitLsn">The LSN the transaction will commit at (pgoutput's final LSN): endpos decides on it.</param>
public sealed record TransactionBegin(uint Xid, NpgsqlLogSequenceNumber CommitLsn, DateTimeOffset CommitTime) : ChangeRecord;

public sealed record TransactionCommit(NpgsqlLogSequenceNumber CommitLsn, NpgsqlLogSequenceNumber EndLsn, DateTimeOffset CommitTime) : ChangeRecord;

public enum ChangeKind { Insert, Update, Delete }

/// <summary>A row change. <see cref="Old"/> is the replica identity (or the whole old row with REPLICA IDENTITY FULL).</summary>
public sealed record RowChange(Relation Relation, ChangeKind Kind, IReadOnlyList<ColumnValue>? Old, IReadOnlyList<ColumnValue>? New) : ChangeRecord;

public sealed record TruncateChange(IReadOnlyList<Relation> Relations, bool Cascade, bool RestartIdentity) : ChangeRecord;

/// <summary>A published table as the stream describes it: its columns in order, and which form the replica identity.</summary>
public sealed record Relation(uint Id, QualifiedName Name, IReadOnlyList<RelationColumn> Columns)
{
    public int IndexOf(string column)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (Columns[i].Name == column) return i;
        }
        return -1;
    }
}

public sealed record RelationColumn(string Name, uint TypeOid, bool IsKey);

public enum ValueKind : byte { Null, UnchangedToast, Text }

/// <summary>A column value in pgoutput's text form. An unchanged TOAST value is not NULL: it is never written.</summary>
public readonly record struct ColumnValue(ValueKind Kind, string? Text)
{
    public static readonly ColumnValue Null = new(ValueKind.Null, null);
    public static readonly ColumnValue Unchanged = new(ValueKind.UnchangedToast, null);
}
