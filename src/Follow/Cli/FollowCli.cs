using System.CommandLine;
using Follow.Cli.Commands;
using Follow.Diagnostics;
using Npgsql;

namespace Follow.Cli;

/// <summary>The <c>follow</c> command line: the contract of DESIGN.md, exit status by cause.</summary>
public static class FollowCli
{
    public static async Task<int> RunAsync(
        string[] args, TextWriter output, TextWriter error, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        using var context = new CliContext(output, error, environment);
        var root = new RootCommand("Follow moves a live PostgreSQL database into Citus: plan, clone, stream, cut over.")
        {
            PlanCommand.Create(context),
            CloneCommand.Create(context),
            CompareCommand.Create(context),
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
                new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false },
                cancellationToken);
        }
        catch (FollowException ex)
        {
            error.WriteLine($"follow: error: {context.Scrub(ex.Message)}");
            return (int)ex.ExitCode;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            error.WriteLine("follow: stopped");
            return (int)ExitCode.Done;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            error.WriteLine($"follow: error: {context.Scrub(ex.Message)}");
            return (int)ExitCode.Internal;
        }
        catch (Exception ex)
        {
            error.WriteLine($"follow: internal error: {ex.GetType().Name}: {context.Scrub(ex.Message)}");
            return (int)ExitCode.Internal;
        }
    }
}
