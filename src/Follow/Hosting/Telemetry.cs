using Follow.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Follow.Cli.Hosting;

/// <summary>
/// The worker's metrics through the host's OpenTelemetry: the Follow meter, the runtime's and Npgsql's, exported over
/// OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set (the exporter reads the other OTEL_* variables itself) and served at
/// /metrics for Prometheus when Follow:Http:Prometheus is true.
/// </summary>
public static class Telemetry
{
    public static void Add(IServiceCollection services, IConfiguration configuration, RunSettings settings)
    {
        var otlp = configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] is { Length: > 0 };
        if (!otlp && !settings.Http.Prometheus) return;
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(
                configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : "follow",
                serviceVersion: typeof(Telemetry).Assembly.GetName().Version?.ToString()))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(FollowMetrics.MeterName).AddRuntimeInstrumentation().AddNpgsqlInstrumentation();
                if (otlp) metrics.AddOtlpExporter();
                if (settings.Http.Prometheus) metrics.AddPrometheusExporter();
            });
    }
}
