using System.CommandLine;
using Follow.Cli.Hosting;
using Follow.Diagnostics;
using Follow.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using System.Diagnostics.Metrics;

namespace Follow.Cli.Commands;

/// <summary>
/// <c>follow run</c>: the hosted worker. Plan, clone, stream and stop at endpos, resuming from the target's state;
/// /healthz, /readyz and /status over HTTP; the Follow, runtime and Npgsql meters, exported over OTLP and served to
/// Prometheus when configured.
/// </summary>
public static class RunCommand
{
    public static Command Create(CliContext context)
    {
        var inputs = new PlanInputs();
        var target = CommonOptions.Target();
        var command = new Command("run",
            "The hosted worker: clone unless a copy finished, stream until the sentinel's endpos, exit 0 (143 when stopped before). "
            + "Serves the status page at /, and /healthz, /readyz, /status (and /metrics with Http:Prometheus). "
            + "Metrics go over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set.\n\nSettings (appsettings.json's Follow section, the variable, "
            + "FOLLOW__KEY, or --Follow:Key=value; an unknown key is refused):\n  "
            + string.Join("\n  ", RunSettingKeys.HelpLines()))
        {
            // --Follow:Key=value arguments go to the configuration, as in any .NET host.
            TreatUnmatchedTokensAsErrors = false,
        };
        inputs.AddTo(command);
        command.Add(target);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var arguments = parse.UnmatchedTokens.ToArray();
            foreach (var argument in arguments.Where(a => !a.StartsWith("--", StringComparison.Ordinal) || !a.Contains(':', StringComparison.Ordinal)))
            {
                throw new BadInputException($"follow run does not know the argument {argument}; settings are given as --Follow:Key=value");
            }
            var resolved = inputs.Resolve(parse, context, target);
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
            {
                Args = arguments,
                ContentRootPath = Directory.GetCurrentDirectory(),
                ApplicationName = "follow",
            });
            // The twins go above the FOLLOW__ variables; the command line stays above all.
            builder.Configuration.AddInMemoryCollection(RunSettingKeys.FromEnvironment(context.Environment));
            builder.Configuration.AddCommandLine(arguments);
            var settings = ReadSettings(builder.Configuration);
            ConfigureLogging(builder.Logging, settings, context.Environment);
            builder.WebHost.UseUrls($"http://{settings.Http.Address}:{settings.Http.Port}");
            builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = settings.ShutdownTimeout);

            var status = new FollowStatus();
            var outcome = new WorkerOutcome();
            var history = new StatusHistory(settings.HistoryInterval);
            builder.Services.AddSingleton(resolved);
            builder.Services.AddSingleton(settings);
            builder.Services.AddSingleton(status);
            builder.Services.AddMetrics();
            builder.Services.AddSingleton(services => new FollowMetrics(status, services.GetRequiredService<IMeterFactory>()));
            Telemetry.Add(builder.Services, builder.Configuration, settings);
            StatusEndpoints.AddChecks(builder.Services, status, settings);
            builder.Services.AddSingleton(outcome);
            builder.Services.AddSingleton(context);
            builder.Services.AddSingleton(history);
            builder.Services.AddHostedService<FollowWorker>();
            builder.Services.AddHostedService<StatusHistorySampler>();

            await using var app = builder.Build();
            StatusEndpoints.Map(app, status, history, settings, resolved.Target);
            if (settings.Http.Prometheus) app.MapPrometheusScrapingEndpoint();
            try
            {
                await app.StartAsync(cancellationToken);
            }
            catch (IOException ex)
            {
                throw new BadInputException(
                    $"cannot listen on {settings.Http.Address}:{settings.Http.Port} for /healthz, /readyz and /status: {ex.Message}; "
                    + "choose another port with FOLLOW__HTTP__PORT or --Follow:Http:Port=N");
            }
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            app.Logger.LogInformation("listening on {Addresses} for the status page (/), /healthz, /readyz and /status{Metrics}",
                string.Join(", ", addresses), settings.Http.Prometheus ? ", /metrics" : "");
            await app.WaitForShutdownAsync(CancellationToken.None);
            return outcome.ExitCode;
        });
        return command;
    }

    private static RunSettings ReadSettings(IConfiguration configuration)
    {
        if (RunSettingKeys.Unknown(configuration).FirstOrDefault() is { } unknown)
        {
            throw new BadInputException(
                $"{unknown} is not a setting of follow run (a misspelling?); the settings are {string.Join(", ", RunSettingKeys.Paths)}, "
                + "given in appsettings.json's Follow section, as FOLLOW_TABLE_JOBS or FOLLOW__TABLEJOBS variables, or as --Follow:TableJobs=N");
        }
        RunSettings settings;
        try
        {
            settings = configuration.GetSection(RunSettings.Section).Get<RunSettings>() ?? new RunSettings();
        }
        catch (InvalidOperationException ex)
        {
            // The binder's message names the setting ("… at 'Follow:TableJobs' to type 'System.Int32'"); the inner one only the value.
            throw new BadInputException($"{ex.Message} {ex.InnerException?.Message} Settings are given in appsettings.json, as FOLLOW_TABLE_JOBS or "
                + "FOLLOW__TABLEJOBS variables, or as --Follow:Key=value.");
        }
        settings.Validate();
        return settings;
    }

    private static void ConfigureLogging(ILoggingBuilder logging, RunSettings settings, Func<string, string?> environment)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(Enum.TryParse<LogLevel>(environment("FOLLOW_LOG_LEVEL"), ignoreCase: true, out var level) ? level : LogLevel.Information);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        // A probe's answer is the report: a worker not ready yet is not an error to log at every probe.
        logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None);
        logging.AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
        if (settings.LogFormat == "json")
        {
            logging.AddJsonConsole(options =>
            {
                options.IncludeScopes = true;
                options.UseUtcTimestamp = true;
                options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
        else
        {
            logging.AddSimpleConsole(options =>
            {
                options.SingleLine = true;
                options.IncludeScopes = true;
                options.TimestampFormat = "HH:mm:ss ";
                options.UseUtcTimestamp = true;
            });
        }
    }
}
