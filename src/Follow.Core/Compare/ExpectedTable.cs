using Follow.Model;
using Follow.Planning;

namespace Follow.Compare;

public sealed record ExpectedColumn(string Name, string Type);

/// <summary>
/// What a moved table should look like on the target, from the plan: the added distribution column first, cast
/// rules applied, the planned keys and foreign keys, the source's indexes and partitions, and the sequences its
/// columns own.
/// </summary>
public sealed record ExpectedTable(
    QualifiedName Name,
    IReadOnlyList<ExpectedColumn> Columns,
    PlannedKey? PrimaryKey,
    IReadOnlyList<PlannedKey> UniqueKeys,
    IReadOnlyList<PlannedForeignKey> ForeignKeys,
    IReadOnlyList<string> Indexes,
    IReadOnlyList<QualifiedName> Partitions,
    IReadOnlyList<Sequence> Sequences)
{
    public static ExpectedTable From(TablePlan plan, Catalog source)
    {
        var partitions = new List<QualifiedName>();
        AddPartitions(source, plan.Name, partitions);
        var owners = partitions.Prepend(plan.Name).ToHashSet();
        return new ExpectedTable(
            plan.Name,
            ColumnsOf(plan),
            plan.PrimaryKey,
            plan.UniqueKeys,
            plan.ForeignKeys,
            [.. plan.Source.Indexes.Select(i => i.Name), .. Rewrite.PostDataDdl.IdentityIndex(plan) is { } identity ? [identity.Name] : Array.Empty<string>()],
            partitions,
            [.. source.Sequences.Where(s => s.OwnedBy is { } owner && owners.Contains(owner.Table))]);
    }

    /// <summary>The target's columns in order, as <c>follow clone</c> creates them.</summary>
    public static IReadOnlyList<ExpectedColumn> ColumnsOf(TablePlan plan)
    {
        var casts = plan.Casts.ToDictionary(c => c.Column, c => c.TargetType);
        var columns = plan.Source.Columns.Select(c => new ExpectedColumn(c.Name, casts.GetValueOrDefault(c.Name) ?? c.Type));
        return plan.AddsDistributionColumn
            ? [new ExpectedColumn(plan.DistributionColumn!, plan.DistributionColumnType!), .. columns]
            : [.. columns];
    }

    private static void AddPartitions(Catalog source, QualifiedName parent, List<QualifiedName> partitions)
    {
        foreach (var partition in source.PartitionsOf(parent))
        {
            partitions.Add(partition.Name);
            AddPartitions(source, partition.Name, partitions);
        }
    }
}
