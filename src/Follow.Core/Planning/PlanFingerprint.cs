using System.Security.Cryptography;
using System.Text;

namespace Follow.Planning;

/// <summary>
/// A plan as stable text, one line per moved table in name order (its category, distribution column and type,
/// backfill path, casts), and the SHA-256 of that text: two plans with the same fingerprint move every table alike.
/// </summary>
public static class PlanFingerprint
{
    public static string Text(DistributionPlan plan) =>
        string.Concat(plan.Tables.OrderBy(t => t.Name.ToString(), StringComparer.Ordinal).Select(t => Line(t) + "\n"));

    public static string Of(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static string Line(TablePlan table)
    {
        var parts = new List<string> { table.Category.Key() };
        if (table.DistributionColumn is { } column) parts.Add($"by {column} {table.DistributionColumnType}");
        if (table.Backfill is { } path) parts.Add($"from {string.Join(", ", path.Hops.Select(h => $"{h.Parent} ({h.Constraint})"))}");
        if (table.Casts.Count > 0) parts.Add($"casts {string.Join(", ", table.Casts.Select(c => $"{c.Column} to {c.TargetType}"))}");
        // A tab after the name: a quoted name may hold spaces.
        return $"{table.Name}\t{string.Join(' ', parts)}";
    }

    /// <summary>The tables two plan texts move differently, each as "table: recorded …; now …".</summary>
    public static IReadOnlyList<string> Differences(string recorded, string current)
    {
        static Dictionary<string, string> Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(l => l.Split('\t', 2)[0], l => l.Contains('\t') ? l.Split('\t', 2)[1] : "", StringComparer.Ordinal);
        var before = Lines(recorded);
        var after = Lines(current);
        return [.. before.Keys.Union(after.Keys).Order(StringComparer.Ordinal)
            .Where(t => before.GetValueOrDefault(t) != after.GetValueOrDefault(t))
            .Select(t => $"{t}: recorded {before.GetValueOrDefault(t) ?? "not moved"}; now {after.GetValueOrDefault(t) ?? "not moved"}")];
    }
}
