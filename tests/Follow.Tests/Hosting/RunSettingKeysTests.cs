using Follow.Cli.Hosting;
using Microsoft.Extensions.Configuration;

namespace Follow.Tests.Hosting;

public sealed class RunSettingKeysTests
{
    [Theory]
    [InlineData("TableJobs", "FOLLOW_TABLE_JOBS")]
    [InlineData("SlotName", "FOLLOW_SLOT_NAME")]
    [InlineData("Http:Port", "FOLLOW_HTTP_PORT")]
    [InlineData("Ready:MaxLagBytes", "FOLLOW_READY_MAX_LAG_BYTES")]
    [InlineData("MaxRetainedWal", "FOLLOW_MAX_RETAINED_WAL")]
    [InlineData("Http:Prometheus", "FOLLOW_HTTP_PROMETHEUS")]
    public void A_setting_has_an_environment_twin_in_pgcopydb_style(string path, string variable)
    {
        Assert.Contains(path, RunSettingKeys.Paths);
        Assert.Equal(variable, RunSettingKeys.EnvironmentName(path));
    }

    [Fact]
    public void The_twins_become_settings_of_the_Follow_section_but_FOLLOW_RULES_stays_a_file()
    {
        var environment = new Dictionary<string, string> { ["FOLLOW_TABLE_JOBS"] = "4", ["FOLLOW_HTTP_PORT"] = "9000", ["FOLLOW_RULES"] = "/work/rules.txt" };

        var entries = RunSettingKeys.FromEnvironment(name => environment.GetValueOrDefault(name));

        Assert.Equal(new Dictionary<string, string?> { ["Follow:TableJobs"] = "4", ["Follow:Http:Port"] = "9000" }, entries);
    }

    [Fact]
    public void Keys_that_name_no_setting_are_found_at_any_depth_whatever_their_case()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["FOLLOW:TABLEJOBS"] = "4",
            ["Follow:BogusSetting"] = "1",
            ["Follow:Http:Port"] = "8080",
            ["Follow:Http:Prot"] = "8080",
            ["Follow:Rules:0"] = "distribute companies using id",
            ["Other:Key"] = "not Follow's",
        }).Build();

        Assert.Equal(["Follow:BogusSetting", "Follow:Http:Prot"], RunSettingKeys.Unknown(configuration).Order());
    }

    [Fact]
    public void Help_lists_every_setting_with_its_variable_and_default()
    {
        var lines = RunSettingKeys.HelpLines().ToList();

        Assert.Equal(RunSettingKeys.Paths.Count, lines.Count);
        Assert.Contains(lines, line => line.StartsWith("TableJobs ", StringComparison.Ordinal) && line.Contains("FOLLOW_TABLE_JOBS") && line.EndsWith(" 2", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("ShutdownTimeout ", StringComparison.Ordinal) && line.EndsWith("00:00:30", StringComparison.Ordinal));
        // FOLLOW_RULES names a rules file, as for every command: it is not the Rules setting's twin.
        Assert.Contains("FOLLOW__RULES__0", lines.Single(line => line.StartsWith("Rules ", StringComparison.Ordinal)));
    }
}
