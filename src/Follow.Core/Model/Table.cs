namespace Follow.Model;

public enum TableKind { Regular, Partitioned }

public enum ReplicaIdentity { Default, Nothing, Full, Index }

/// <summary>A table of the source, as read once from pg_catalog.</summary>
/// <param name="PartitionOf">The parent when this table is a partition.</param>
/// <param name="PartitionBound">The partition bound (<c>pg_get_expr(relpartbound)</c>) of a partition.</param>
/// <param name="PartitionKey">The partition key (<c>pg_get_partkeydef</c>) of a partitioned table.</param>
/// <param name="RowEstimate">pg_class.reltuples; -1 when never analyzed.</param>
/// <param name="StorageParameters">pg_class.reloptions as <c>name=value</c>, the TOAST table's as <c>toast.name=value</c>.</param>
public sealed record Table(
    QualifiedName Name,
    TableKind Kind,
    IReadOnlyList<Column> Columns,
    KeyConstraint? PrimaryKey,
    IReadOnlyList<KeyConstraint> UniqueConstraints,
    IReadOnlyList<ForeignKey> ForeignKeys,
    IReadOnlyList<Index> Indexes,
    IReadOnlyList<CheckConstraint> Checks,
    ReplicaIdentity ReplicaIdentity,
    string? ReplicaIdentityIndex,
    QualifiedName? PartitionOf,
    string? PartitionBound,
    string? PartitionKey,
    bool IsUnlogged,
    double RowEstimate,
    long SizeBytes,
    IReadOnlyList<string>? StorageParameters = null)
{
    public Column? Column(string name) => Columns.FirstOrDefault(c => c.Name == name);

    public bool IsPartition => PartitionOf is not null;

    /// <summary>The columns of the replica identity (the primary key's by default), by key position; null for FULL, NOTHING or an expression index.</summary>
    public IReadOnlyList<string>? IdentityColumns => ReplicaIdentity switch
    {
        ReplicaIdentity.Default => PrimaryKey?.Columns,
        ReplicaIdentity.Index => Indexes.FirstOrDefault(i => i.Name == ReplicaIdentityIndex) is { HasExpressions: false } index
            ? [.. index.Columns.Select(c => c!)]
            : null,
        _ => null,
    };

    /// <summary>A column GENERATED ALWAYS AS IDENTITY: an insert of the source's values must say OVERRIDING SYSTEM VALUE.</summary>
    public bool HasAlwaysIdentity => Columns.Any(c => c.Identity == 'a');

    /// <summary>
    /// Whether logical replication can publish this table's UPDATE and DELETE: without a usable replica identity
    /// PostgreSQL refuses them on the source once the table is in a publication.
    /// </summary>
    public bool CanPublishUpdates => ReplicaIdentity switch
    {
        ReplicaIdentity.Full or ReplicaIdentity.Index => true,
        ReplicaIdentity.Default => PrimaryKey is not null,
        _ => false,
    };

    public override string ToString() => Name.ToString();
}
