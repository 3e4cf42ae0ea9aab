using Follow.IntegrationTests.Cli;

namespace Follow.IntegrationTests.Run;

/// <summary>
/// Settings refused at start, before any connection: the databases named here do not exist, so a setting let through
/// would end in a connection failure (exit 6 or 7) rather than in exit 2.
/// </summary>
public sealed class SettingsTests
{
    private static readonly string[] Nowhere = ["--source", "postgres://nobody@127.0.0.1:1/source", "--target", "postgres://nobody@127.0.0.1:1/target"];

    private static Task<FollowProcess.Result> FollowAsync(string variable, string value, params string[] args) =>
        FollowProcess.RunAsync(new Dictionary<string, string> { [variable] = value }, [.. args, .. Nowhere]);

    [Fact]
    public async Task An_unknown_key_of_the_Follow_section_is_refused_by_follow_run_with_exit_2_naming_it()
    {
        var result = await FollowAsync("FOLLOW__BOGUSSETTING", "1", "run", "--Follow:Http:Port=0");

        Assert.True(result.ExitCode == 2, result.All);
        Assert.Contains("Follow:BOGUSSETTING is not a setting of follow run", result.Error);
    }

    [Fact]
    public async Task A_table_jobs_variable_that_is_not_a_number_is_refused_by_follow_clone_with_exit_2_naming_it()
    {
        var result = await FollowAsync("FOLLOW_TABLE_JOBS", "abc", "clone");

        Assert.True(result.ExitCode == 2, result.All);
        Assert.Contains("FOLLOW_TABLE_JOBS=abc is not a valid value for --table-jobs", result.Error);
    }

    [Fact]
    public async Task Follow_run_reads_the_same_variables_and_refuses_a_value_that_does_not_convert_naming_the_setting()
    {
        var notNumber = await FollowAsync("FOLLOW_TABLE_JOBS", "abc", "run", "--Follow:Http:Port=0");
        Assert.True(notNumber.ExitCode == 2, notNumber.All);
        Assert.Contains("'Follow:TableJobs'", notNumber.Error);

        var outOfRange = await FollowAsync("FOLLOW_READY_MAX_LAG_BYTES", "-1", "run", "--Follow:Http:Port=0");
        Assert.True(outOfRange.ExitCode == 2, outOfRange.All);
        Assert.Contains("Follow:Ready:MaxLagBytes", outOfRange.Error);
    }

    [Theory]
    [InlineData("--max-retained-wal lots: not a size", "clone", "--follow")]
    [InlineData("Follow:MaxRetainedWal lots: not a size", "run", "--Follow:Http:Port=0")]
    public async Task A_max_retained_wal_that_is_not_a_size_is_refused_with_exit_2_naming_it(string named, params string[] args)
    {
        var result = await FollowAsync("FOLLOW_MAX_RETAINED_WAL", "lots", args);

        Assert.True(result.ExitCode == 2, result.All);
        Assert.Contains(named, result.Error);
    }
}
