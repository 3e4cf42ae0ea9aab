namespace Follow.Pipeline;

/// <summary>Watches the copy's progress from the moment its jobs are recorded until it is disposed.</summary>
public interface ICopyWatcher : IAsyncDisposable
{
    void Start(long runId);
}
