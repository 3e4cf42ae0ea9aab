using Follow.Cli.Hosting;
using Follow.Rules;
using Follow.Snapshot;
using Microsoft.Extensions.Configuration;

namespace Follow.Tests.Hosting;

/// <summary>The deploy examples stay in step with the settings the worker reads.</summary>
public sealed class DeploySettingsTests
{
    [Fact]
    public void The_example_appsettings_binds_to_valid_worker_settings_and_rules()
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(RepositoryFiles.Get("deploy", "appsettings.example.json")).Build();

        var settings = configuration.GetSection(RunSettings.Section).Get<RunSettings>()!;
        settings.Validate();

        // Every key is one the worker knows, and every setting is shown but those an example should not set.
        Assert.Empty(RunSettingKeys.Unknown(configuration));
        string[] leftOut = ["ShardCount", "DropIfExists"];
        var shown = configuration.GetSection(RunSettings.Section).AsEnumerable(makePathsRelative: true)
            .Where(pair => pair.Value is not null).Select(pair => pair.Key.StartsWith("Rules:", StringComparison.Ordinal) ? "Rules" : pair.Key);
        Assert.Equal(RunSettingKeys.Paths.Except(leftOut).Order(), shown.Distinct().Order());
        Assert.Equal(4, settings.TableJobs);
        Assert.Equal(OrphanPolicy.Refuse, settings.Orphans);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.ShutdownTimeout);
        Assert.Equal(8080, settings.Http.Port);
        Assert.Equal(10, settings.Ready.MaxLagSeconds);
        Assert.Equal("json", settings.LogFormat);
        var rules = configuration.GetSection("Follow:Rules").Get<string[]>()!;
        var parsed = RulesParser.Parse(string.Join("\n", rules), "appsettings.example.json");
        Assert.Single(parsed.Distribute);
        Assert.Single(parsed.Casts);
    }

    [Fact]
    public void Environment_variables_with_the_follow_prefix_reach_the_settings()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            // What FOLLOW__TABLEJOBS=3 and FOLLOW__HTTP__PORT=9000 become: keys are case-insensitive.
            ["FOLLOW:TABLEJOBS"] = "3",
            ["FOLLOW:HTTP:PORT"] = "9000",
        }).Build();

        var settings = configuration.GetSection(RunSettings.Section).Get<RunSettings>()!;

        Assert.Equal(3, settings.TableJobs);
        Assert.Equal(9000, settings.Http.Port);
    }
}
