using Follow.Diagnostics;
using Microsoft.Extensions.Hosting;

namespace Follow.Cli.Hosting;

/// <summary>Adds a point to the status history at start and then once an interval, for as long as the host runs.</summary>
public sealed class StatusHistorySampler(StatusHistory history, FollowStatus status) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(history.Interval);
        history.Record(status.Snapshot());
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) history.Record(status.Snapshot());
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
