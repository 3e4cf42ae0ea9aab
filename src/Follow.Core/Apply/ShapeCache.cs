using Follow.Enrich;
using Follow.Model;

namespace Follow.Apply;

/// <summary>
/// The shapes of writes, made once per relation and form: an insert's columns; an update's set columns (which ones
/// are unchanged TOAST values), whether it is found by its distribution key, and which key parts are NULL.
/// </summary>
public sealed class ShapeCache
{
    // Relations by reference: the decoder keeps one object per relation until it changes; hashing it as a record
    // would hash every column.
    private readonly Dictionary<(Relation, bool), Shape> _inserts = new(new InsertComparer());
    private readonly Dictionary<(Relation, ChangeKind, ulong, bool, ulong), Shape> _shapes = new(new ShapeComparer());

    /// <summary>Whether an update sets column <paramref name="i"/>: not an unchanged TOAST value, never the distribution column.</summary>
    public static bool IsSet(KeyedChange change, int i) =>
        change.Change.New![i].Kind != ValueKind.UnchangedToast && change.Relation.Columns[i].Name != change.Table.DistributionColumn;

    public Shape Insert(KeyedChange change, bool added)
    {
        if (_inserts.TryGetValue((change.Relation, added), out var shape)) return shape;
        IEnumerable<string> columns = change.Relation.Columns.Select(c => c.Name);
        if (added) columns = columns.Prepend(change.Table.DistributionColumn!);
        return _inserts[(change.Relation, added)] = new Shape(change.Table, ChangeKind.Insert, [.. columns], 0, [], true);
    }

    public Shape Update(KeyedChange change, IReadOnlyList<ColumnValue> keyValues)
    {
        var relation = change.Relation;
        ulong unchanged = 0;
        for (var i = 0; i < relation.Columns.Count && i < 64; i++)
        {
            if (!IsSet(change, i)) unchanged |= 1UL << i;
        }
        // REPLICA IDENTITY FULL: the key is every column the change carries, so it has no one shape.
        var cached = relation.Columns.Count <= 64 && change.Identified;
        return Find(change, ChangeKind.Update, unchanged, keyValues, cached, () =>
            [.. Enumerable.Range(0, relation.Columns.Count).Where(i => IsSet(change, i)).Select(i => relation.Columns[i].Name)]);
    }

    public Shape Delete(KeyedChange change, IReadOnlyList<ColumnValue> keyValues) =>
        Find(change, ChangeKind.Delete, 0, keyValues, change.Key.Count <= 64 && change.Identified, () => []);

    private Shape Find(KeyedChange change, ChangeKind kind, ulong unchanged, IReadOnlyList<ColumnValue> keyValues, bool cached, Func<List<string>> sets)
    {
        ulong nulls = 0;
        for (var k = 0; k < keyValues.Count && k < 64; k++)
        {
            if (keyValues[k].Kind == ValueKind.Null) nulls |= 1UL << k;
        }
        var key = (change.Relation, kind, unchanged, change.Current is not null, nulls);
        if (cached && _shapes.TryGetValue(key, out var shape)) return shape;
        var set = sets();
        var where = new List<string>(keyValues.Count + 1);
        var isNull = new List<string>();
        if (change.Current is not null) where.Add(change.Table.DistributionColumn!);
        for (var k = 0; k < change.Key.Count; k++)
        {
            var column = change.Relation.Columns[change.Key[k]].Name;
            (keyValues[k].Kind == ValueKind.Null ? isNull : where).Add(column);
        }
        shape = new Shape(change.Table, kind, [.. set, .. where], set.Count, isNull, cached && nulls == 0);
        if (cached) _shapes[key] = shape;
        return shape;
    }

    private sealed class InsertComparer : IEqualityComparer<(Relation, bool)>
    {
        public bool Equals((Relation, bool) x, (Relation, bool) y) => ReferenceEquals(x.Item1, y.Item1) && x.Item2 == y.Item2;

        public int GetHashCode((Relation, bool) key) => HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(key.Item1), key.Item2);
    }

    private sealed class ShapeComparer : IEqualityComparer<(Relation, ChangeKind, ulong, bool, ulong)>
    {
        public bool Equals((Relation, ChangeKind, ulong, bool, ulong) x, (Relation, ChangeKind, ulong, bool, ulong) y) =>
            ReferenceEquals(x.Item1, y.Item1) && (x.Item2, x.Item3, x.Item4, x.Item5) == (y.Item2, y.Item3, y.Item4, y.Item5);

        public int GetHashCode((Relation, ChangeKind, ulong, bool, ulong) key) =>
            HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(key.Item1), key.Item2, key.Item3, key.Item4, key.Item5);
    }
}
