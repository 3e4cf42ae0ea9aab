using Follow.Connections;

namespace Follow.Tests.Connections;

/// <summary>Parses with a fixed answer to "does the default socket directory exist?", so tests agree on every machine.</summary>
internal static class Parsing
{
    internal const string Origin = "--source";

    internal static ConnectionInfo Parse(string text, bool socketDirectoryExists = false) =>
        ConnectionInfo.Parse(text, Origin, _ => socketDirectoryExists);

    internal static string ErrorFrom(string text, string origin = Origin) =>
        Assert.Throws<Follow.Diagnostics.BadInputException>(() => ConnectionInfo.Parse(text, origin, _ => false)).Message;
}
