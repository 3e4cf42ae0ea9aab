namespace Follow.Model;

/// <summary>The source schema, read once; everything downstream works on this model.</summary>
public sealed class Catalog
{
    private readonly Dictionary<QualifiedName, Table> _byName;

    public Catalog(int serverVersionNum, IReadOnlyList<Table> tables, IReadOnlyList<Sequence> sequences)
    {
        ServerVersionNum = serverVersionNum;
        Tables = tables;
        Sequences = sequences;
        _byName = tables.ToDictionary(t => t.Name);
    }

    /// <summary><c>server_version_num</c>, e.g. 150018.</summary>
    public int ServerVersionNum { get; }

    /// <summary>Every user table, partitions included, ordered by name.</summary>
    public IReadOnlyList<Table> Tables { get; }

    public IReadOnlyList<Sequence> Sequences { get; }

    public Table? Find(QualifiedName name) => _byName.GetValueOrDefault(name);

    public Table Get(QualifiedName name) =>
        _byName.TryGetValue(name, out var table) ? table : throw new KeyNotFoundException($"no table {name} in the catalog");

    public IEnumerable<Table> PartitionsOf(QualifiedName parent) => Tables.Where(t => t.PartitionOf == parent);
}
