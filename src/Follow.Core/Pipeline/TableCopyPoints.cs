using Follow.Model;
using NpgsqlTypes;

namespace Follow.Pipeline;

/// <summary>
/// The tables a resumed copy took after the stream's start, with their points, and the stream's records without
/// what rule 6 of <see cref="ApplyRules"/> leaves out. Tables are named as in follow.job.
/// </summary>
public sealed class TableCopyPoints(IReadOnlyDictionary<string, NpgsqlLogSequenceNumber> copiedAt)
{
    public static readonly TableCopyPoints None = new(new Dictionary<string, NpgsqlLogSequenceNumber>());

    public IReadOnlyDictionary<string, NpgsqlLogSequenceNumber> CopiedAt => copiedAt;

    /// <summary>
    /// The record of a transaction committing at <paramref name="commitLsn"/>, without the changes of tables whose
    /// copy already holds it (a TRUNCATE keeps its other tables); null when nothing is left.
    /// </summary>
    public ChangeRecord? Applied(ChangeRecord record, NpgsqlLogSequenceNumber commitLsn)
    {
        if (copiedAt.Count == 0) return record;
        switch (record)
        {
            case RowChange change:
                return ApplyRules.AppliesToTable(commitLsn, PointOf(change.Relation)) ? record : null;
            case TruncateChange truncate:
                var relations = truncate.Relations.Where(r => ApplyRules.AppliesToTable(commitLsn, PointOf(r))).ToList();
                return relations.Count == truncate.Relations.Count ? record : relations.Count == 0 ? null : truncate with { Relations = relations };
            default:
                return record;
        }
    }

    private NpgsqlLogSequenceNumber? PointOf(Relation relation) => copiedAt.TryGetValue(relation.Name.ToString(), out var at) ? at : null;
}
