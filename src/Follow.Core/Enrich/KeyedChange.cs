using Follow.Model;
using Follow.Planning;

namespace Follow.Enrich;

/// <summary>A row change with its table's plan, its row identity and the distribution keys it needs.</summary>
/// <param name="Key">The columns that identify the row: the replica identity, else the primary key, else every column sent (FULL).</param>
/// <param name="Identified">False for REPLICA IDENTITY FULL, whose key is every column the change carries.</param>
/// <param name="Current">The distribution key the target row holds now (updates and deletes of distributed tables).</param>
/// <param name="Next">The distribution key of the new row (inserts and updates of distributed tables); a backfilled table's added column.</param>
public sealed record KeyedChange(
    RowChange Change,
    TransactionBegin Transaction,
    TablePlan Table,
    IReadOnlyList<int> Key,
    bool Identified,
    string? Current,
    string? Next)
{
    public Relation Relation => Change.Relation;

    public ChangeKind Kind => Change.Kind;

    /// <summary>An update that moves the row to another distribution key: Citus cannot update that column, so it is a delete and an insert.</summary>
    public bool Moves => Change.Kind == ChangeKind.Update && Current is not null && Next != Current;

    /// <summary>The identity values that find the row as it was (the old key when the stream sent one).</summary>
    public IReadOnlyList<ColumnValue> OldKeyValues => [.. Key.Select(k => (Change.Old ?? Change.New)![k])];

    /// <summary>The identity values of the row as it is after the change.</summary>
    public IReadOnlyList<ColumnValue> NewKeyValues => [.. Key.Select(k => Change.New![k])];
}
