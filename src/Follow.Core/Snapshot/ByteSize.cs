using System.Globalization;
using System.Text.RegularExpressions;
using Follow.Diagnostics;

namespace Follow.Snapshot;

/// <summary>Sizes as pgcopydb writes them: 500MB, 1GB, 1.5 GB, or a number of bytes.</summary>
public static partial class ByteSize
{
    public static long Parse(string text, string origin)
    {
        var match = Pattern().Match(text.Trim());
        if (!match.Success)
        {
            throw new BadInputException($"{origin} {text}: not a size; write a number with kB, MB, GB or TB, e.g. 1GB");
        }
        var number = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var unit = match.Groups[2].Value.ToUpperInvariant() switch
        {
            "" or "B" => 1L,
            "KB" => 1L << 10,
            "MB" => 1L << 20,
            "GB" => 1L << 30,
            _ => 1L << 40,
        };
        return (long)(number * unit);
    }

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)\s*([kKmMgGtT]?[bB]?)$")]
    private static partial Regex Pattern();
}
