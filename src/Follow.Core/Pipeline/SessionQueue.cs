namespace Follow.Pipeline;

/// <summary>
/// Runs units of work at most <c>sessions</c> at a time. When a session frees, the waiting unit of the lowest rank
/// goes next, then the one that came first: short units that others wait for (a table's constraints and statistics,
/// its foreign keys) need not queue behind long index builds.
/// </summary>
public sealed class SessionQueue(int sessions)
{
    private readonly PriorityQueue<TaskCompletionSource, (int Rank, long Order)> _waiting = new();
    private int _free = Math.Max(1, sessions);
    private long _order;

    public async Task RunAsync(Func<Task> work, int rank, CancellationToken cancellationToken)
    {
        TaskCompletionSource? turn = null;
        lock (_waiting)
        {
            if (_free > 0) _free--;
            else _waiting.Enqueue(turn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), (rank, _order++));
        }
        if (turn is not null)
        {
            try
            {
                await turn.Task.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                bool handedOver;
                lock (_waiting) handedOver = !_waiting.Remove(turn, out _, out _);
                // The session came to this unit as it gave up: pass it on.
                if (handedOver) Release();
                throw;
            }
        }
        try
        {
            await work();
        }
        finally
        {
            Release();
        }
    }

    private void Release()
    {
        TaskCompletionSource? next;
        lock (_waiting)
        {
            if (!_waiting.TryDequeue(out next, out _)) _free++;
        }
        next?.SetResult();
    }
}
