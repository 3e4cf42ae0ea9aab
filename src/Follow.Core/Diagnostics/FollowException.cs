namespace Follow.Diagnostics;

/// <summary>An error Follow explains to the operator: what, why, what to change. The message never holds a password.</summary>
public class FollowException(string message, ExitCode exitCode, Exception? inner = null) : Exception(message, inner)
{
    public ExitCode ExitCode { get; } = exitCode;
}

/// <summary>Bad input or configuration, found before anything was changed.</summary>
public class BadInputException(string message, Exception? inner = null) : FollowException(message, ExitCode.BadInput, inner);
