using Follow.Connections;
using Follow.Diagnostics;
using Follow.State;
using Follow.TargetSchema;
using Microsoft.Extensions.Logging;

namespace Follow.Pipeline;

/// <summary>
/// The one place that knows the phases of a migration and their order: plan, schema, copy, post-data, stream,
/// finish. Commands and the worker say which phases they want (<see cref="MigrationScope"/>) and how; they do not
/// sequence them.
/// </summary>
public sealed partial class MigrationCoordinator(
    ConnectionInfo target, Func<PlanRecord?, CancellationToken, Task<PlannedMigration>> plan, MigrationScope scope, CloneOptions options,
    int retries, Func<PgTools> tools, ILogger logger)
{
    /// <summary>Where the migration is, for the worker's status and probes; optional.</summary>
    public FollowStatus? Status { get; init; }

    public FollowMetrics? Metrics { get; init; }

    /// <summary>Shows the copy's progress while it runs (the command line's bars, the worker's log lines); optional.</summary>
    public Func<ConnectionInfo, ICopyWatcher>? CopyWatcher { get; init; }

    /// <summary>
    /// Reads the clone's record on the target first: the plan takes the recorded rules and filters where none are
    /// given, and what the record refuses is refused before anything on the target changes.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var recorded = await MigrationRecord.ReadAsync(target, cancellationToken);
        var phases = scope == MigrationScope.Resume ? await ResumeAsync(target, cancellationToken) : scope;
        if (phases is not { } wanted) return;
        var planned = await plan(recorded?.Plan, cancellationToken);
        var cloning = wanted is MigrationScope.SchemaOnly or MigrationScope.Clone or MigrationScope.CloneAndFollow;
        // Only --drop-if-exists starts over: a load command's include drop, given again and again, would empty a
        // finished migration's tables unasked.
        var startsOver = cloning && options.Schema.DropIfExists;
        if (cloning && !startsOver) PlanAgreement.RefuseRerun(recorded);
        if (wanted == MigrationScope.Follow) PlanAgreement.RefuseUnfinished(recorded, Command(scope));
        if (!startsOver && recorded?.Plan is { } recordedPlan) PlanAgreement.RefuseOtherPlan(recordedPlan, planned.Record, Command(scope));
        var settings = startsOver ? options
            : options with { SlotName = PlanAgreement.SlotOf(recorded, options.SlotName, options.SlotNameGiven, Command(scope)) };
        await Preflight.RunAsync(planned, wanted, settings.SlotName, logger, cancellationToken);

        if (wanted == MigrationScope.SchemaOnly)
        {
            await SchemaOnlyAsync(planned, cancellationToken);
            return;
        }
        if (wanted is MigrationScope.Clone or MigrationScope.CloneAndFollow)
        {
            await using var watcher = CopyWatcher?.Invoke(planned.Target);
            await using var clone = new ClonePhases(planned.Plan, planned.Catalog, planned.Source, planned.Target, tools(), Options(planned, settings), logger)
            {
                CopyStarting = watcher is null ? null : watcher.Start,
                Status = Status,
                Metrics = Metrics,
                Record = planned.Record,
                Recorded = recorded,
            };
            await clone.SchemaAsync(cancellationToken);
            await clone.CopyAsync(cancellationToken);
            await clone.PostDataAsync(cancellationToken);
        }
        if (wanted == MigrationScope.Clone) return;

        var stream = new StreamRunner(planned.Plan, planned.Catalog, planned.Source, planned.Target, settings.SlotName, logger)
        {
            Status = Status,
            Metrics = Metrics,
        };
        await HoldTriggersAsync(planned, cancellationToken);
        var retry = new Retry(retries, logger, Metrics);
        await retry.RunAsync("stream", Observed(stream.RunAsync), cancellationToken);
        await retry.RunAsync("finish", Observed(stream.FinishAsync), cancellationToken);
        await ReleaseTriggersAsync(planned, cancellationToken);
    }

    /// <summary>A step whose lost connections the status shows, also when a retry carries on after them.</summary>
    private Func<CancellationToken, Task> Observed(Func<CancellationToken, Task> step) => async cancellationToken =>
    {
        try
        {
            await step(cancellationToken);
        }
        catch (Exception ex) when (Status is not null && Retry.IsTransient(ex) && !cancellationToken.IsCancellationRequested)
        {
            Status.Interrupted(ex.Message);
            throw;
        }
    };

    private static string Command(MigrationScope scope) => scope switch
    {
        MigrationScope.Follow => "follow follow",
        MigrationScope.Resume => "follow run",
        _ => "follow clone",
    };

    /// <summary>The moved tables' triggers stay quiet while the stream writes what the source's triggers already did.</summary>
    private async Task HoldTriggersAsync(PlannedMigration planned, CancellationToken cancellationToken)
    {
        await using var connection = await planned.Target.OpenAsync("follow", ExitCode.TargetFailure, cancellationToken);
        await TargetState.EnsureAsync(connection, cancellationToken);
        await MigrationRecord.SetPhaseAsync(connection, RecordedPhase.Streaming, cancellationToken);
        var held = await HeldTriggers.HoldAsync(connection, planned.Plan.Tables.Select(t => t.Name), cancellationToken);
        if (held > 0) Log.TriggersHeld(logger, held);
    }

    /// <summary>After endpos the target is the application's: its triggers are in force.</summary>
    private async Task ReleaseTriggersAsync(PlannedMigration planned, CancellationToken cancellationToken)
    {
        await using var connection = await planned.Target.OpenAsync("follow", ExitCode.TargetFailure, cancellationToken);
        var released = await HeldTriggers.ReleaseAsync(connection, cancellationToken);
        if (released > 0) Log.TriggersReleased(logger, released);
    }

    private static CloneOptions Options(PlannedMigration planned, CloneOptions options) =>
        planned.IncludeDrop ? options with { Schema = options.Schema with { DropIfExists = true } } : options;

    /// <summary>The schema without data: pre-data, distribution and post-data at once.</summary>
    private async Task SchemaOnlyAsync(PlannedMigration planned, CancellationToken cancellationToken)
    {
        var cloner = new SchemaCloner(planned.Plan, planned.Catalog, planned.Source, planned.Target, tools(), Options(planned, options).Schema, logger);
        try
        {
            await cloner.CheckAsync(cancellationToken);
            await cloner.DumpAsync(null, cancellationToken);
            await cloner.CreateAsync(cancellationToken);
            await cloner.FinishAsync(cancellationToken);
        }
        finally
        {
            cloner.Cleanup();
        }
    }

    /// <summary>
    /// The phases still to run, from the target's follow schema: the whole clone when no copy finished (an
    /// interrupted one is redone from a new snapshot), the stream when one did, none when the stream reached endpos.
    /// </summary>
    private async Task<MigrationScope?> ResumeAsync(ConnectionInfo target, CancellationToken cancellationToken)
    {
        ResumePoint point;
        await using (var connection = await target.OpenAsync("follow", ExitCode.TargetFailure, cancellationToken))
        {
            point = await ResumePoints.ReadAsync(connection, cancellationToken);
        }
        Log.Resuming(logger, point.ToString().ToLowerInvariant(), target.Redacted);
        if (point == ResumePoint.Done) Log.AlreadyDone(logger);
        return point switch
        {
            ResumePoint.Clone => MigrationScope.CloneAndFollow,
            ResumePoint.Stream => MigrationScope.Follow,
            _ => null,
        };
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4301, Level = LogLevel.Information, Message = "resuming at {Point} on the target {Target}")]
        public static partial void Resuming(ILogger logger, string point, string target);

        [LoggerMessage(EventId = 4302, Level = LogLevel.Information, Message = "disabled {Count} triggers of the moved tables while the stream writes what the source's triggers did (enabled again at endpos)")]
        public static partial void TriggersHeld(ILogger logger, int count);

        [LoggerMessage(EventId = 4303, Level = LogLevel.Information, Message = "enabled {Count} triggers of the moved tables again: the target is the application's")]
        public static partial void TriggersReleased(ILogger logger, int count);

        [LoggerMessage(EventId = 4304, Level = LogLevel.Information, Message = "the migration is done already (the sentinel has its done_at): nothing to do")]
        public static partial void AlreadyDone(ILogger logger);
    }
}
