using Follow.Diagnostics;

namespace Follow.Connections;

internal static class ConnectionError
{
    /// <summary>The problem, prefixed with where the connection came from. Callers never put values in it.</summary>
    internal static BadInputException Create(string origin, string problem) => new($"{origin}: {problem}");
}
