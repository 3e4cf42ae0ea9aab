using Follow.Enrich;
using Follow.Model;
using Follow.Planning;
using NpgsqlTypes;

namespace Follow.Tests.Apply;

/// <summary>Keyed changes built by hand for the small catalog's tables, as the enrich stage hands them on.</summary>
internal sealed class Changes(DistributionPlan plan)
{
    private readonly Dictionary<string, Relation> _relations = [];
    private uint _lsn = 0x1000;

    public TransactionBegin Transaction { get; private set; } = new(1, new NpgsqlLogSequenceNumber(0x1000), DateTimeOffset.UnixEpoch);

    public TransactionBegin NextTransaction()
    {
        _lsn += 0x100;
        return Transaction = new TransactionBegin(Transaction.Xid + 1, new NpgsqlLogSequenceNumber(_lsn), DateTimeOffset.UnixEpoch);
    }

    public TablePlan Table(string name) => plan.Get(new QualifiedName("public", name));

    /// <summary>The stream's relation for a table: its source columns, the primary key marked.</summary>
    public Relation Relation(string name)
    {
        if (_relations.TryGetValue(name, out var known)) return known;
        var table = Table(name).Source;
        return _relations[name] = new Relation((uint)_relations.Count + 1, table.Name,
            [.. table.Columns.Select(c => new RelationColumn(c.Name, 25, table.PrimaryKey?.Columns.Contains(c.Name) == true))]);
    }

    public static ColumnValue[] Values(params string?[] values) =>
        [.. values.Select(v => v is null ? ColumnValue.Null : v == Toast ? ColumnValue.Unchanged : new ColumnValue(ValueKind.Text, v))];

    /// <summary>Stands for an unchanged TOAST value in <see cref="Values"/>.</summary>
    public const string Toast = "\u0002toast";

    public KeyedChange Insert(string table, string?[] values, string? next = null) =>
        Keyed(new RowChange(Relation(table), ChangeKind.Insert, null, Values(values)), null, next);

    public KeyedChange Update(string table, string?[] values, string? current = null, string? next = null, string?[]? oldKey = null) =>
        Keyed(new RowChange(Relation(table), ChangeKind.Update, oldKey is null ? null : KeyRow(table, oldKey), Values(values)), current, next ?? current);

    public KeyedChange Delete(string table, string?[] key, string? current = null) =>
        Keyed(new RowChange(Relation(table), ChangeKind.Delete, KeyRow(table, key), null), current, null);

    /// <summary>A change of a REPLICA IDENTITY FULL table: its key is every column it carries.</summary>
    public KeyedChange Full(KeyedChange change) => change with
    {
        Key = [.. Enumerable.Range(0, change.Relation.Columns.Count)],
        Identified = false,
    };

    private ColumnValue[] KeyRow(string table, string?[] key)
    {
        var relation = Relation(table);
        var row = new ColumnValue[relation.Columns.Count];
        var k = 0;
        for (var i = 0; i < row.Length; i++) row[i] = relation.Columns[i].IsKey ? Values(key[k++])[0] : ColumnValue.Null;
        return row;
    }

    private KeyedChange Keyed(RowChange change, string? current, string? next)
    {
        var key = change.Relation.Columns.Select((c, i) => (c, i)).Where(x => x.c.IsKey).Select(x => x.i).ToList();
        return new KeyedChange(change, Transaction, Table(change.Relation.Name.Name), key, true, current, next);
    }
}
