using System.Collections.Concurrent;

namespace Follow.Diagnostics;

/// <summary>Fixed SQL lives in .sql files (runnable in psql) embedded in the assembly.</summary>
public static class SqlResource
{
    private static readonly ConcurrentDictionary<string, string> Cache = new();

    /// <param name="name">Path under src/Follow.Core with dots, e.g. <c>Discovery.Sql.tables.sql</c>.</param>
    public static string Load(string name) => Cache.GetOrAdd(name, static n =>
    {
        var assembly = typeof(SqlResource).Assembly;
        using var stream = assembly.GetManifestResourceStream("Follow." + n)
            ?? throw new InvalidOperationException($"embedded SQL resource {n} is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });
}
