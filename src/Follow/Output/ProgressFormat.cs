using System.Globalization;

namespace Follow.Cli.Output;

/// <summary>Numbers for people: rows with thousands separators, sizes in powers of 1024 as pg_size_pretty.</summary>
public static class ProgressFormat
{
    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;

    public static string Count(long value) => value.ToString("N0", Culture);

    public static string Count(double? value) => value is null ? "" : Math.Round(value.Value).ToString("N0", Culture);

    public static string Size(long bytes)
    {
        string[] units = ["bytes", "kB", "MB", "GB", "TB"];
        double size = bytes;
        var unit = 0;
        while (size >= 1024 * 10 && unit < units.Length - 1)
        {
            size /= 1024;
            unit++;
        }
        return unit == 0 ? $"{bytes.ToString("N0", Culture)} bytes" : $"{size.ToString("N0", Culture)} {units[unit]}";
    }

    public static string MegabytesPerSecond(double? bytesPerSecond) =>
        bytesPerSecond is null ? "" : (bytesPerSecond.Value / (1024 * 1024)).ToString("N1", Culture);

    public static string Percent(double? percent) => percent is null ? "" : $"{Math.Floor(percent.Value).ToString(Culture)}%";

    public static string Duration(TimeSpan? duration)
    {
        if (duration is not { } d) return "";
        if (d < TimeSpan.FromMinutes(1)) return $"{d.TotalSeconds.ToString("0.0", Culture)}s";
        if (d < TimeSpan.FromHours(1)) return $"{d.Minutes}m{d.Seconds:00}s";
        return $"{(int)d.TotalHours}h{d.Minutes:00}m";
    }
}
