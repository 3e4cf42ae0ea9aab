using Follow.Diagnostics;
using Npgsql;

namespace Follow.Cli;

/// <summary>
/// What a failed command or worker tells the operator, passwords scrubbed, and the exit status it ends with: a
/// Follow error keeps its own status, a database or time-out error that escaped the steps is internal (12), and
/// anything else is an internal error named by its type.
/// </summary>
public sealed record Failure(string Message, ExitCode Code, bool Unexpected)
{
    public static Failure Of(Exception ex, CliContext context) => ex switch
    {
        FollowException follow => new(context.Scrub(follow.Message), follow.ExitCode, false),
        NpgsqlException or TimeoutException => new(context.Scrub(ex.Message), ExitCode.Internal, false),
        _ => new($"internal error: {ex.GetType().Name}: {context.Scrub(ex.Message)}", ExitCode.Internal, true),
    };

    /// <summary>As the command line prints it after "follow: ".</summary>
    public string Line => Unexpected ? Message : $"error: {Message}";
}
