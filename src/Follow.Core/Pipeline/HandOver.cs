using System.Threading.Channels;

namespace Follow.Pipeline;

/// <summary>
/// The hand-over between two stages, bounded by count and by bytes, as Debezium's queue is: the writer waits when
/// either bound is reached, so a transaction of wide rows holds no more memory than one of narrow rows. A record
/// larger than the byte bound still passes when nothing else is held. Never drops; a failing writer hands its
/// error to the reader (<see cref="Complete"/>).
/// </summary>
public sealed class HandOver<T>(int capacity, long maxBytes, Func<T, long> sizeOf)
{
    private readonly Channel<(T Item, long Bytes)> _channel = Channel.CreateBounded<(T, long)>(new BoundedChannelOptions(capacity)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = true,
        SingleWriter = true,
    });

    private readonly SemaphoreSlim _freed = new(0);
    private long _bytes;
    private int _waiting;

    /// <summary>Bytes held now.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    public int Count => _channel.Reader.Count;

    public async ValueTask WriteAsync(T item, CancellationToken cancellationToken)
    {
        var bytes = sizeOf(item);
        while (Full(bytes))
        {
            Volatile.Write(ref _waiting, 1);
            // Looked at again after saying so: a read in between may have made room and not seen the flag.
            if (!Full(bytes)) break;
            await _freed.WaitAsync(cancellationToken);
        }
        Interlocked.Add(ref _bytes, bytes);
        await _channel.Writer.WriteAsync((item, bytes), cancellationToken);
    }

    private bool Full(long bytes)
    {
        var held = Interlocked.Read(ref _bytes);
        return held > 0 && held + bytes > maxBytes;
    }

    public bool TryRead(out T item)
    {
        if (!_channel.Reader.TryRead(out var entry))
        {
            item = default!;
            return false;
        }
        Interlocked.Add(ref _bytes, -entry.Bytes);
        if (Interlocked.Exchange(ref _waiting, 0) == 1) _freed.Release();
        item = entry.Item;
        return true;
    }

    /// <summary>Whether a record is there to read; false when the writer completed and all was read. Throws the writer's error.</summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken) => _channel.Reader.WaitToReadAsync(cancellationToken);

    public void Complete(Exception? error = null) => _channel.Writer.TryComplete(error);
}
