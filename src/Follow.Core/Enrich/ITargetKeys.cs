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
}
