using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Text.RegularExpressions;

namespace Follow.Cli;

/// <summary>
/// Help as System.CommandLine writes it, but with the executable's name, <c>follow</c>, in the usage lines: the root
/// command cannot bear that name, which the follow subcommand has.
/// </summary>
public static partial class UsageHelp
{
    public const string RootName = "Follow";

    public static HelpOption Option()
    {
        var option = new HelpOption();
        option.Action = new Lowercased((HelpAction)option.Action!);
        return option;
    }

    /// <summary>The help text with the usage lines' first word in lower case.</summary>
    public static string Fix(string help) => UsageRoot().Replace(help, "${usage}follow");

    private sealed class Lowercased(HelpAction help) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            // The help action writes to the invocation's output: lend it a buffer for the time it writes.
            var configuration = parseResult.InvocationConfiguration;
            var output = configuration.Output;
            using var text = new StringWriter();
            configuration.Output = text;
            try
            {
                help.Invoke(parseResult);
            }
            finally
            {
                configuration.Output = output;
            }
            output.Write(Fix(text.ToString()));
            return 0;
        }
    }

    [GeneratedRegex($@"(?<usage>^Usage:\r?\n[ \t]+){RootName}\b", RegexOptions.Multiline)]
    private static partial Regex UsageRoot();
}
