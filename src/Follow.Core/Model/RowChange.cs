namespace Follow.Model;

/// <summary>A row change. <see cref="Old"/> is the replica identity (or the whole old row with REPLICA IDENTITY FULL).</summary>
public sealed record RowChange(Relation Relation, ChangeKind Kind, IReadOnlyList<ColumnValue>? Old, IReadOnlyList<ColumnValue>? New) : ChangeRecord
{
    public override long EstimatedBytes => 96 + ColumnValue.EstimatedBytes(Old) + ColumnValue.EstimatedBytes(New);
}
