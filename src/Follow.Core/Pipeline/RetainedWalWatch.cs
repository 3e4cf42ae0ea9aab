using Follow.Diagnostics;

namespace Follow.Pipeline;

/// <summary>What the slot's retained WAL has just come to; each is said once when crossed, again only after it went back.</summary>
public enum RetainedWalWarning
{
    /// <summary>safe_wal_size fell below a quarter of max_slot_wal_keep_size: the slot nears invalidation.</summary>
    SafeWalSizeLow,

    /// <summary>The retained WAL passed --max-retained-wal: the source's disk fills.</summary>
    OverLimit,
}

/// <summary>
/// Decides from each sample of the slot whether a warning is due: when a limit is crossed, not at every sample
/// past it (a stream of days samples every few seconds).
/// </summary>
public sealed class RetainedWalWatch(long? maxRetainedWal)
{
    private bool _safeLow;
    private bool _overLimit;

    public IReadOnlyList<RetainedWalWarning> Observe(SlotLag slot)
    {
        var warnings = new List<RetainedWalWarning>(2);
        var safeLow = slot is { SafeWalSize: { } safe, MaxSlotWalKeepSize: { } keep } && safe < keep / 4;
        if (safeLow && !_safeLow) warnings.Add(RetainedWalWarning.SafeWalSizeLow);
        _safeLow = safeLow;
        var overLimit = maxRetainedWal is { } limit && slot.RetainedBytes is { } retained && retained > limit;
        if (overLimit && !_overLimit) warnings.Add(RetainedWalWarning.OverLimit);
        _overLimit = overLimit;
        return warnings;
    }
}
