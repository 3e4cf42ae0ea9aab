using NpgsqlTypes;

namespace Follow.Model;

/// <param name="CommitLsn">The LSN the transaction will commit at (pgoutput's final LSN): endpos decides on it.</param>
public sealed record TransactionBegin(uint Xid, NpgsqlLogSequenceNumber CommitLsn, DateTimeOffset CommitTime) : ChangeRecord;
