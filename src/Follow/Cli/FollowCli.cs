using System.CommandLine;
using System.CommandLine.Help;
using Follow.Cli.Commands;
using Follow.Diagnostics;

namespace Follow.Cli;

/// <summary>The <c>follow</c> command line: the contract of DESIGN.md, exit status by cause.</summary>
public static class FollowCli
{
    public static async Task<int> RunAsync(
        string[] args, TextWriter output, TextWriter error, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        using var context = new CliContext(output, error, environment);
        // Not a RootCommand, and not named "follow": the parser cannot tell that name apart from the follow
        // subcommand. Help and version are added as RootCommand would; the usage lines say "follow" (UsageHelp).
        var root = new Command(UsageHelp.RootName, "Follow moves a live PostgreSQL database into Citus: plan, clone, stream, cut over.")
        {
            UsageHelp.Option(),
            new VersionOption(),
            PlanCommand.Create(context),
            CloneCommand.Create(context),
            CompareCommand.Create(context),
            RepairCommand.Create(context),
            FollowCommand.Create(context),
            SentinelCommand.Create(context),
            StreamCommand.Create(context),
            RunCommand.Create(context),
            new Command("list", "Show Follow's state on the target.") { ListProgressCommand.Create(context) },
        };

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var parseError in parse.Errors) error.WriteLine($"follow: {parseError.Message}");
            error.WriteLine("Run 'follow --help' for usage.");
            return (int)ExitCode.BadInput;
        }

        try
        {
            return await parse.InvokeAsync(
                new InvocationConfiguration
                {
                    Output = output,
                    Error = error,
                    EnableDefaultExceptionHandler = false,
                    // The worker's host handles SIGTERM itself, with its own shutdown timeout. Other commands get 20 s
                    // to stop between writes and say so (exit 143); past that the parser ends the process with 130.
                    ProcessTerminationTimeout = parse.CommandResult.Command.Name == "run" ? null : TimeSpan.FromSeconds(20),
                },
                cancellationToken);
        }
        // Ctrl-C or SIGTERM: the parser cancels the command's token. Stopped before done is not done (a timeout that
        // cancels a task is a failure, not a stop).
        catch (OperationCanceledException ex) when (ex is not TaskCanceledException { InnerException: TimeoutException })
        {
            error.WriteLine("follow: stopped before done; the same command resumes");
            return (int)ExitCode.Stopped;
        }
        catch (Exception ex)
        {
            var failure = Failure.Of(ex, context);
            error.WriteLine($"follow: {failure.Line}");
            return (int)failure.Code;
        }
    }
}
