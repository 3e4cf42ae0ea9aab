using System.CommandLine;

namespace Follow.Cli;

/// <summary>Options shared by several commands. None has a default shown in help: a URI could hold a password.</summary>
public static class CommonOptions
{
    public static Option<string?> Source() => new("--source")
    {
        Description = "Source database: a postgres:// URI or a key=value string. Default: FOLLOW_SOURCE_PGURI, then the rules' .load file.",
        HelpName = "URI",
    };

    public static Option<string?> Target() => new("--target")
    {
        Description = "Target database (Citus coordinator): a postgres:// URI or a key=value string. Default: FOLLOW_TARGET_PGURI, then the rules' .load file.",
        HelpName = "URI",
    };

    public static Option<string?> Rules() => new("--rules")
    {
        Description = "Rules file (distribute / cast rules, filter sections) or pgloader .load file. Default: FOLLOW_RULES.",
        HelpName = "FILE",
    };

    public static Option<string> SlotName() => new("--slot-name")
    {
        Description = "Name of the replication slot and publication on the source.",
        DefaultValueFactory = _ => "follow",
        HelpName = "NAME",
    };

    public static Option<bool> Json() => new("--json") { Description = "Print JSON for scripts." };

    public static Option<string[]> Repeated(string name, string description, string helpName) => new(name)
    {
        Description = description,
        HelpName = helpName,
        Arity = ArgumentArity.ZeroOrMore,
        AllowMultipleArgumentsPerToken = false,
    };
}
