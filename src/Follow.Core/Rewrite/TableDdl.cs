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
        AppendStorageParameters(sql, table);
        sql.Append(';');
        // PostgreSQL 15 takes a column's storage and statistics target only in ALTER TABLE.
        foreach (var column in table.Columns)
        {
            if (column.Storage is { } storage) sql.Append($"\nALTER TABLE {table.Name.Quoted} ALTER COLUMN {Sql.Ident(column.Name)} SET STORAGE {StorageName(storage)};");
            if (column.StatisticsTarget is { } target) sql.Append($"\nALTER TABLE {table.Name.Quoted} ALTER COLUMN {Sql.Ident(column.Name)} SET STATISTICS {target};");
        }
        return sql.ToString();
    }

    /// <summary>The table's storage parameters (fillfactor, autovacuum settings) as the source has them.</summary>
    private static void AppendStorageParameters(StringBuilder sql, Table table)
    {
        if (table.StorageParameters is not { Count: > 0 } parameters) return;
        sql.Append(" WITH (").AppendJoin(", ", parameters.Select(StorageParameter)).Append(')');
    }

    /// <summary><c>name=value</c> from pg_class.reloptions as <c>"name" = 'value'</c>; <c>toast.name</c> keeps its prefix unquoted.</summary>
    private static string StorageParameter(string option)
    {
        var at = option.IndexOf('=');
        var name = option[..at];
        var quoted = name.StartsWith("toast.", StringComparison.Ordinal) ? "toast." + Sql.Ident(name["toast.".Length..]) : Sql.Ident(name);
        return $"{quoted} = {Sql.Literal(option[(at + 1)..])}";
    }

    private static string StorageName(char storage) => storage switch
    {
        'p' => "PLAIN",
        'e' => "EXTERNAL",
        'm' => "MAIN",
        'x' => "EXTENDED",
        _ => throw new ArgumentOutOfRangeException(nameof(storage), storage, "not a pg_attribute.attstorage value"),
    };

    /// <summary>A partition is created attached to its parent: it gets the parent's columns, the added one included.</summary>
    public static string CreatePartition(Table partition)
    {
        var sql = new StringBuilder($"CREATE TABLE {partition.Name.Quoted} PARTITION OF {partition.PartitionOf!.Quoted} {partition.PartitionBound}");
        if (partition.PartitionKey is not null) sql.Append(" PARTITION BY ").Append(partition.PartitionKey);
        AppendStorageParameters(sql, partition);
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
