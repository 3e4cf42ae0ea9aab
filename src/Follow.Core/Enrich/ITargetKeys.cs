namespace Follow.Enrich;

/// <summary>
/// The seam between key resolution and the target: look-ups answered by the target as the applier has written it.
/// </summary>
public interface ITargetKeys
{
    /// <summary>
    /// The answers of each query, one a key in its order. Runs after every write handed on before the call, so the
    /// answers see every earlier source transaction applied.
    /// </summary>
    Task<IReadOnlyList<string?[]>> FindAsync(IReadOnlyList<KeyQuery> queries, CancellationToken cancellationToken);

    /// <summary>
    /// Every row of the query's table with its <see cref="KeyQuery.Columns"/> (joined as <see cref="Lookup"/> keys
    /// are) and its <see cref="KeyQuery.Returned"/> column, none of them NULL; null when there are more than
    /// <paramref name="most"/>.
    /// </summary>
    Task<IReadOnlyList<(string Key, string Value)>?> ReadAllAsync(KeyQuery query, int most, CancellationToken cancellationToken);
}
