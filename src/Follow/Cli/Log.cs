using Microsoft.Extensions.Logging;

namespace Follow.Cli;

internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "read the catalog of {Source}: {Tables} tables")]
    public static partial void CatalogRead(ILogger logger, string source, int tables);
}
