using Follow.Snapshot;

namespace Follow.Cli.Hosting;

/// <summary>
/// <c>follow run</c>'s settings: the <c>Follow</c> section of appsettings.json, of environment variables
/// (<c>FOLLOW__TABLEJOBS=4</c>, <c>FOLLOW__HTTP__PORT=8080</c>), of their twins in pgcopydb's style
/// (<c>FOLLOW_TABLE_JOBS=4</c>, <c>FOLLOW_HTTP_PORT=8080</c>) and of the command line (<c>--Follow:TableJobs=4</c>),
/// in that order of precedence, lowest first. A key of the section that is none of these is refused. The connections and the rules come as
/// for every command: --source/--target/--rules, FOLLOW_SOURCE_PGURI, FOLLOW_TARGET_PGURI, FOLLOW_RULES.
/// </summary>
public sealed class RunSettings
{
    public const string Section = "Follow";

    public string SlotName { get; set; } = "follow";

    public int TableJobs { get; set; } = 2;

    public int IndexJobs { get; set; } = 2;

    public int? ShardCount { get; set; }

    /// <summary>e.g. 1GB: tables larger than this are copied as several ctid ranges.</summary>
    public string? SplitTablesLargerThan { get; set; }

    /// <summary>Memory for the maps of parent keys that fill the distribution column without joins (0: always join).</summary>
    public string BackfillMemory { get; set; } = "64MB";

    public OrphanPolicy Orphans { get; set; } = OrphanPolicy.Refuse;

    public bool DropIfExists { get; set; }

    /// <summary>Times the stream starts again after losing the source or the target; renewed after 10 minutes without a loss.</summary>
    public int Retries { get; set; } = 10;

    /// <summary>How long SIGTERM waits for the target transaction in flight to finish or roll back.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the source is asked for its WAL position and the slot's, for the lag.</summary>
    public TimeSpan LagInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>e.g. 50GB: a warning is logged when the slot keeps more WAL than this on the source's disk (unset: none).</summary>
    public string? MaxRetainedWal { get; set; }

    /// <summary>How often the status page's chart of the last hour gets a point.</summary>
    public TimeSpan HistoryInterval { get; set; } = TimeSpan.FromSeconds(10);

    public HttpSettings Http { get; set; } = new();

    public ReadySettings Ready { get; set; } = new();

    /// <summary>"simple" (one line per message, scopes included) or "json" (for log collectors).</summary>
    public string LogFormat { get; set; } = "simple";

    /// <summary>Rules as lines, when neither --rules nor FOLLOW_RULES names a file (read by the plan's inputs).</summary>
    public string[]? Rules { get; set; }

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(SlotName)) throw Invalid("SlotName", "must name a replication slot");
        if (TableJobs < 1) throw Invalid("TableJobs", "must be at least 1");
        if (IndexJobs < 1) throw Invalid("IndexJobs", "must be at least 1");
        if (ShardCount is < 1) throw Invalid("ShardCount", "must be at least 1");
        if (Retries < 0) throw Invalid("Retries", "must be 0 or more");
        if (ShutdownTimeout <= TimeSpan.Zero) throw Invalid("ShutdownTimeout", "must be positive, e.g. 00:00:30");
        if (LagInterval <= TimeSpan.Zero) throw Invalid("LagInterval", "must be positive, e.g. 00:00:05");
        if (HistoryInterval < TimeSpan.FromSeconds(1) || HistoryInterval > StatusHistory.Window)
        {
            throw Invalid("HistoryInterval", "must be between 00:00:01 and 01:00:00");
        }
        if (Http.Port is < 0 or > 65535) throw Invalid("Http:Port", "must be a TCP port (0 picks a free one)");
        if (Ready.MaxLagBytes < 0) throw Invalid("Ready:MaxLagBytes", "must be 0 or more");
        if (Ready.MaxLagSeconds < 0) throw Invalid("Ready:MaxLagSeconds", "must be 0 or more");
        if (LogFormat is not ("simple" or "json")) throw Invalid("LogFormat", "must be simple or json");
        // Sizes are refused here, before the host starts, with the setting's name.
        if (SplitTablesLargerThan is { } split) ByteSize.Parse(split, $"{Section}:SplitTablesLargerThan");
        ByteSize.Parse(BackfillMemory, $"{Section}:BackfillMemory");
        if (MaxRetainedWal is { } retained) ByteSize.Parse(retained, $"{Section}:MaxRetainedWal");
    }

    private static Diagnostics.BadInputException Invalid(string key, string what) =>
        new($"the setting {Section}:{key} {what} ({Origins(key)})");

    /// <summary>Where a setting can be given, for messages.</summary>
    public static string Origins(string key) =>
        $"appsettings.json, {RunSettingKeys.EnvironmentName(key)}, FOLLOW__{key.Replace(":", "__", StringComparison.Ordinal).ToUpperInvariant()}, or --{Section}:{key}=…";
}

public sealed class HttpSettings
{
    public string Address { get; set; } = "0.0.0.0";

    public int Port { get; set; } = 8080;

    /// <summary>Serve the metrics at /metrics for a Prometheus scrape, beside (or instead of) the OTLP export.</summary>
    public bool Prometheus { get; set; }
}

/// <summary>/readyz answers 200 while streaming with the lag under both limits.</summary>
public sealed class ReadySettings
{
    public long MaxLagBytes { get; set; } = 16 * 1024 * 1024;

    public double MaxLagSeconds { get; set; } = 10;
}
