using Follow.Connections;
using Follow.Diagnostics;

namespace Follow.Tests.Connections;

public class ConnectionResolverTests
{
    private static Func<string, string?> Environment(string? source) =>
        name => name == "FOLLOW_SOURCE_PGURI" ? source : null;

    [Fact]
    public void The_command_line_wins_over_the_environment_and_the_load_file()
    {
        var info = ConnectionResolver.Resolve(ConnectionRole.Source, "postgres://cli/db", "postgres://load/db", "rules.load: from",
            Environment("postgres://env/db"));

        Assert.Equal("cli", info!.Host);
        Assert.Equal("--source", info.Origin);
    }

    [Fact]
    public void The_environment_wins_over_the_load_file()
    {
        var info = ConnectionResolver.Resolve(ConnectionRole.Source, null, "postgres://load/db", "rules.load: from",
            Environment("postgres://env/db"));

        Assert.Equal("env", info!.Host);
        Assert.Equal("FOLLOW_SOURCE_PGURI", info.Origin);
    }

    [Fact]
    public void The_load_file_is_used_when_nothing_else_is_set()
    {
        var info = ConnectionResolver.Resolve(ConnectionRole.Source, null, "postgres://load/db", "rules.load: from",
            Environment(null));

        Assert.Equal("load", info!.Host);
        Assert.Equal("rules.load: from", info.Origin);
    }

    [Fact]
    public void An_empty_environment_variable_counts_as_unset()
    {
        var info = ConnectionResolver.Resolve(ConnectionRole.Source, null, "postgres://load/db", "rules.load: from",
            Environment("  "));

        Assert.Equal("load", info!.Host);
    }

    [Fact]
    public void The_target_reads_its_own_variable()
    {
        var info = ConnectionResolver.Resolve(ConnectionRole.Target, null, null, "rules.load: into",
            name => name == "FOLLOW_TARGET_PGURI" ? "postgres://citus/db" : "postgres://wrong/db");

        Assert.Equal("citus", info!.Host);
    }

    [Fact]
    public void Nothing_set_resolves_to_null()
    {
        Assert.Null(ConnectionResolver.Resolve(ConnectionRole.Source, null, null, "rules.load: from", Environment(null)));
    }

    [Fact]
    public void An_empty_command_line_value_is_an_error_naming_the_option()
    {
        var error = Assert.Throws<BadInputException>(() =>
            ConnectionResolver.Resolve(ConnectionRole.Source, "", "postgres://load/db", "rules.load: from", Environment(null)));

        Assert.StartsWith("--source: ", error.Message);
    }

    [Fact]
    public void A_bad_environment_value_is_reported_under_the_variable_name()
    {
        var error = Assert.Throws<BadInputException>(() =>
            ConnectionResolver.Resolve(ConnectionRole.Source, null, null, "rules.load: from", Environment("postgres://db/x?bogus=1")));

        Assert.StartsWith("FOLLOW_SOURCE_PGURI: ", error.Message);
    }

    [Fact]
    public void Require_says_every_way_to_give_the_missing_database()
    {
        var error = Assert.Throws<BadInputException>(() =>
            ConnectionResolver.Require(ConnectionRole.Target, null, null, "rules.load: into", _ => null));

        Assert.Equal(
            "no target database: give --target, set FOLLOW_TARGET_PGURI, or name it in the INTO clause of a .load file",
            error.Message);
        Assert.Equal(ExitCode.BadInput, error.ExitCode);
    }

    [Fact]
    public void Require_returns_the_resolved_connection()
    {
        var info = ConnectionResolver.Require(ConnectionRole.Source, null, null, "rules.load: from", Environment("host=db"));

        Assert.Equal("db", info.Host);
    }
}
