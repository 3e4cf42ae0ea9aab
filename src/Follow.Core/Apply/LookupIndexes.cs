using System.Text;
using Follow.Connections;
using Follow.Model;
using Follow.Planning;
using Npgsql;

namespace Follow.Apply;

/// <summary>
/// On the target, a distributed table's keys start with the distribution column, but the stream identifies an
/// updated or deleted row by the source's replica identity alone (e.g. clicks.id). Finding that row's distribution
/// key would scan the whole table (every shard, on Citus) for each change; an index on the replica identity
/// columns makes it one index probe. Created when the stream starts, dropped by <c>follow stream cleanup</c>.
/// </summary>
public static class LookupIndexes
{
    public const string Prefix = "follow_lookup_";

    public sealed record LookupIndex(QualifiedName Table, string Name, IReadOnlyList<string> Columns);

    public static IReadOnlyList<LookupIndex> For(DistributionPlan plan) =>
    [
        .. plan.Tables
            .Where(t => t.DistributionColumn is not null && t.Category != TableCategory.Reference && !t.Source.IsPartition)
            .Select(t => (Table: t, Columns: t.Source.IdentityColumns))
            .Where(x => x.Columns is { Count: > 0 } columns
                && !columns.Contains(x.Table.DistributionColumn!)
                && !HasPlainIndexOn(x.Table.Source, columns))
            .Select(x => new LookupIndex(x.Table.Name, NameFor(x.Table.Name), x.Columns!)),
    ];

    /// <summary>Creates the missing ones; returns how many were created.</summary>
    public static async Task<int> EnsureAsync(DistributionPlan plan, NpgsqlConnection target, CancellationToken cancellationToken)
    {
        var created = 0;
        var citus = await target.HasCitusAsync(cancellationToken);
        foreach (var index in For(plan))
        {
            await using (var exists = new NpgsqlCommand(
                "SELECT to_regclass(format('%I.%I', $1::text, $2::text)) IS NOT NULL", target))
            {
                exists.Parameters.Add(new NpgsqlParameter { Value = index.Table.Schema });
                exists.Parameters.Add(new NpgsqlParameter { Value = index.Name });
                if ((bool)(await exists.ExecuteScalarAsync(cancellationToken))!) continue;
            }
            var columns = string.Join(", ", index.Columns.Select(Sql.Ident));
            await using var transaction = await target.BeginTransactionAsync(cancellationToken);
            // As the clone's index builds: connections to the workers by the table's size (0.54 s for the benchmark's four, 32 shards each, with Citus' default pool).
            if (citus) await target.LimitConnectionsAsync(plan.Find(index.Table)?.Source.SizeBytes ?? long.MaxValue, local: true, cancellationToken);
            await using var create = new NpgsqlCommand($"CREATE INDEX {Sql.Ident(index.Name)} ON {index.Table.Quoted} ({columns})", target, transaction);
            create.CommandTimeout = 0;
            await create.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            created++;
        }
        return created;
    }

    /// <summary>Drops every look-up index of the target database; returns how many.</summary>
    public static async Task<int> DropAllAsync(NpgsqlConnection target, CancellationToken cancellationToken)
    {
        var names = new List<QualifiedName>();
        await using (var find = new NpgsqlCommand("""
            SELECT n.nspname, c.relname
              FROM pg_class c
              JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('i', 'I') AND starts_with(c.relname, $1)
               AND NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid)
            """, target))
        {
            find.Parameters.Add(new NpgsqlParameter { Value = Prefix });
            await using var reader = await find.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) names.Add(new QualifiedName(reader.GetString(0), reader.GetString(1)));
        }
        foreach (var name in names)
        {
            await using var drop = new NpgsqlCommand($"DROP INDEX IF EXISTS {name.Quoted}", target);
            await drop.ExecuteNonQueryAsync(cancellationToken);
        }
        return names.Count;
    }

    /// <summary>A source index that is copied as it is (not unique, so not rewritten) and leads with these columns.</summary>
    private static bool HasPlainIndexOn(Table table, IReadOnlyList<string> columns) =>
        table.Indexes.Any(i => !i.IsUnique && !i.IsPartial && !i.HasExpressions && i.Columns.Count >= columns.Count
            && i.Columns.Take(columns.Count).SequenceEqual(columns));

    /// <summary>PostgreSQL keeps 63 bytes of a name: a long table name is cut and told apart by a hash.</summary>
    private static string NameFor(QualifiedName table)
    {
        var name = Prefix + table.Name;
        if (Encoding.UTF8.GetByteCount(name) <= 63) return name;
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(table.Name)))[..8];
        var kept = table.Name;
        while (Encoding.UTF8.GetByteCount(Prefix + kept + "_" + hash) > 63) kept = kept[..^1];
        return Prefix + kept + "_" + hash;
    }
}
