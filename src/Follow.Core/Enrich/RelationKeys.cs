using Follow.Diagnostics;
using Follow.Model;
using Follow.Planning;

namespace Follow.Enrich;

/// <summary>Each relation the stream describes, with its table's plan and the columns that identify its rows.</summary>
public sealed class RelationKeys(DistributionPlan plan)
{
    // By relation object: the decoder keeps one per relation until its columns change.
    private readonly Dictionary<Relation, (TablePlan Table, IReadOnlyList<int>? Key)> _relations = new(ReferenceEqualityComparer.Instance);

    public TablePlan Table(Relation relation) => Describe(relation).Table;

    /// <summary>The replica identity the stream marks, else the primary key; null for REPLICA IDENTITY FULL.</summary>
    public (TablePlan Table, IReadOnlyList<int>? Key) Describe(Relation relation)
    {
        if (_relations.TryGetValue(relation, out var known)) return known;
        var table = plan.Find(relation.Name) ?? throw new FollowException(
            $"the stream sent a change of {relation.Name}, which is not in the plan; the publication and the plan disagree: run follow stream cleanup and clone again",
            ExitCode.Internal);
        var marked = relation.Columns.Select((c, i) => (c, i)).Where(x => x.c.IsKey).Select(x => x.i).ToList();
        IReadOnlyList<int>? key = marked.Count > 0 ? marked
            : table.Source.PrimaryKey is { } pk ? [.. pk.Columns.Select(relation.IndexOf)]
            : null;
        return _relations[relation] = (table, key);
    }

    /// <summary>The columns that identify a change's row: its identity, else (FULL) every column the change carries.</summary>
    public (TablePlan Table, IReadOnlyList<int> Key, bool Identified) KeyOf(RowChange change)
    {
        var (table, key) = Describe(change.Relation);
        if (key is not null) return (table, key, true);
        var values = (change.Old ?? change.New)!;
        return (table, [.. Enumerable.Range(0, change.Relation.Columns.Count).Where(i => values[i].Kind != ValueKind.UnchangedToast)], false);
    }
}
