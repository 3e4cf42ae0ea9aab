using Microsoft.Extensions.Logging;

namespace Follow.Cli;

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Information, Message = "read the catalog of {Source}: {Tables} tables")]
    public static partial void CatalogRead(ILogger logger, string source, int tables);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Warning}")]
    public static partial void PlanWarning(ILogger logger, string warning);
}
