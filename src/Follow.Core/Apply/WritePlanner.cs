using Follow.Enrich;
using Follow.Model;
using Follow.Planning;

namespace Follow.Apply;

/// <summary>
/// Turns keyed changes into groups of writes, one statement shape each, without I/O. A write joins the last group of
/// its shape only when it may pass every write held after that group (<see cref="WriteOrder"/>, <see cref="IdentityLink"/>); within a group rows
/// keep their order. What is held goes out, group by group, before anything else is written (a look-up, a move, a
/// TRUNCATE, the commit), all in one target transaction, so no source transaction's outcome changes.
/// </summary>
public sealed class WritePlanner(DistributionPlan plan, bool foreignKeysChecked, int heldRows = WritePlanner.HeldRows)
{
    // What is held is bounded, so a transaction of a million inserted rows is written in pieces.
    public const int HeldRows = 2_000;
    public const int HeldValues = 100_000;

    // On Citus a statement over every shard costs some 50 ms whatever its rows (measured): groups are let grow larger.
    public const int CitusHeldRows = 10_000;

    private readonly WriteOrder _order = new(plan, foreignKeysChecked);
    private readonly List<WriteGroup> _groups = [];
    private int _heldRows;
    private int _heldValues;

    // The last group that holds a write to a row (by table and identity), to a table, and of a shape.
    private readonly Dictionary<(TablePlan Table, string Identity), int> _lastOfRow = new(new RowComparer());
    // The last group that gave a row its identity (an insert, or an update to a new one): a child row naming it follows.
    private readonly Dictionary<(TablePlan Table, string Identity), int> _lastCreated = new(new RowComparer());
    // Where the last update of a row (by table and identity) is held, to take a later update of the same shape.
    private readonly Dictionary<(TablePlan Table, string Identity), (int Group, int Row)> _updatedAt = new(new RowComparer());
    private readonly Dictionary<TablePlan, int> _lastOfTable = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Shape, int> _lastOfShape = [];

    private readonly ShapeCache _shapes = new();

    /// <summary>Enough is held to be written.</summary>
    public bool Full => _heldRows >= heldRows || _heldValues >= HeldValues;

    public bool IsEmpty => _groups.Count == 0;

    /// <summary>A change that does not move its row: one write.</summary>
    public void Plan(KeyedChange change)
    {
        switch (change.Kind)
        {
            case ChangeKind.Insert: Insert(change); break;
            case ChangeKind.Update: Update(change); break;
            default: Delete(change); break;
        }
    }

    /// <summary>
    /// The new row; a backfilled table's added column takes the change's key. <paramref name="kept"/>: values of
    /// unchanged TOAST columns read from the target (a row that moves), else they are not written.
    /// </summary>
    public void Insert(KeyedChange change, IReadOnlyDictionary<int, string?>? kept = null)
    {
        var added = change.Table.AddsDistributionColumn ? change.Next : null;
        var shape = _shapes.Insert(change, added is not null);
        var values = change.Change.New!;
        var row = new string?[shape.Columns.Count];
        var at = 0;
        if (added is not null) row[at++] = added;
        for (var i = 0; i < values.Count; i++)
        {
            row[at++] = values[i].Kind == ValueKind.UnchangedToast ? kept?.GetValueOrDefault(i) : values[i].Text;
        }
        Hold(shape, row, change.Identified ? Lookup.KeyOf(change.NewKeyValues) : null, null, change, ChangeKind.Insert);
    }

    /// <summary>
    /// The changed columns of the row found by its identity (and its distribution key): an unchanged TOAST value is
    /// not written, and the distribution column is never in SET (Citus refuses it even unchanged).
    /// </summary>
    public void Update(KeyedChange change)
    {
        var values = change.Change.New!;
        var relation = change.Relation;
        var row = new List<string?>(values.Count + change.Key.Count + 1);
        for (var i = 0; i < relation.Columns.Count; i++)
        {
            if (!ShapeCache.IsSet(change, i)) continue;
            row.Add(values[i].Text);
        }
        if (row.Count == 0) return;
        var oldKey = change.OldKeyValues;
        WhereValues(change, oldKey, row);
        var shape = _shapes.Update(change, oldKey);
        string? identity = null, newIdentity = null;
        if (change.Identified)
        {
            identity = Lookup.KeyOf(oldKey);
            newIdentity = Lookup.KeyOf(change.NewKeyValues);
        }
        Hold(shape, [.. row], identity, newIdentity == identity ? null : newIdentity, change, ChangeKind.Update);
    }

    /// <summary>The row found by its identity (and its distribution key).</summary>
    public void Delete(KeyedChange change)
    {
        var oldKey = change.OldKeyValues;
        var row = new List<string?>(change.Key.Count + 1);
        WhereValues(change, oldKey, row);
        Hold(_shapes.Delete(change, oldKey), [.. row], change.Identified ? Lookup.KeyOf(oldKey) : null, null, change, ChangeKind.Delete);
    }

    /// <summary>The groups held, in the order they are to be written; nothing is held afterwards.</summary>
    public IReadOnlyList<WriteGroup> Take()
    {
        if (_groups.Count == 0) return [];
        var groups = _groups.ToArray();
        _groups.Clear();
        _lastOfRow.Clear();
        _lastCreated.Clear();
        _updatedAt.Clear();
        _lastOfTable.Clear();
        _lastOfShape.Clear();
        _heldRows = 0;
        _heldValues = 0;
        return groups;
    }

    /// <summary>The WHERE clause's values: the distribution key first (Citus routes by it), then the identity's non-NULL parts.</summary>
    private static void WhereValues(KeyedChange change, IReadOnlyList<ColumnValue> keyValues, List<string?> values)
    {
        if (change.Current is not null) values.Add(change.Current);
        foreach (var value in keyValues)
        {
            if (value.Kind != ValueKind.Null) values.Add(value.Text);
        }
    }

    /// <summary>
    /// Holds a write: in the last group of its shape when no held write after that group is one it must not pass,
    /// else in a new group at the end.
    /// </summary>
    private void Hold(Shape shape, string?[] row, string? identity, string? newIdentity, KeyedChange change, ChangeKind kind)
    {
        var transaction = change.Transaction;
        var table = shape.Table;
        // own: the last held write to this row; others: every other held write this one may not pass.
        int own = -1, others = -1;
        var byRow = identity is not null && _order.Reorderable(table);
        if (!byRow)
        {
            others = _lastOfTable.GetValueOrDefault(table, -1);
        }
        else
        {
            own = _lastOfRow.GetValueOrDefault((table, identity!), -1);
            if (newIdentity is not null) others = _lastOfRow.GetValueOrDefault((table, newIdentity), -1);
        }
        foreach (var related in _order.Related(table)) others = Math.Max(others, _lastOfTable.GetValueOrDefault(related, -1));
        if (kind != ChangeKind.Delete)
        {
            foreach (var link in _order.Parents(table))
            {
                others = Math.Max(others, link.Names(change.Relation, change.Change.New!) is { } named
                    ? _lastCreated.GetValueOrDefault((link.Parent, named), -1)
                    : _lastOfTable.GetValueOrDefault(link.Parent, -1));
            }
        }
        if (kind == ChangeKind.Delete || newIdentity is not null || (kind == ChangeKind.Update && identity is null))
        {
            foreach (var link in _order.Children(table)) others = Math.Max(others, _lastOfTable.GetValueOrDefault(link.Child, -1));
        }

        // A row updated again in the same shape takes the new values where its last update is held, when nothing
        // held since must come first: one statement cannot update a row twice, and a hot row would split every group.
        if (byRow && kind == ChangeKind.Update && newIdentity is null && own >= 0 && others < own
            && _updatedAt.TryGetValue((table, identity!), out var held) && held.Group == own && ReferenceEquals(_groups[own].Shape, shape))
        {
            _groups[own].Rows[held.Row] = row;
            _groups[own].Last = transaction;
            return;
        }
        var after = Math.Max(own, others);

        int at;
        if (_lastOfShape.TryGetValue(shape, out var last) && last > after && _groups[last].Rows.Count < heldRows)
        {
            at = last;
        }
        else
        {
            at = _groups.Count;
            _groups.Add(new WriteGroup(shape, transaction));
            _lastOfShape[shape] = at;
        }
        var group = _groups[at];
        group.Rows.Add(row);
        group.Last = transaction;
        if (byRow && kind == ChangeKind.Update && newIdentity is null) _updatedAt[(table, identity!)] = (at, group.Rows.Count - 1);
        if (kind == ChangeKind.Insert && identity is not null) _lastCreated[(table, identity)] = at;
        if (newIdentity is not null) _lastCreated[(table, newIdentity)] = at;
        if (identity is not null) _lastOfRow[(table, identity)] = at;
        if (newIdentity is not null) _lastOfRow[(table, newIdentity)] = at;
        if (_lastOfTable.GetValueOrDefault(table, -1) < at) _lastOfTable[table] = at;
        _heldRows++;
        _heldValues += row.Length;
    }

    private sealed class RowComparer : IEqualityComparer<(TablePlan Table, string Identity)>
    {
        public bool Equals((TablePlan Table, string Identity) x, (TablePlan Table, string Identity) y) =>
            ReferenceEquals(x.Table, y.Table) && x.Identity == y.Identity;

        public int GetHashCode((TablePlan Table, string Identity) key) =>
            HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(key.Table), key.Identity);
    }
}
