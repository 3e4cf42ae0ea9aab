using NpgsqlTypes;

namespace Follow.Model;

/// <param name="EndLsn">The end of the commit record: what the source is told once the target committed it.</param>
public sealed record TransactionCommit(NpgsqlLogSequenceNumber CommitLsn, NpgsqlLogSequenceNumber EndLsn, DateTimeOffset CommitTime) : ChangeRecord;
