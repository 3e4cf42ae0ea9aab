using Follow.Cli;

namespace Follow.Tests.Cli;

public sealed class UsageHelpTests
{
    [Theory]
    [InlineData("follow [command] [options]", "--help")]
    [InlineData("follow clone [options]", "clone", "--help")]
    [InlineData("follow follow [options]", "follow", "--help")]
    [InlineData("follow list progress [options]", "list", "progress", "-h")]
    public async Task Usage_lines_name_the_executable_in_lower_case(string usage, params string[] args)
    {
        using var output = new StringWriter();

        var exit = await FollowCli.RunAsync(args, output, TextWriter.Null, _ => null, CancellationToken.None);

        Assert.Equal(0, exit);
        Assert.Contains($"Usage:\n  {usage}", output.ToString().ReplaceLineEndings("\n"));
        Assert.DoesNotContain("  Follow ", output.ToString().Split("Usage:")[1]);
    }

    [Fact]
    public void Only_the_usage_lines_change_not_the_description()
    {
        var help = "Description:\n  Follow moves a live PostgreSQL database.\n\nUsage:\n  Follow clone [options]\n";

        Assert.Equal("Description:\n  Follow moves a live PostgreSQL database.\n\nUsage:\n  follow clone [options]\n", UsageHelp.Fix(help));
    }
}
