using Follow.Model;
using Follow.Planning;

namespace Follow.Apply;

/// <summary>
/// A foreign key from a child table to its parent's row identity, checked immediately. A child row written with a
/// reference follows the last held write that gave the named parent row its identity (an insert, or an update to a
/// new identity); a parent update that keeps the identity leaves every reference valid. A parent row deleted or given
/// a new identity follows every held write to the child table (a child's old reference is not in the stream). Any
/// other write passes freely, so a backlog of small transactions across related tables still forms large groups.
/// </summary>
/// <param name="ChildColumns">The child's referencing columns, in the order of the parent identity's columns in the parent's relation.</param>
public sealed record IdentityLink(TablePlan Child, TablePlan Parent, IReadOnlyList<string> ChildColumns)
{
    /// <summary>The link for this key, or null when it must order by table (a self-reference, a deferrable key, a key to other columns).</summary>
    public static IdentityLink? Of(TablePlan child, TablePlan parent, ForeignKey key)
    {
        if (key.IsSelfReference || key.Deferrable) return null;
        var source = parent.Source;
        var identity = source.ReplicaIdentity switch
        {
            ReplicaIdentity.Default => source.PrimaryKey?.Columns,
            ReplicaIdentity.Index => source.Indexes.FirstOrDefault(i => i.Name == source.ReplicaIdentityIndex)?.Columns.OfType<string>().ToList(),
            _ => null,
        };
        if (identity is null || identity.Count != key.ReferencedColumns.Count || !identity.All(key.ReferencedColumns.Contains)) return null;
        var ordered = key.ReferencedColumns.Select((column, i) => (Referencing: key.Columns[i], At: source.Columns.ToList().FindIndex(c => c.Name == column)))
            .OrderBy(p => p.At)
            .Select(p => p.Referencing)
            .ToList();
        return new IdentityLink(child, parent, ordered);
    }

    /// <summary>
    /// The parent identity a child row's new values name, as <see cref="Enrich.Lookup.KeyOf"/> spells it; "" when a
    /// column is NULL (the key does not apply); null when a value is not in the change (an unchanged TOAST value).
    /// </summary>
    public string? Names(Relation relation, IReadOnlyList<ColumnValue> values)
    {
        var parts = new ColumnValue[ChildColumns.Count];
        for (var i = 0; i < parts.Length; i++)
        {
            var at = relation.IndexOf(ChildColumns[i]);
            if (at < 0 || values[at].Kind == ValueKind.UnchangedToast) return null;
            if (values[at].Kind == ValueKind.Null) return "";
            parts[i] = values[at];
        }
        return Enrich.Lookup.KeyOf(parts);
    }
}
