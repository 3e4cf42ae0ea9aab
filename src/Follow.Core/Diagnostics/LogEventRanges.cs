namespace Follow.Diagnostics;

/// <summary>
/// Log event ids, one range of a thousand per stage, as Npgsql's NpgsqlEventId has them: an id tells where a line
/// comes from, and each is used once (a unit test keeps both).
/// </summary>
public static class LogEventRanges
{
    public static readonly IReadOnlyDictionary<string, int> ByNamespace = new Dictionary<string, int>
    {
        ["Follow.Cli"] = 1000,
        ["Follow.TargetSchema"] = 2000,
        ["Follow.Snapshot"] = 3000,
        ["Follow.Pipeline"] = 4000,
        ["Follow.Decode"] = 5000,
        ["Follow.Enrich"] = 6000,
        ["Follow.Apply"] = 7000,
        ["Follow.Compare"] = 8000,
        ["Follow.Cli.Hosting"] = 9000,
    };
}
