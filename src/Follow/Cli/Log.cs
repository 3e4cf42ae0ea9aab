using Microsoft.Extensions.Logging;

namespace Follow.Cli;

internal static partial class Log
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "read the catalog of {Source}: {Tables} tables")]
    public static partial void CatalogRead(ILogger logger, string source, int tables);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information,
        Message = "copying {Table}: {Rows} of ~{EstimatedRows} rows, {Megabytes:F1} MB, {RowsPerSecond:F0} rows/s, {MegabytesPerSecond:F1} MB/s, {PartsCompleted}/{Parts} parts done")]
    public static partial void TableCopyProgress(
        ILogger logger, string table, long rows, long estimatedRows, double megabytes, double rowsPerSecond, double megabytesPerSecond,
        int partsCompleted, int parts);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "the copy progress display stopped: {Reason}")]
    public static partial void ProgressDisplayFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "plan: {Warning}")]
    public static partial void PlanWarning(ILogger logger, string warning);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "none given: the {Inputs} the clone recorded on the target are used")]
    public static partial void RecordedInputs(ILogger logger, string inputs);
}
