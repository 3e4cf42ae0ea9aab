using Follow.Diagnostics;
using Follow.Planning;
using Npgsql;

namespace Follow.Snapshot;

/// <summary>What to do with rows whose foreign-key path gives no distribution key.</summary>
public enum OrphanPolicy
{
    /// <summary>Refuse the copy, naming each table, its count and an example key.</summary>
    Refuse,

    /// <summary>Leave those rows out of the target, and say how many.</summary>
    Skip,
}

/// <summary>
/// Counts, in the copy's snapshot, the rows that would get no distribution key, before anything is copied: an
/// inner join would drop them silently, and Citus rejects a NULL distribution value. A resumed copy counts only the
/// tables it copies, in its own snapshot: the tables it keeps were counted in theirs.
/// </summary>
public static class OrphanCheck
{
    public sealed record Orphans(Model.QualifiedName Table, long Count, string Example);

    public static async Task<IReadOnlyList<Orphans>> CountAsync(
        DistributionPlan plan, NpgsqlConnection sourceInSnapshot, CancellationToken cancellationToken, IReadOnlySet<Model.QualifiedName>? only = null)
    {
        var tables = plan.Tables.Where(t => only is null || only.Contains(t.Name)).ToList();
        // The common case, no orphans anywhere, is settled without walking any path.
        var suspect = false;
        foreach (var table in tables)
        {
            if (CopyQuery.CountOrphansFirstHop(table) is not { } cheap) continue;
            await using var first = new NpgsqlCommand(cheap, sourceInSnapshot) { CommandTimeout = 0 };
            if ((long)(await first.ExecuteScalarAsync(cancellationToken))! > 0)
            {
                suspect = true;
                break;
            }
        }
        if (!suspect) return [];

        var found = new List<Orphans>();
        foreach (var table in tables)
        {
            if (CopyQuery.CountOrphans(table) is not { } sql) continue;
            await using var command = new NpgsqlCommand(sql, sourceInSnapshot) { CommandTimeout = 0 };
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var count = reader.GetInt64(0);
            if (count > 0) found.Add(new Orphans(table.Name, count, reader.GetString(1)));
        }
        return found;
    }

    public static BadInputException Refusal(IReadOnlyList<Orphans> orphans, DistributionPlan plan) => new(
        "some rows have no distribution key: their foreign-key path is NULL or leads to no row, so no tenant owns them; nothing was copied:\n"
        + string.Join("\n", orphans.Select(o =>
        {
            var table = plan.Get(o.Table);
            var key = table.Source.PrimaryKey is { } pk ? $"({string.Join(", ", pk.Columns.Select(Model.Sql.IdentIfNeeded))})" : "ctid";
            var through = table.Backfill is { } path ? $" through {path}" : "";
            return $"  - {o.Table}: {o.Count} row{(o.Count == 1 ? "" : "s")} without {table.DistributionColumn}{through}, e.g. {key} = {o.Example}";
        }))
        + "\n  fix: correct or delete those rows on the source, or give --orphans skip to leave them out of the target");
}
