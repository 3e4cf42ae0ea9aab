using Follow.Diagnostics;
using Follow.Model;
using Npgsql;

namespace Follow.TargetSchema;

/// <summary>
/// Whether a distributed table's statistics may be left to autovacuum. ANALYZE of a distributed table analyzes
/// every shard, each in full while shards are smaller than ANALYZE's sample (30,000 rows): on the benchmark's
/// 32 shards a table, 1.4–1.7 s for each of the two large tables, the biggest part of the clone after its data
/// (bench/README.md). Each shard is a table of its node, which autovacuum analyzes once the rows the copy
/// inserted pass its threshold (50 rows and 10 % by default, within autovacuum_naptime, a minute by default):
/// the same statistics, gathered while the stream catches up, long before a cutover. A shard it passes over holds
/// fewer rows than that threshold; the planner has their count, which the index builds record.
/// </summary>
public sealed class ShardStatistics
{
    private Task<bool>? _nodes;
    private readonly Lock _lock = new();

    /// <summary>
    /// True when autovacuum analyzes the table's shards on every node: it runs there (read once per clone), and
    /// the table is a plain one (autovacuum leaves partitioned tables alone) without autovacuum settings of its own.
    /// </summary>
    public async Task<bool> LeftToAutovacuumAsync(NpgsqlConnection connection, QualifiedName table, CancellationToken cancellationToken)
    {
        Task<bool> nodes;
        lock (_lock) nodes = _nodes ??= ScalarAsync(connection, SqlResource.Load("TargetSchema.Sql.shards-left-to-autovacuum.sql"), null, cancellationToken);
        if (!await nodes) return false;
        return await ScalarAsync(connection, """
            SELECT c.relkind = 'r' AND NOT EXISTS (
                     SELECT 1 FROM pg_options_to_table(c.reloptions) o WHERE o.option_name LIKE 'autovacuum%')
              FROM pg_class c WHERE c.oid = $1::text::regclass
            """, table.Quoted, cancellationToken);
    }

    private static async Task<bool> ScalarAsync(NpgsqlConnection connection, string sql, string? table, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        if (table is not null) command.Parameters.Add(new NpgsqlParameter { Value = table });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
