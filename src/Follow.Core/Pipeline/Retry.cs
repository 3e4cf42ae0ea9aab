using Follow.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Follow.Pipeline;

/// <summary>
/// Runs a resumable step again when the source or the target went away (a lost connection, a server shutting
/// down or restarting), with a growing pause; any other error stops at once. The stream can be retried because a
/// restart resumes exactly after the last applied transaction.
/// </summary>
public static partial class Retry
{
    public static async Task RunAsync(Func<CancellationToken, Task> step, ILogger logger, int attempts, CancellationToken cancellationToken)
    {
        var pause = TimeSpan.FromSeconds(1);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await step(cancellationToken);
                return;
            }
            catch (Exception ex) when (attempt < attempts && IsTransient(ex) && !cancellationToken.IsCancellationRequested)
            {
                Log.Retrying(logger, attempt, attempts - 1, pause.TotalSeconds, ex.Message);
                await Task.Delay(pause, cancellationToken);
                pause = TimeSpan.FromSeconds(Math.Min(30, pause.TotalSeconds * 2));
            }
        }
    }

    /// <summary>A connection lost or refused, or a server going down: not a problem of the data or the plan.</summary>
    public static bool IsTransient(Exception ex) => ex switch
    {
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal)
            || pg.SqlState is "57P01" or "57P02" or "57P03" or "53300",
        NpgsqlException or IOException or TimeoutException => true,
        FollowException { InnerException: { } inner } => IsTransient(inner),
        _ => false,
    };

    private static partial class Log
    {
        [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "the connection was lost (attempt {Attempt} of {Retries} retries, next in {Seconds} s): {Error}")]
        public static partial void Retrying(ILogger logger, int attempt, int retries, double seconds, string error);
    }
}
