using Follow.Model;
using Follow.Planning;
using Npgsql;

namespace Follow.IntegrationTests.Compare;

/// <summary>
/// Fills a cloned target as the snapshot copy does: per table, <c>COPY (backfill SELECT) TO STDOUT</c> on the source
/// piped as raw binary into <c>COPY … FROM STDIN</c> on the target. Written apart from Follow's compare queries, so
/// that a mistake in those shows up as a difference.
/// </summary>
internal static class TargetFill
{
    public static async Task CopyAsync(string sourceConnectionString, string targetConnectionString, DistributionPlan plan)
    {
        // Like the copy's sessions, this one keeps the source's defaults: the timestamp → timestamptz cast reads the
        // value in the source's TimeZone.
        await using var source = new NpgsqlConnection(sourceConnectionString);
        await source.OpenAsync();
        await using var target = new NpgsqlConnection(targetConnectionString);
        await target.OpenAsync();

        foreach (var table in ParentsFirst(plan))
        {
            // The target computes generated columns itself and refuses values for them.
            var columns = table.Source.Columns.Where(c => !c.IsGenerated).ToList();
            var casts = table.Casts.ToDictionary(c => c.Column, c => c.TargetType);
            var select = columns.Select(c => casts.TryGetValue(c.Name, out var type) ? $"CAST(t.{Sql.Ident(c.Name)} AS {type})" : $"t.{Sql.Ident(c.Name)}").ToList();
            var into = columns.Select(c => Sql.Ident(c.Name)).ToList();
            var (joins, holder) = table.Backfill is { } path ? BackfillJoins.Render(path, "t", "p") : ("", "t");
            if (table.AddsDistributionColumn)
            {
                select.Insert(0, $"{Sql.Ident(holder)}.{Sql.Ident(table.DistributionColumn!)}");
                into.Insert(0, Sql.Ident(table.DistributionColumn!));
            }
            // Orphans are left out, as with --orphans skip: the inner joins drop a row whose path leads nowhere,
            // and this drops one whose key is NULL.
            var where = table.Category.IsDistributed() ? $" WHERE {Sql.Ident(holder)}.{Sql.Ident(table.DistributionColumn!)} IS NOT NULL" : "";

            await using var reader = await source.BeginRawBinaryCopyAsync(
                $"COPY (SELECT {string.Join(", ", select)} FROM {table.Name.Quoted} t{joins}{where}) TO STDOUT (FORMAT binary)");
            await using var writer = await target.BeginRawBinaryCopyAsync(
                $"COPY {table.Name.Quoted} ({string.Join(", ", into)}) FROM STDIN (FORMAT binary)");
            await reader.CopyToAsync(writer);
        }
    }

    /// <summary>The foreign keys exist on the cloned target already: parents are filled before their children.</summary>
    private static List<TablePlan> ParentsFirst(DistributionPlan plan)
    {
        var ordered = new List<TablePlan>();
        var done = new HashSet<QualifiedName>();
        while (ordered.Count < plan.Tables.Count)
        {
            var ready = plan.Tables.Where(t => !done.Contains(t.Name)
                && t.ForeignKeys.All(f => f.ReferencedTable == t.Name || done.Contains(f.ReferencedTable))).ToList();
            if (ready.Count == 0) throw new InvalidOperationException("the sample's foreign keys form a cycle");
            ordered.AddRange(ready);
            done.UnionWith(ready.Select(t => t.Name));
        }
        return ordered;
    }
}
