namespace Follow.Enrich;

/// <summary>
/// Distribution keys known to the stream: a cache across segments, bounded (when full it starts again, so a
/// transaction of a million rows does not grow the follower), and the answers of the segment being applied, taken
/// from the cache or the target before its first write, then overwritten as its changes define them (null: the row
/// is gone). The segment's answers stay when the cache starts again.
/// </summary>
public sealed class KeyCache(int capacity)
{
    private readonly Dictionary<Lookup, string> _cache = [];
    private readonly Dictionary<Lookup, string?> _segment = [];

    public long Hits { get; private set; }

    public long Misses { get; private set; }

    public void BeginSegment() => _segment.Clear();

    public bool InSegment(Lookup lookup) => _segment.ContainsKey(lookup);

    /// <summary>Walking ahead: a cached answer is kept for the segment; false when the cache does not know it.</summary>
    public bool Peek(Lookup lookup)
    {
        if (!_cache.TryGetValue(lookup, out var known)) return false;
        _segment[lookup] = known;
        return true;
    }

    public bool TryGet(Lookup lookup, out string? value)
    {
        if (_segment.TryGetValue(lookup, out value)) { Hits++; return true; }
        if (_cache.TryGetValue(lookup, out var cached)) { Hits++; value = cached; return true; }
        return false;
    }

    /// <summary>The target answered a look-up (null: no such row).</summary>
    public void Found(Lookup lookup, string? value)
    {
        Misses++;
        _segment[lookup] = value;
        if (value is not null) Store(lookup, value);
    }

    /// <summary>An answer read before the stream wrote anything: neither a hit nor a miss.</summary>
    public void Preload(Lookup lookup, string value) => Store(lookup, value);

    public int Count => _cache.Count;

    /// <summary>A change defined this look-up's answer; null: the row no longer exists.</summary>
    public void Set(Lookup lookup, string? value)
    {
        _segment[lookup] = value;
        if (value is null) _cache.Remove(lookup);
        else Store(lookup, value);
    }

    public void Forget()
    {
        _cache.Clear();
        _segment.Clear();
    }

    private void Store(Lookup key, string value)
    {
        if (_cache.Count >= capacity) _cache.Clear();
        _cache[key] = value;
    }
}
