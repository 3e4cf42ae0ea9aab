using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Follow.Cli.Output;
using Follow.Connections;
using ConnectionInfo = Follow.Connections.ConnectionInfo;
using Follow.Diagnostics;
using Follow.Pipeline;
using Follow.Progress;
using Follow.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Follow.Cli.Hosting;

/// <summary>
/// /: the status page. /healthz (liveness): the process answers and the migration has not failed. /readyz
/// (readiness): the worker is at work, past connecting and planning, through the long copy as through the stream.
/// /status/ready: a cutover can start (streaming, the lag under the configured limits). /status: the phase, the
/// copy's per-table progress, the LSNs, the lag and the applied rate, as JSON; /status/history: the last hour of the
/// lag and the rate.
/// </summary>
public static class StatusEndpoints
{
    public static void Map(IEndpointRouteBuilder routes, FollowStatus status, StatusHistory history, RunSettings settings, ConnectionInfo target)
    {
        routes.MapGet("/", () => Results.Content(StatusPage.Html, "text/html; charset=utf-8"));
        routes.MapGet("/status/history", () => Results.Json(new
        {
            intervalSeconds = history.Interval.TotalSeconds,
            points = history.Points(),
        }, HistoryOptions));
        routes.MapHealthChecks("/healthz", Probe("healthz"));
        routes.MapHealthChecks("/readyz", Probe("readyz"));
        routes.MapHealthChecks("/status/ready", Probe("cutover"));
        routes.MapGet("/status", async (CancellationToken cancellationToken) =>
            Results.Text(await StatusJsonAsync(status.Snapshot(), history, settings, target, cancellationToken), "application/json"));
    }

    /// <summary>The probes, one health check each, tagged with the endpoint that answers it.</summary>
    public static void AddChecks(IServiceCollection services, FollowStatus status, RunSettings settings) =>
        services.AddHealthChecks()
            .AddCheck("alive", new StatusCheck(() => Alive(status.Snapshot()), "ok", "failed"), tags: ["healthz"])
            .AddCheck("working", new StatusCheck(() => Working(status.Snapshot()), "ready", "not ready"), tags: ["readyz"])
            .AddCheck("cutover", new StatusCheck(() => Cutover(status.Snapshot(), settings.Ready), "ready for cutover", "not ready for cutover"), tags: ["cutover"]);

    /// <summary>200 or 503 with the check's line, as a probe or a script reads it.</summary>
    private static HealthCheckOptions Probe(string tag) => new()
    {
        Predicate = check => check.Tags.Contains(tag),
        ResponseWriter = (http, report) =>
        {
            http.Response.ContentType = "text/plain; charset=utf-8";
            return http.Response.WriteAsync(string.Concat(report.Entries.Values.Select(entry => entry.Description + "\n")));
        },
    };

    /// <summary>Liveness: the process answers and the migration has not failed.</summary>
    public static (bool Alive, string Reason) Alive(StatusSnapshot snapshot) =>
        snapshot.Phase == FollowPhase.Failed ? (false, snapshot.Error ?? "") : (true, snapshot.Phase.Key());

    /// <summary>
    /// Readiness as Kubernetes means it: the worker is doing its work. A copy of hours is work too; "not ready" is kept
    /// for a worker still connecting and planning, and for one that failed.
    /// </summary>
    public static (bool Ready, string Reason) Working(StatusSnapshot snapshot) => snapshot.Phase switch
    {
        FollowPhase.Starting => (false, "starting: reading the target's state and planning"),
        FollowPhase.Failed => (false, $"failed: {snapshot.Error}"),
        _ => (true, snapshot.Phase.Key()),
    };

    /// <summary>A cutover can start: streaming, with the lag under both limits.</summary>
    public static (bool Ready, string Reason) Cutover(StatusSnapshot snapshot, ReadySettings limits)
    {
        if (snapshot.Phase != FollowPhase.Streaming) return (false, $"phase {snapshot.Phase.Key()}, not streaming");
        if (snapshot.LagBytes is not { } bytes) return (false, "streaming, lag not measured yet");
        var seconds = snapshot.LagSeconds ?? 0;
        var lag = $"lag {ProgressFormat.Size(bytes)}, {seconds.ToString("F1", CultureInfo.InvariantCulture)} s";
        if (bytes > limits.MaxLagBytes) return (false, $"{lag}: more than {ProgressFormat.Size(limits.MaxLagBytes)}");
        if (seconds > limits.MaxLagSeconds) return (false, $"{lag}: more than {limits.MaxLagSeconds.ToString(CultureInfo.InvariantCulture)} s");
        return (true, $"streaming, {lag}");
    }

    private static async Task<string> StatusJsonAsync(
        StatusSnapshot snapshot, StatusHistory history, RunSettings settings, ConnectionInfo target, CancellationToken cancellationToken)
    {
        var (ready, reason) = Cutover(snapshot, settings.Ready);
        var document = new JsonObject
        {
            ["phase"] = snapshot.Phase.Key(),
            ["phaseSince"] = snapshot.PhaseSince,
            ["error"] = snapshot.Error,
            ["interruption"] = snapshot.LastInterruption is { } lost ? new JsonObject { ["at"] = lost.At, ["error"] = lost.Error } : null,
            ["slotName"] = settings.SlotName,
            ["ready"] = ready,
            ["readyReason"] = reason,
            ["readyLimits"] = new JsonObject
            {
                ["maxLagBytes"] = settings.Ready.MaxLagBytes,
                ["maxLagSeconds"] = settings.Ready.MaxLagSeconds,
            },
        };
        var stream = new JsonObject
        {
            ["appliedLsn"] = snapshot.AppliedLsn?.ToString(),
            ["sourceLsn"] = snapshot.Slot?.CurrentLsn.ToString(),
            ["confirmedFlushLsn"] = snapshot.Slot?.ConfirmedFlushLsn?.ToString(),
            ["slotActive"] = snapshot.Slot?.Active,
            ["retainedBytes"] = snapshot.Slot?.RetainedBytes,
            ["walStatus"] = snapshot.Slot?.WalStatus,
            ["safeWalSize"] = snapshot.Slot?.SafeWalSize,
            ["lagBytes"] = snapshot.LagBytes,
            ["lagSeconds"] = snapshot.LagSeconds is { } seconds ? Math.Round(seconds, 3) : null,
            ["sampledAt"] = snapshot.Slot?.SampledAt,
            ["changesApplied"] = snapshot.ChangesApplied,
            ["changesPerSecond"] = history.ChangesPerSecond(snapshot) is { } rate ? Math.Round(rate, 1) : null,
        };
        document["stream"] = stream;
        try
        {
            await using var connection = await target.OpenAsync("follow status", ExitCode.TargetFailure, cancellationToken);
            if (await SentinelState.TryReadAsync(connection, cancellationToken) is { } sentinel)
            {
                stream["startpos"] = sentinel.StartPos?.ToString();
                stream["endpos"] = sentinel.EndPos?.ToString();
                stream["replayLsn"] = sentinel.ReplayLsn?.ToString();
                stream["apply"] = sentinel.Apply;
                stream["doneAt"] = sentinel.DoneAt;
            }
            var progress = await ProgressReader.ReadAsync(connection, cancellationToken);
            document["copy"] = JsonNode.Parse(ProgressRendering.Json(progress));
        }
        catch (Exception ex) when (ex is FollowException or Npgsql.NpgsqlException or TimeoutException or IOException)
        {
            // The status of a worker whose target is away says so, rather than failing.
            document["copy"] = null;
            document["targetError"] = ex.Message;
        }
        return document.ToJsonString(Options) + "\n";
    }

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    private static readonly JsonSerializerOptions HistoryOptions = new(JsonSerializerDefaults.Web);
}
