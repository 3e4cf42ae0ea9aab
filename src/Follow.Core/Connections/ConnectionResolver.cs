using Follow.Diagnostics;

namespace Follow.Connections;

/// <summary>Picks a database's connection: the command line, else the environment, else the .load file.</summary>
public static class ConnectionResolver
{
    /// <returns>Null when none of the three gives one.</returns>
    public static ConnectionInfo? Resolve(
        ConnectionRole role, string? commandLineValue, string? loadFileValue, string loadFileOrigin) =>
        Resolve(role, commandLineValue, loadFileValue, loadFileOrigin, Environment.GetEnvironmentVariable);

    /// <param name="getEnvironmentVariable">Reads a variable; tests pass their own.</param>
    public static ConnectionInfo? Resolve(
        ConnectionRole role, string? commandLineValue, string? loadFileValue, string loadFileOrigin,
        Func<string, string?> getEnvironmentVariable)
    {
        ArgumentNullException.ThrowIfNull(role);
        ArgumentNullException.ThrowIfNull(getEnvironmentVariable);
        // An explicit option is parsed even when blank: an empty --source is a mistake to report, not to skip.
        if (commandLineValue is not null)
        {
            return ConnectionInfo.Parse(commandLineValue, role.Option);
        }
        // A variable set to nothing counts as unset, as shells make that easy to do by accident.
        if (getEnvironmentVariable(role.EnvironmentVariable) is { } fromEnvironment && !string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return ConnectionInfo.Parse(fromEnvironment, role.EnvironmentVariable);
        }
        return loadFileValue is null ? null : ConnectionInfo.Parse(loadFileValue, loadFileOrigin);
    }

    public static ConnectionInfo Require(
        ConnectionRole role, string? commandLineValue, string? loadFileValue, string loadFileOrigin) =>
        Require(role, commandLineValue, loadFileValue, loadFileOrigin, Environment.GetEnvironmentVariable);

    public static ConnectionInfo Require(
        ConnectionRole role, string? commandLineValue, string? loadFileValue, string loadFileOrigin,
        Func<string, string?> getEnvironmentVariable) =>
        Resolve(role, commandLineValue, loadFileValue, loadFileOrigin, getEnvironmentVariable)
        ?? throw new BadInputException(
            $"no {role.Name} database: give {role.Option}, set {role.EnvironmentVariable}, "
            + $"or name it in the {role.LoadFileClause.ToUpperInvariant()} clause of a .load file");
}
