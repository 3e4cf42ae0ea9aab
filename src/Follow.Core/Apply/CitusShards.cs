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

    /// <summary>
    /// Forgets every shard once more than <see cref="MostKnown"/> are known. Called before a release's keys are
    /// learnt, never between learning and <see cref="Split"/>, which needs each of its keys.
    /// </summary>
    public void Trim()
    {
        if (_count <= MostKnown) return;
        foreach (var map in _known.Values) map.Clear();
        _count = 0;
    }

    /// <summary>The keys of <paramref name="table"/> whose shard is not known yet, each once.</summary>
    public List<string> Unknown(TablePlan table, IEnumerable<string> keys)
    {
        if (!_known.TryGetValue(table, out var known)) return keys.Distinct().ToList();
        return keys.Where(k => !known.ContainsKey(k)).Distinct().ToList();
    }

    /// <summary>Asks the coordinator for the shards of <paramref name="unknown"/> (see <see cref="Unknown"/>), in one statement.</summary>
    public async Task LearnAsync(NpgsqlConnection connection, TablePlan table, IReadOnlyList<string> unknown, CancellationToken cancellationToken)
    {
        if (unknown.Count == 0) return;
        if (!_known.TryGetValue(table, out var known)) _known[table] = known = [];
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
