using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Follow.Snapshot;

/// <summary>
/// A parent's keys and the distribution key each leads to, kept as raw binary COPY fields: the key is an integer
/// column's bytes (at most 8), the value a whole field (length and bytes) to write in place of the child's key.
/// Loaded from <see cref="CopyQuery.CopyOutKeyMap"/>'s stream; the load gives up past a byte limit, so that the
/// process's memory does not grow with the tables.
/// </summary>
public sealed class BackfillKeyMap
{
    // Values go into blocks of 1 MB, so that no large array is copied as the map grows.
    private const int BlockBits = 20;
    private const int BlockSize = 1 << BlockBits;

    // A dictionary entry (hash, next, key, value) and its bucket.
    internal const int EntryBytes = 28;

    private readonly Dictionary<ulong, int> _offsets;
    private readonly List<byte[]> _blocks = [];
    private int _used = BlockSize;

    private BackfillKeyMap(int capacity) => _offsets = new Dictionary<ulong, int>(capacity);

    public int Count => _offsets.Count;

    /// <summary>The memory the map holds, about.</summary>
    public long Bytes => (long)_offsets.EnsureCapacity(0) * EntryBytes + (long)_blocks.Count * BlockSize;

    /// <summary>
    /// Reads a two-column binary COPY stream (key, value) into a map; null when it would take more than
    /// <paramref name="limit"/> bytes, or when a key comes twice (then the map cannot stand for the joins).
    /// </summary>
    /// <param name="expectedRows">The parent's row estimate, to size the map once; 0 or less when unknown.</param>
    public static BackfillKeyMap? Load(Stream copy, long expectedRows, long limit, CancellationToken cancellationToken)
    {
        var capacity = (int)Math.Clamp(expectedRows + expectedRows / 8, 16, Math.Max(16, limit / EntryBytes));
        var map = new BackfillKeyMap(capacity);
        var reader = new BufferedStream(copy, 1 << 16);
        Span<byte> header = stackalloc byte[19];
        reader.ReadExactly(header);
        Skip(reader, BinaryPrimitives.ReadInt32BigEndian(header[15..]));
        Span<byte> small = stackalloc byte[8];
        var value = new byte[256];
        var rows = 0;
        while (true)
        {
            reader.ReadExactly(small[..2]);
            var fields = BinaryPrimitives.ReadInt16BigEndian(small);
            if (fields < 0) return map;
            if (fields != 2) throw new InvalidDataException($"a key map row has {fields} fields, not 2");
            if ((++rows & 0xFFFF) == 0) cancellationToken.ThrowIfCancellationRequested();

            reader.ReadExactly(small[..4]);
            var keyLength = BinaryPrimitives.ReadInt32BigEndian(small);
            if (keyLength is < 1 or > 8) throw new InvalidDataException($"a key map key has {keyLength} bytes");
            reader.ReadExactly(small[..keyLength]);
            var key = Key(small[..keyLength]);

            reader.ReadExactly(value.AsSpan(0, 4));
            var valueLength = BinaryPrimitives.ReadInt32BigEndian(value);
            if (valueLength < 0) throw new InvalidDataException("a key map value is NULL");
            if (valueLength + 4 > value.Length) Array.Resize(ref value, Math.Max(valueLength + 4, value.Length * 2));
            reader.ReadExactly(value.AsSpan(4, valueLength));

            if (!map.TryAdd(key, value.AsSpan(0, valueLength + 4)) || map.Bytes > limit) return null;
        }
    }

    /// <summary>The field (length and bytes) that replaces a child's key, or an empty span when no row has that key.</summary>
    public ReadOnlySpan<byte> Find(ReadOnlySpan<byte> key)
    {
        if (!_offsets.TryGetValue(Key(key), out var offset)) return default;
        var block = _blocks[offset >>> BlockBits];
        var at = offset & (BlockSize - 1);
        var length = BinaryPrimitives.ReadInt32BigEndian(block.AsSpan(at));
        return block.AsSpan(at, length + 4);
    }

    private bool TryAdd(ulong key, ReadOnlySpan<byte> field)
    {
        // A value longer than a block cannot be kept; such keys are no map's business.
        if (field.Length > BlockSize) return false;
        if (BlockSize - _used < field.Length)
        {
            _blocks.Add(new byte[BlockSize]);
            _used = 0;
        }
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_offsets, key, out var exists);
        if (exists) return false;
        slot = ((_blocks.Count - 1) << BlockBits) | _used;
        field.CopyTo(_blocks[^1].AsSpan(_used));
        _used += field.Length;
        return true;
    }

    // Keys of one map all have the same width (one integer type), so the bytes alone tell them apart.
    private static ulong Key(ReadOnlySpan<byte> bytes)
    {
        ulong key = 0;
        foreach (var b in bytes) key = key << 8 | b;
        return key;
    }

    private static void Skip(Stream stream, int count)
    {
        Span<byte> buffer = stackalloc byte[256];
        while (count > 0)
        {
            var n = Math.Min(count, buffer.Length);
            stream.ReadExactly(buffer[..n]);
            count -= n;
        }
    }
}
