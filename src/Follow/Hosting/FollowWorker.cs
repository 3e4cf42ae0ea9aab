using System.Collections;
using Follow.Cli.Commands;
using Follow.Cli.Output;
using Follow.Diagnostics;
using Follow.Pipeline;
using Follow.Snapshot;
using Follow.State;
using Follow.TargetSchema;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Follow.Cli.Hosting;

/// <summary>
/// The exit status <c>follow run</c> ends with, set by the worker before it stops the host. Stopped until the worker
/// says otherwise: a host that gave up waiting for the worker at shutdown did not finish the migration either.
/// </summary>
public sealed class WorkerOutcome
{
    public int ExitCode { get; set; } = (int)Diagnostics.ExitCode.Stopped;
}

/// <summary>
/// Drives a migration from where the target's follow schema says it is: plan, then clone (schema, copy, post-data)
/// unless a copy already finished, then stream until the sentinel's endpos, then stop the host. A copy that was
/// interrupted is redone from a new snapshot; a stream resumes after the last transaction the target committed.
/// SIGTERM cancels the work in flight: an open target transaction rolls back, and what the target committed was
/// acknowledged to the source already.
/// </summary>
public sealed partial class FollowWorker(
    PlanInputs.Resolved inputs,
    RunSettings settings,
    FollowStatus status,
    FollowMetrics metrics,
    WorkerOutcome outcome,
    CliContext context,
    IHostApplicationLifetime lifetime,
    ILogger<FollowWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Let the host finish starting (and the HTTP endpoint answer) before the first connection is tried.
        await Task.Yield();
        using var scope = logger.BeginScope(new StatusScope(status));
        try
        {
            await Sampler().AlongsideAsync(Coordinator().RunAsync, stoppingToken);
            status.Enter(FollowPhase.Done);
            Log.Done(logger);
            outcome.ExitCode = (int)ExitCode.Done;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            var snapshot = status.Snapshot();
            Log.Stopped(logger, snapshot.Phase.Key(), snapshot.AppliedLsn?.ToString() ?? "nothing", (int)ExitCode.Stopped);
            outcome.ExitCode = (int)ExitCode.Stopped;
        }
        catch (Exception ex)
        {
            var failure = Failure.Of(ex, context);
            status.Enter(FollowPhase.Failed, failure.Message);
            Log.Failed(logger, failure.Message, (int)failure.Code);
            outcome.ExitCode = (int)failure.Code;
        }
        finally
        {
            lifetime.StopApplication();
        }
    }

    /// <summary>The migration from where the target says it is, with the worker's settings.</summary>
    private MigrationCoordinator Coordinator()
    {
        var split = settings.SplitTablesLargerThan is { } text ? ByteSize.Parse(text, "Follow:SplitTablesLargerThan") : (long?)null;
        var options = new CloneOptions(
            new SchemaCloneOptions(settings.DropIfExists, settings.IndexJobs, settings.ShardCount),
            new CopyOptions(settings.TableJobs, split, BackfillMemory: ByteSize.Parse(settings.BackfillMemory, "Follow:BackfillMemory")),
            settings.Orphans,
            settings.SlotName);
        return new MigrationCoordinator(
            inputs.Target, async (recorded, ct) => (await inputs.PlanAsync(recorded, logger, ct)).ToMigration(),
            MigrationScope.Resume, options, settings.Retries, () => PgTools.Locate(context.Environment), logger)
        {
            Status = status,
            Metrics = metrics,
            CopyWatcher = target => new CopyDisplay(target, context.Error, interactive: false, logger),
        };
    }

    /// <summary>The source's WAL position against the slot's, every few seconds, for the gauges, /status and /status/ready.</summary>
    private SlotSampler Sampler()
    {
        var limit = settings.MaxRetainedWal is { } text ? ByteSize.Parse(text, "Follow:MaxRetainedWal") : (long?)null;
        return new SlotSampler(inputs.Source, settings.SlotName, settings.LagInterval, limit, logger)
        {
            Sampled = status.Sampled,
            Scrub = context.Scrub,
        };
    }

    /// <summary>Every log line of the worker carries the phase and the applied LSN as they are when it is written.</summary>
    private sealed class StatusScope(FollowStatus status) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        private KeyValuePair<string, object?>[] Pairs()
        {
            var snapshot = status.Snapshot();
            return [new("Phase", snapshot.Phase.Key()), new("Lsn", snapshot.AppliedLsn?.ToString())];
        }

        public int Count => 2;

        public KeyValuePair<string, object?> this[int index] => Pairs()[index];

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)Pairs()).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString()
        {
            var snapshot = status.Snapshot();
            return snapshot.AppliedLsn is { } lsn ? $"{snapshot.Phase.Key()} {lsn}" : snapshot.Phase.Key();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = "migration done: everything up to endpos is applied")]
        public static partial void Done(ILogger logger);

        [LoggerMessage(EventId = 9002, Level = LogLevel.Information, Message = "stopped during {Phase}: applied up to {Applied}; a restart resumes from there (exit {ExitCode})")]
        public static partial void Stopped(ILogger logger, string phase, string applied, int exitCode);

        [LoggerMessage(EventId = 9003, Level = LogLevel.Error, Message = "failed: {Message} (exit {ExitCode})")]
        public static partial void Failed(ILogger logger, string message, int exitCode);
    }
}
