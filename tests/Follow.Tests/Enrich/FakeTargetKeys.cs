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

    public Task<IReadOnlyList<string?[]>> FindAsync(IReadOnlyList<KeyQuery> queries, CancellationToken cancellationToken)
    {
        Calls.Add(queries);
        IReadOnlyList<string?[]> answers = [.. queries.Select(q => q.Keys
            .Select(k => _rows.GetValueOrDefault($"{q.Table.Name}|{string.Join(",", q.Columns)}|{string.Join(",", k)}"))
            .ToArray())];
        return Task.FromResult(answers);
    }
}
