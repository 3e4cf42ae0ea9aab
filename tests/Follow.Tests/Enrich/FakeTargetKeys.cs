using Follow.Enrich;

namespace Follow.Tests.Enrich;

/// <summary>The target's rows as key look-ups see them: (table, column values) → distribution key; every call recorded.</summary>
internal sealed class FakeTargetKeys : ITargetKeys
{
    private readonly Dictionary<string, string> _rows = [];

    public List<IReadOnlyList<KeyQuery>> Calls { get; } = [];

    public int KeysAsked => Calls.Sum(c => c.Sum(q => q.Keys.Count));

    public void Row(string table, string columns, string values, string key) => _rows[$"{table}|{columns}|{values}"] = key;

    public void Remove(string table, string columns, string values) => _rows.Remove($"{table}|{columns}|{values}");

    /// <summary>The tables whole reads were asked of.</summary>
    public List<string> ReadsAll { get; } = [];

    public Task<IReadOnlyList<(string Key, string Value)>?> ReadAllAsync(KeyQuery query, int most, CancellationToken cancellationToken)
    {
        ReadsAll.Add(query.Table.Name);
        var prefix = $"{query.Table.Name}|{string.Join(",", query.Columns)}|";
        List<(string, string)> rows = [.. _rows.Where(r => r.Key.StartsWith(prefix, StringComparison.Ordinal))
            .Select(r => (string.Join("\u0001", r.Key[prefix.Length..].Split(',')), r.Value))];
        return Task.FromResult<IReadOnlyList<(string Key, string Value)>?>(rows.Count > most ? null : rows);
    }

    public Task<IReadOnlyList<string?[]>> FindAsync(IReadOnlyList<KeyQuery> queries, CancellationToken cancellationToken)
    {
        Calls.Add(queries);
        IReadOnlyList<string?[]> answers = [.. queries.Select(q => q.Keys
            .Select(k => _rows.GetValueOrDefault($"{q.Table.Name}|{string.Join(",", q.Columns)}|{string.Join(",", k)}"))
            .ToArray())];
        return Task.FromResult(answers);
    }
}
