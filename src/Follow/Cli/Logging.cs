using Microsoft.Extensions.Logging;

namespace Follow.Cli;

/// <summary>Log lines go to standard error, so standard output stays clean for tables and JSON.</summary>
public static class Logging
{
    public static ILoggerFactory Create(Func<string, string?> environment)
    {
        var level = Enum.TryParse<LogLevel>(environment("FOLLOW_LOG_LEVEL"), ignoreCase: true, out var parsed)
            ? parsed
            : LogLevel.Information;
        return LoggerFactory.Create(builder => builder
            .SetMinimumLevel(level)
            .AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace)
            .AddSimpleConsole(options =>
            {
                options.SingleLine = true;
                options.TimestampFormat = "HH:mm:ss ";
                options.UseUtcTimestamp = true;
            }));
    }
}
