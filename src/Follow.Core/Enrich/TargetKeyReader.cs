using Follow.Connections;
using Follow.Model;
using Npgsql;

namespace Follow.Enrich;

/// <summary>
/// Runs key queries on the target in one round trip: a query by one column as one statement for all its keys
/// (<c>= ANY($1)</c> of an array), others one statement a key.
/// </summary>
public static class TargetKeyReader
{
    public static IReadOnlyList<string?[]> Read(NpgsqlConnection connection, IReadOnlyList<KeyQuery> queries)
    {
        var answers = queries.Select(q => new string?[q.Keys.Count]).ToArray();
        using var batch = new NpgsqlBatch(connection);
        foreach (var query in queries)
        {
            if (ByArray(query))
            {
                var command = new NpgsqlBatchCommand(
                    $"SELECT {Sql.Ident(query.Columns[0])}::text, {Sql.Ident(query.Returned)}::text FROM {query.Table.Quoted} WHERE {Sql.Ident(query.Columns[0])} = ANY($1)");
                command.Parameters.Add(TextParameter.Of(Sql.ArrayLiteral(query.Keys.Select(k => k[0]))));
                batch.BatchCommands.Add(command);
                continue;
            }
            foreach (var key in query.Keys) batch.BatchCommands.Add(OneKey(query, key));
        }
        if (batch.BatchCommands.Count == 0) return answers;
        // Synchronous: the applier is one sequential consumer, and blocking reads cost less CPU than a
        // continuation per socket read.
        using var reader = batch.ExecuteReader();
        for (var q = 0; q < queries.Count; q++)
        {
            var query = queries[q];
            if (ByArray(query))
            {
                // The key is read back as text, the form the stream sends it in, to match each row to its key.
                var at = new Dictionary<string, int>(query.Keys.Count);
                for (var k = 0; k < query.Keys.Count; k++) at[query.Keys[k][0]!] = k;
                while (reader.Read())
                {
                    if (at.TryGetValue(reader.GetString(0), out var k)) answers[q][k] = reader.IsDBNull(1) ? null : reader.GetString(1);
                }
                reader.NextResult();
                continue;
            }
            for (var k = 0; k < query.Keys.Count; k++)
            {
                answers[q][k] = reader.Read() && !reader.IsDBNull(0) ? reader.GetString(0) : null;
                reader.NextResult();
            }
        }
        return answers;
    }

    /// <summary>See <see cref="ITargetKeys.ReadAllAsync"/>.</summary>
    public static IReadOnlyList<(string Key, string Value)>? ReadAll(NpgsqlConnection connection, KeyQuery query, int most)
    {
        var columns = query.Columns.Append(query.Returned).ToList();
        using var command = new NpgsqlCommand(
            $"SELECT {string.Join(", ", columns.Select(c => Sql.Ident(c) + "::text"))} FROM {query.Table.Quoted} "
            + $"WHERE {string.Join(" AND ", columns.Select(c => Sql.Ident(c) + " IS NOT NULL"))} LIMIT $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = (long)most + 1 });
        var rows = new List<(string, string)>();
        using var reader = command.ExecuteReader();
        var key = new string[query.Columns.Count];
        while (reader.Read())
        {
            if (rows.Count == most) return null;
            for (var i = 0; i < key.Length; i++) key[i] = reader.GetString(i);
            rows.Add((key.Length == 1 ? key[0] : string.Join("\u0001", key), reader.GetString(key.Length)));
        }
        return rows;
    }

    private static bool ByArray(KeyQuery query) => query.Columns.Count == 1 && query.Keys.All(k => k[0] is not null);

    private static NpgsqlBatchCommand OneKey(KeyQuery query, IReadOnlyList<string?> key)
    {
        var n = 0;
        var conditions = query.Columns.Select((c, i) => key[i] is null ? $"{Sql.Ident(c)} IS NULL" : $"{Sql.Ident(c)} = ${++n}");
        var command = new NpgsqlBatchCommand(
            $"SELECT {Sql.Ident(query.Returned)}::text FROM {query.Table.Quoted} WHERE {string.Join(" AND ", conditions)}");
        foreach (var value in key.Where(v => v is not null)) command.Parameters.Add(TextParameter.Of(value));
        return command;
    }
}
