using Follow.Model;

namespace Follow.Apply;

/// <summary>What the target committed: the last source commit, with the source transactions and changes of all committed since the last report.</summary>
public sealed record AppliedWork(TransactionCommit Commit, int Transactions, int Changes)
{
    public AppliedWork Plus(AppliedWork later) => new(later.Commit, Transactions + later.Transactions, Changes + later.Changes);
}
