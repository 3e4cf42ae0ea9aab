using Follow.Cli;
using Follow.Cli.Commands;

namespace Follow.Tests.Cli;

public sealed class MaxRetainedWalOptionTests
{
    private static (string? Value, IReadOnlyList<string> Errors) Parse(Dictionary<string, string> environment, params string[] args)
    {
        using var context = new CliContext(TextWriter.Null, TextWriter.Null, name => environment.GetValueOrDefault(name));
        var parse = FollowCommand.Create(context).Parse(args);
        return (parse.GetValue<string?>("--max-retained-wal"), [.. parse.Errors.Select(e => e.Message)]);
    }

    [Fact]
    public void Is_unset_by_default()
    {
        var (value, errors) = Parse([]);

        Assert.Null(value);
        Assert.Empty(errors);
    }

    [Fact]
    public void Takes_a_size_from_the_command_line_above_its_environment_twin()
    {
        Assert.Equal("50GB", Parse(new() { ["FOLLOW_MAX_RETAINED_WAL"] = "10GB" }, "--max-retained-wal", "50GB").Value);
        Assert.Equal("10GB", Parse(new() { ["FOLLOW_MAX_RETAINED_WAL"] = "10GB" }).Value);
    }

    [Theory]
    [InlineData("--max-retained-wal", "lots")]
    [InlineData("--max-retained-wal", "-1GB")]
    public void A_value_that_is_not_a_size_is_refused_naming_the_option(string option, string value)
    {
        var (_, errors) = Parse([], option, value);

        Assert.Contains(errors, e => e.Contains("--max-retained-wal") && e.Contains("not a size"));
    }

    [Fact]
    public void Its_environment_twin_is_refused_too()
    {
        var (_, errors) = Parse(new() { ["FOLLOW_MAX_RETAINED_WAL"] = "lots" });

        Assert.Contains(errors, e => e.Contains("--max-retained-wal lots: not a size"));
    }
}
