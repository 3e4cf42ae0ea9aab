using Follow.Model;
using Follow.Planning;

namespace Follow.Rewrite;

/// <summary>Everything Follow writes itself for the moved tables, in the order it runs.</summary>
public sealed record SchemaScript(
    IReadOnlyList<(QualifiedName Table, string Sql)> CreateTables,
    IReadOnlyList<DistributionCall> DistributionCalls,
    IReadOnlyList<PostDataStatement> PostData)
{
    public static SchemaScript From(DistributionPlan plan, Catalog catalog)
    {
        var creates = new List<(QualifiedName, string)>();
        foreach (var table in plan.Tables)
        {
            creates.Add((table.Name, TableDdl.CreateTable(table)));
            AddPartitions(catalog, table.Name, creates);
        }
        return new SchemaScript(creates, plan.Calls, [.. plan.Tables.SelectMany(PostDataDdl.For)]);
    }

    private static void AddPartitions(Catalog catalog, QualifiedName parent, List<(QualifiedName, string)> creates)
    {
        foreach (var partition in catalog.PartitionsOf(parent))
        {
            creates.Add((partition.Name, TableDdl.CreatePartition(partition)));
            AddPartitions(catalog, partition.Name, creates);
        }
    }

    /// <summary>Every table Follow creates, partitions included.</summary>
    public IEnumerable<QualifiedName> Tables => CreateTables.Select(c => c.Table);
}
