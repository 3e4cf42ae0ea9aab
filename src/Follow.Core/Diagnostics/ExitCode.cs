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

    /// <summary>
    /// Stopped by SIGTERM or Ctrl-C before the migration was done, as a shell reports a process ended by SIGTERM
    /// (128 + 15): not done, so a Job or a supervisor starts it again, and it resumes.
    /// </summary>
    Stopped = 143,
}
