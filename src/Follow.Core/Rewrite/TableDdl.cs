using System.Text;
using Follow.Model;
using Follow.Planning;

namespace Follow.Rewrite;

/// <summary>
/// The CREATE TABLE of a moved table, written from the plan: the added distribution column first (Citus and
/// pgloader put it there), cast rules applied. Keys, indexes and checks come later, in the post-data phase, and
/// identity is added by pg_dump's own statement so that its sequence options are kept.
/// </summary>
public static class TableDdl
{
    public static string CreateTable(TablePlan plan)
    {
        var table = plan.Source;
        var casts = plan.Casts.ToDictionary(c => c.Column, c => c.TargetType);
        var columns = new List<string>();
        if (plan.AddsDistributionColumn)
        {
            columns.Add($"{Sql.Ident(plan.DistributionColumn!)} {plan.DistributionColumnType} NOT NULL");
        }
        foreach (var column in table.Columns) columns.Add(ColumnDefinition(column, casts.GetValueOrDefault(column.Name)));

        var sql = new StringBuilder($"CREATE TABLE {table.Name.Quoted} (\n    ");
        sql.AppendJoin(",\n    ", columns).Append("\n)");
        if (table.PartitionKey is not null) sql.Append(" PARTITION BY ").Append(table.PartitionKey);
        return sql.Append(';').ToString();
    }

    /// <summary>A partition is created attached to its parent: it gets the parent's columns, the added one included.</summary>
    public static string CreatePartition(Table partition)
    {
        var sql = new StringBuilder($"CREATE TABLE {partition.Name.Quoted} PARTITION OF {partition.PartitionOf!.Quoted} {partition.PartitionBound}");
        if (partition.PartitionKey is not null) sql.Append(" PARTITION BY ").Append(partition.PartitionKey);
        return sql.Append(';').ToString();
    }

    private static string ColumnDefinition(Column column, string? castType)
    {
        var sql = new StringBuilder($"{Sql.Ident(column.Name)} {castType ?? column.Type}");
        if (column.Collation is not null) sql.Append(" COLLATE ").Append(column.Collation);
        if (column.GenerationExpression is not null) sql.Append($" GENERATED ALWAYS AS ({column.GenerationExpression}) STORED");
        else if (column.Default is not null && column.Identity is null) sql.Append(" DEFAULT ").Append(column.Default);
        if (column.NotNull) sql.Append(" NOT NULL");
        return sql.ToString();
    }
}
