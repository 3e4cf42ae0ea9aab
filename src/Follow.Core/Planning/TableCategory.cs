namespace Follow.Planning;

/// <summary>The categories of the Citus migration guide.</summary>
public enum TableCategory
{
    /// <summary>Has the distribution column already.</summary>
    DistributedReady,

    /// <summary>Gets the distribution column added, filled through its foreign-key path.</summary>
    DistributedBackfill,

    /// <summary>Copied whole to every node.</summary>
    Reference,

    /// <summary>Stays on the coordinator.</summary>
    Local,
}

public static class TableCategoryNames
{
    /// <summary>Stable spelling for JSON and scripts.</summary>
    public static string Key(this TableCategory category) => category switch
    {
        TableCategory.DistributedReady => "distributed-ready",
        TableCategory.DistributedBackfill => "distributed-backfill",
        TableCategory.Reference => "reference",
        _ => "local",
    };

    public static string Display(this TableCategory category) => category switch
    {
        TableCategory.DistributedReady => "distributed, ready",
        TableCategory.DistributedBackfill => "distributed, backfill",
        TableCategory.Reference => "reference",
        _ => "local",
    };

    public static bool IsDistributed(this TableCategory category) =>
        category is TableCategory.DistributedReady or TableCategory.DistributedBackfill;
}
