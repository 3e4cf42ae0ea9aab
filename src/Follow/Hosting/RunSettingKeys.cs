using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Follow.Cli.Hosting;

/// <summary>
/// The keys of <see cref="RunSettings"/> as configuration paths (<c>TableJobs</c>, <c>Http:Port</c>), their
/// environment twins in pgcopydb's style (<c>FOLLOW_TABLE_JOBS</c>, <c>FOLLOW_HTTP_PORT</c>), and the keys of a
/// configuration that are none of them.
/// </summary>
public static class RunSettingKeys
{
    /// <summary>Every setting, as a path under the Follow section, in declaration order.</summary>
    public static IReadOnlyList<string> Paths { get; } = [.. PathsOf(typeof(RunSettings), "")];

    /// <summary>FOLLOW_ and the path in upper snake case: TableJobs is FOLLOW_TABLE_JOBS, Ready:MaxLagBytes FOLLOW_READY_MAX_LAG_BYTES.</summary>
    public static string EnvironmentName(string path) =>
        "FOLLOW_" + string.Concat(path.Select((c, i) => c == ':' ? "_" : char.IsUpper(c) && i > 0 && path[i - 1] != ':' ? "_" + c : char.ToUpperInvariant(c).ToString()));

    /// <summary>
    /// The settings given as environment twins, as configuration entries of the Follow section. The rules are not
    /// among them: FOLLOW_RULES names a rules file, as for every command.
    /// </summary>
    public static Dictionary<string, string?> FromEnvironment(Func<string, string?> environment) =>
        Paths.Where(path => path != nameof(RunSettings.Rules))
            .Select(path => (path, value: environment(EnvironmentName(path))))
            .Where(pair => pair.value is { Length: > 0 })
            .ToDictionary(pair => $"{RunSettings.Section}:{pair.path}", pair => pair.value);

    /// <summary>One line a setting: its key, its environment twin and its default, for <c>follow run --help</c>.</summary>
    public static IEnumerable<string> HelpLines()
    {
        var defaults = new RunSettings();
        var width = Paths.Max(p => p.Length) + 2;
        var twinWidth = Paths.Max(p => EnvironmentName(p).Length) + 2;
        return Paths.Where(path => path != nameof(RunSettings.Rules))
            .Select(path => $"{path.PadRight(width)}{EnvironmentName(path).PadRight(twinWidth)}{DefaultOf(defaults, path)}".TrimEnd())
            .Append($"{"Rules".PadRight(width)}{"FOLLOW__RULES__0, …".PadRight(twinWidth)}rules as lines, when --rules and FOLLOW_RULES name no file");
    }

    private static string DefaultOf(object settings, string path)
    {
        object? value = settings;
        foreach (var name in path.Split(':')) value = value?.GetType().GetProperty(name)!.GetValue(value);
        return value switch
        {
            null => "",
            IFormattable formattable => formattable.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
    }

    /// <summary>The configuration's keys under the Follow section that name no setting, as their full paths.</summary>
    public static IEnumerable<string> Unknown(IConfiguration configuration) => UnknownIn(configuration.GetSection(RunSettings.Section), typeof(RunSettings));

    private static IEnumerable<string> UnknownIn(IConfigurationSection section, Type type)
    {
        foreach (var child in section.GetChildren())
        {
            var property = type.GetProperty(child.Key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is null)
            {
                yield return child.Path;
            }
            else if (IsGroup(property.PropertyType))
            {
                foreach (var unknown in UnknownIn(child, property.PropertyType)) yield return unknown;
            }
        }
    }

    private static IEnumerable<string> PathsOf(Type type, string prefix)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            if (IsGroup(property.PropertyType))
            {
                foreach (var path in PathsOf(property.PropertyType, $"{prefix}{property.Name}:")) yield return path;
            }
            else
            {
                yield return prefix + property.Name;
            }
        }
    }

    /// <summary>A class of settings of its own (Http, Ready), not a value or a list.</summary>
    private static bool IsGroup(Type type) => type.IsClass && type != typeof(string) && !type.IsArray;
}
