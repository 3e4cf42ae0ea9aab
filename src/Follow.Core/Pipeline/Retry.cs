using Follow.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;
using Polly;
using Polly.Retry;

namespace Follow.Pipeline;

/// <summary>
/// Runs a resumable step again when the source or the target went away (a lost connection, a server shutting
/// down or restarting), with a growing pause; any other error stops at once. The stream can be retried because a
/// restart resumes exactly after the last applied transaction. An attempt that worked for <see cref="HealthyPeriod"/>
/// before it lost a connection earns the whole budget back: a stream of days may lose its source more than
/// <c>retries</c> times, just not in a row.
/// </summary>
public sealed partial class Retry(int retries, ILogger logger, FollowMetrics? metrics = null, TimeProvider? clock = null)
{
    public TimeSpan HealthyPeriod { get; init; } = TimeSpan.FromMinutes(10);

    public TimeSpan FirstPause { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxPause { get; init; } = TimeSpan.FromSeconds(30);

    public async Task RunAsync(string step, Func<CancellationToken, Task> action, CancellationToken cancellationToken)
    {
        var time = clock ?? TimeProvider.System;
        var used = 0;
        var started = time.GetTimestamp();
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                // The budget is counted here rather than by Polly, whose count never renews within one execution.
                MaxRetryAttempts = int.MaxValue,
                ShouldHandle = arguments =>
                {
                    if (arguments.Outcome.Exception is not { } ex || !IsTransient(ex) || arguments.Context.CancellationToken.IsCancellationRequested)
                    {
                        return ValueTask.FromResult(false);
                    }
                    if (time.GetElapsedTime(started) >= HealthyPeriod) used = 0;
                    if (used >= retries) return ValueTask.FromResult(false);
                    used++;
                    return ValueTask.FromResult(true);
                },
                DelayGenerator = _ => ValueTask.FromResult<TimeSpan?>(Pause(used)),
                OnRetry = arguments =>
                {
                    Log.Retrying(logger, step, used, retries, arguments.RetryDelay.TotalSeconds, arguments.Outcome.Exception!.Message);
                    metrics?.Retried(step);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        await pipeline.ExecuteAsync(async ct =>
        {
            started = time.GetTimestamp();
            await action(ct);
        }, cancellationToken);
    }

    /// <summary>1 s, 2 s, 4 s … up to 30 s, from the first retry of the budget.</summary>
    private TimeSpan Pause(int retry) =>
        TimeSpan.FromTicks(Math.Min(MaxPause.Ticks, FirstPause.Ticks * (1L << Math.Min(retry - 1, 20))));

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
        [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "the connection was lost (the {Step}, retry {Attempt} of {Retries}, next in {Seconds} s): {Error}")]
        public static partial void Retrying(ILogger logger, string step, int attempt, int retries, double seconds, string error);
    }
}
