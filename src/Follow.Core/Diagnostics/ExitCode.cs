namespace Follow.Diagnostics;

/// <summary>Exit status by cause, the contract scripts rely on.</summary>
public enum ExitCode
{
    Done = 0,
    DifferencesFound = 1,
    BadInput = 2,
    SourceFailure = 6,
    TargetFailure = 7,
    Internal = 12,
}
