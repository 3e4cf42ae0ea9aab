using System.CommandLine;
using System.ComponentModel;

namespace Follow.Cli;

/// <summary>
/// An option's environment variable, in pgcopydb's style (--table-jobs, FOLLOW_TABLE_JOBS): its value when the option
/// is not given. A value that does not convert is refused as the option's own would be, naming the variable.
/// </summary>
public static class EnvironmentTwin
{
    public static string NameOf(Option option) => "FOLLOW_" + option.Name.TrimStart('-').Replace('-', '_').ToUpperInvariant();

    public static Option<T> WithEnvironment<T>(this Option<T> option, CliContext context)
    {
        var name = NameOf(option);
        var fallback = option.DefaultValueFactory;
        option.DefaultValueFactory = result => context.Environment(name) is { Length: > 0 } text && TryConvert<T>(text, out var value)
            ? value
            : fallback is null ? default! : fallback(result);
        // Refused by a validator rather than in the default: the option's other validators then still read a value.
        option.Validators.Add(result =>
        {
            if (result.Implicit && context.Environment(name) is { Length: > 0 } text && !TryConvert<T>(text, out _))
            {
                result.AddError($"{name}={text} is not a valid value for {option.Name}{Expected(typeof(T))}");
            }
        });
        option.Description = $"{option.Description} Environment: {name}.";
        return option;
    }

    private static bool TryConvert<T>(string text, out T value)
    {
        try
        {
            value = (T)TypeDescriptor.GetConverter(typeof(T)).ConvertFromInvariantString(text)!;
            return true;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or NotSupportedException || ex.InnerException is FormatException)
        {
            value = default!;
            return false;
        }
    }

    private static string Expected(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsEnum) return $": one of {string.Join(", ", Enum.GetNames(type))}";
        return type == typeof(int) || type == typeof(long) ? ": a whole number" : "";
    }
}
