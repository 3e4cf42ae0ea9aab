namespace Follow.Progress;

/// <summary>The states of <c>follow.job.state</c>.</summary>
public enum JobState
{
    Pending,
    Running,
    Failed,
    Completed,
}

public static class JobStates
{
    public static JobState Parse(string text) => text switch
    {
        "pending" => JobState.Pending,
        "running" => JobState.Running,
        "failed" => JobState.Failed,
        "completed" => JobState.Completed,
        _ => throw new FormatException($"unknown follow.job state '{text}'"),
    };

    public static string Key(this JobState state) => state.ToString().ToLowerInvariant();

    public static bool IsFinished(this JobState state) => state is JobState.Completed or JobState.Failed;
}
