using Follow.Discovery;
using Follow.IntegrationTests.Infrastructure;
using Follow.Model;
using Npgsql;

namespace Follow.IntegrationTests.Discovery;

public sealed class CatalogReaderTests
{
    private static async Task<Catalog> ReadShapesAsync(string hint)
    {
        var servers = await PostgresServers.GetAsync();
        await using var database = await servers.Source.CreateDatabaseAsync(hint);
        await database.ExecuteFileAsync(Path.Combine(AppContext.BaseDirectory, "Discovery", "catalog-shapes.sql"));
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        return await CatalogReader.ReadAsync(connection, CancellationToken.None);
    }

    [Fact]
    public async Task Quoted_mixed_case_unicode_and_reserved_names_are_kept_exactly()
    {
        var catalog = await ReadShapesAsync("catalog_names");

        var names = catalog.Tables.Select(t => t.Name).ToList();
        Assert.Contains(new QualifiedName("sales", "Customers"), names);
        Assert.Contains(new QualifiedName("sales", "Ünïcode Lines"), names);
        Assert.Contains(new QualifiedName("Ops Team", "user"), names);
        Assert.Equal("\"Ops Team\".\"user\"", new QualifiedName("Ops Team", "user").ToString());
        var customers = catalog.Get(new QualifiedName("sales", "Customers"));
        Assert.Equal(["Id", "Name", "email", "name_upper", "select"], customers.Columns.Select(c => c.Name));
    }

    [Fact]
    public async Task Identity_generated_default_and_collation_are_read()
    {
        var catalog = await ReadShapesAsync("catalog_columns");

        var customers = catalog.Get(new QualifiedName("sales", "Customers"));
        Assert.Equal('a', customers.Column("Id")!.Identity);
        Assert.Equal("bigint", customers.Column("Id")!.Type);
        Assert.Equal("upper(\"Name\")", customers.Column("name_upper")!.GenerationExpression);
        Assert.Null(customers.Column("name_upper")!.Default);
        Assert.Equal("42", customers.Column("select")!.Default);
        Assert.Equal("pg_catalog.\"C\"", customers.Column("Name")!.Collation);
        Assert.True(customers.Column("Name")!.NotNull);
        Assert.Equal('d', catalog.Get(new QualifiedName("Ops Team", "user")).Column("order")!.Identity);
        var orders = catalog.Get(new QualifiedName("sales", "orders"));
        Assert.Equal("sales.status", orders.Column("status")!.Type);
        Assert.Equal("numeric(12,2)", orders.Column("total")!.Type);
    }

    [Fact]
    public async Task Composite_deferrable_and_self_referencing_keys_are_read()
    {
        var catalog = await ReadShapesAsync("catalog_keys");

        var orders = catalog.Get(new QualifiedName("sales", "orders"));
        Assert.Equal(["region", "order_no"], orders.PrimaryKey!.Columns);
        var toCustomers = Assert.Single(orders.ForeignKeys);
        Assert.True(toCustomers.Deferrable);
        Assert.True(toCustomers.InitiallyDeferred);
        Assert.Equal('c', toCustomers.OnDelete);
        Assert.Equal(new QualifiedName("sales", "Customers"), toCustomers.ReferencedTable);
        Assert.Equal(["Id"], toCustomers.ReferencedColumns);

        var lines = catalog.Get(new QualifiedName("sales", "Ünïcode Lines"));
        var self = Assert.Single(lines.ForeignKeys, f => f.IsSelfReference);
        Assert.Equal(["parent_id"], self.Columns);
        var composite = Assert.Single(lines.ForeignKeys, f => !f.IsSelfReference);
        Assert.Equal(["region", "order_no"], composite.Columns);
        Assert.Equal('c', composite.OnUpdate);
        Assert.Single(lines.Checks);

        var unique = Assert.Single(lines.Indexes, i => i.Name == "lines_lower_idx");
        Assert.True(unique.IsUnique);
        Assert.True(unique.IsPartial);
        Assert.Equal([null, "order_no"], unique.Columns);
        Assert.Null(unique.Constraint);

        var customers = catalog.Get(new QualifiedName("sales", "Customers"));
        Assert.Equal(["email"], Assert.Single(customers.UniqueConstraints).Columns);
    }

    [Fact]
    public async Task Partitioned_tables_and_their_partitions_are_read()
    {
        var catalog = await ReadShapesAsync("catalog_partitions");

        var parent = catalog.Get(new QualifiedName("public", "measurements"));
        Assert.Equal(TableKind.Partitioned, parent.Kind);
        Assert.Equal("RANGE (logdate)", parent.PartitionKey);
        var partitions = catalog.PartitionsOf(parent.Name).ToList();
        Assert.Equal(["measurements_2026", "measurements_2027"], partitions.Select(p => p.Name.Name));
        Assert.All(partitions, p => Assert.StartsWith("FOR VALUES FROM", p.PartitionBound));
        Assert.All(partitions, p => Assert.True(p.PrimaryKey!.Inherited));
        Assert.False(parent.PrimaryKey!.Inherited);
    }

    [Fact]
    public async Task Replica_identity_unlogged_and_missing_keys_are_read()
    {
        var catalog = await ReadShapesAsync("catalog_identity");

        var user = catalog.Get(new QualifiedName("Ops Team", "user"));
        Assert.Null(user.PrimaryKey);
        Assert.False(user.CanPublishUpdates);
        var audit = catalog.Get(new QualifiedName("Ops Team", "audit"));
        Assert.Equal(ReplicaIdentity.Index, audit.ReplicaIdentity);
        Assert.Equal("audit_id_idx", audit.ReplicaIdentityIndex);
        Assert.True(audit.CanPublishUpdates);
        Assert.True(catalog.Get(new QualifiedName("public", "scratch")).IsUnlogged);
        Assert.Equal(ReplicaIdentity.Nothing, catalog.Get(new QualifiedName("public", "no_identity")).ReplicaIdentity);
    }

    [Fact]
    public async Task Sequences_name_their_owning_column()
    {
        var catalog = await ReadShapesAsync("catalog_sequences");

        var serial = Assert.Single(catalog.Sequences, s => s.OwnedBy?.Table == new QualifiedName("sales", "Ünïcode Lines"));
        Assert.Equal("line_id", serial.OwnedBy!.Column);
        Assert.False(serial.IsIdentity);
        var identity = Assert.Single(catalog.Sequences, s => s.OwnedBy?.Table == new QualifiedName("sales", "Customers"));
        Assert.True(identity.IsIdentity);
        Assert.Equal("bigint", identity.DataType);
    }
}
