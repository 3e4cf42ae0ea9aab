using Npgsql;

namespace Follow.Connections;

public static class CitusExtension
{
    /// <summary>Whether the database the session is in has the citus extension: a Citus coordinator.</summary>
    public static async Task<bool> HasCitusAsync(this NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')", connection);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// A statement on a distributed table opens up to citus.max_adaptive_executor_pool_size connections a worker,
    /// one a shard, before its first row: for a small table that costs more than the work. Into 32 shards on 2
    /// workers, 6,000 rows took 0.67 s to COPY with 16 and 0.28 s with 1; 46 MB took 2.59–3.24 s with 16 and
    /// 2.25–2.45 s with 1 (a connection carries a worker's shards in turns); an index on 6,000 rows 0.17–0.20 s
    /// with 16 and 0.08–0.10 s with 1. So a table's statements get one connection a worker for each
    /// <see cref="BytesPerConnection"/> of it, never more than the cluster's setting, and shards are built side
    /// by side only where there is enough to share.
    /// </summary>
    public const long BytesPerConnection = 64L << 20;

    /// <summary>The connections a worker for a table (or part) of this many bytes.</summary>
    public static int ConnectionsFor(long bytes) => (int)Math.Clamp((Math.Max(bytes, 0) + BytesPerConnection - 1) / BytesPerConnection, 1, 1024);

    /// <summary>Lowers the session's (or, with <paramref name="local"/>, the transaction's) pool to <see cref="ConnectionsFor"/>.</summary>
    public static async Task LimitConnectionsAsync(this NpgsqlConnection connection, long bytes, bool local, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT set_config('citus.max_adaptive_executor_pool_size', least($1, current_setting('citus.max_adaptive_executor_pool_size')::int)::text, $2)",
            connection);
        command.Parameters.Add(new NpgsqlParameter { Value = ConnectionsFor(bytes) });
        command.Parameters.Add(new NpgsqlParameter { Value = local });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
