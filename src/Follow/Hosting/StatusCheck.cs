using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Follow.Cli.Hosting;

/// <summary>A probe of the migration's status as a health check: healthy or not, with one line saying why.</summary>
public sealed class StatusCheck(Func<(bool Yes, string Reason)> answer, string yes, string no) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var (ok, reason) = answer();
        return Task.FromResult(ok ? HealthCheckResult.Healthy($"{yes}: {reason}") : HealthCheckResult.Unhealthy($"{no}: {reason}"));
    }
}
