using Follow.Connections;
using Follow.Model;
using Follow.Planning;
using Npgsql;

namespace Follow.Apply;

/// <summary>
/// The shard of each distribution key of a distributed table, asked of the Citus coordinator once and kept. A
/// statement over many rows runs on every shard, each joining all of its rows (its cost grows with shards × rows,
/// measured): split by shard, with the shard's keys as a condition Citus prunes by, each statement runs on one shard
/// with that shard's rows.
/// </summary>
public sealed class CitusShards
{
    // Bounds memory on a stream of many tenants: past it, what is known is dropped and asked again.
    private const int MostKnown = 1_000_000;

    private readonly Dictionary<TablePlan, Dictionary<string, long>> _known = new(ReferenceEqualityComparer.Instance);
    private int _count;

    /// <summary>Asks the coordinator for the shards of the keys not known yet, in one statement.</summary>
    public async Task LearnAsync(NpgsqlConnection connection, TablePlan table, IEnumerable<string> keys, CancellationToken cancellationToken)
    {
        if (!_known.TryGetValue(table, out var known)) _known[table] = known = [];
        var unknown = keys.Where(k => !known.ContainsKey(k)).Distinct().ToList();
        if (unknown.Count == 0) return;
        if (_count + unknown.Count > MostKnown)
        {
            foreach (var map in _known.Values) map.Clear();
            _count = 0;
        }
        await using var command = new NpgsqlCommand(
            "SELECT k, get_shard_id_for_distribution_column($1::text::regclass, k) FROM unnest($2::text[]) AS k", connection);
        command.Parameters.Add(TextParameter.Of(table.Name.Quoted));
        command.Parameters.Add(TextParameter.Of(Sql.ArrayLiteral(unknown)));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            known[reader.GetString(0)] = reader.GetInt64(1);
            _count++;
        }
    }

    /// <summary>The rows by shard, each row's distribution key at <paramref name="keyAt"/>; every key must be learnt.</summary>
    public IEnumerable<List<string?[]>> Split(TablePlan table, IReadOnlyList<string?[]> rows, int keyAt)
    {
        var known = _known[table];
        return rows.GroupBy(r => known[r[keyAt]!]).Select(g => g.ToList());
    }
}
