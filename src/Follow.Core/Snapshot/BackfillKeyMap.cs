using System.Buffers.Binary;
using System.Numerics;

namespace Follow.Snapshot;

/// <summary>
/// A parent's keys and the distribution key each leads to, from raw binary COPY fields: the key is an integer
/// column's bytes (at most 8), the value a field to write in place of the child's key. Loaded from
/// <see cref="CopyQuery.CopyOutKeyMap"/>'s stream; the load gives up past a byte limit, so that the process's memory
/// does not grow with the tables.
/// </summary>
/// <remarks>
/// The children's keys come in no order, so each lookup is a cache miss or more; the layout keeps it to one or two:
/// keys of a dense range (serial ids) index an array directly, others go into an open-addressing table, and a value
/// of a fixed-width type is kept in the slot itself rather than behind a pointer.
/// </remarks>
public sealed class BackfillKeyMap
{
    // Variable-width values go into blocks of up to 1 MB, so that no large array is copied as the map grows.
    private const int BlockBits = 20;
    private const int BlockSize = 1 << BlockBits;

    /// <summary>Bytes a key takes at most: while loading (key and value, in lists that grow by doubling) and in the table (its slot, at half load).</summary>
    internal const int EntryBytes = 32 + 32;

    private readonly int _valueWidth;
    private readonly List<byte[]> _blocks = [];
    private int _used;
    private long _blockBytes;
    private long _minKey;
    private ulong[] _keys = [];
    private Packed _values = Packed.Empty;
    private ulong[] _occupied = [];
    private int _shift;
    private bool _dense;

    private BackfillKeyMap(int valueWidth) => _valueWidth = valueWidth;

    public int Count { get; private set; }

    /// <summary>The memory the map holds, about.</summary>
    public long Bytes => 8L * (_keys.Length + _occupied.Length) + _values.Bytes + _blockBytes;

    /// <summary>The width of a distribution column type's binary form when it is fixed and at most 8 bytes, else 0.</summary>
    public static int FixedWidth(string? type) => type switch
    {
        "bigint" => 8,
        "integer" => 4,
        "smallint" => 2,
        _ => 0,
    };

    /// <summary>
    /// Reads a two-column binary COPY stream (key, value) into a map; null when it would take more than
    /// <paramref name="limit"/> bytes, or when a key comes twice (then the map cannot stand for the joins).
    /// </summary>
    /// <param name="valueWidth">The value's fixed width (see <see cref="FixedWidth"/>), or 0.</param>
    public static BackfillKeyMap? Load(Stream copy, int valueWidth, long limit, CancellationToken cancellationToken)
    {
        var map = new BackfillKeyMap(valueWidth);
        var keys = new List<ulong>();
        var values = new List<ulong>();
        var reader = new BufferedStream(copy, 1 << 16);
        Span<byte> header = stackalloc byte[19];
        reader.ReadExactly(header);
        Skip(reader, BinaryPrimitives.ReadInt32BigEndian(header[15..]));
        Span<byte> small = stackalloc byte[8];
        var value = new byte[256];
        long used = 0;
        while (true)
        {
            reader.ReadExactly(small[..2]);
            var fields = BinaryPrimitives.ReadInt16BigEndian(small);
            if (fields < 0) break;
            if (fields != 2) throw new InvalidDataException($"a key map row has {fields} fields, not 2");
            if ((keys.Count & 0xFFFF) == 0) cancellationToken.ThrowIfCancellationRequested();

            reader.ReadExactly(small[..4]);
            var keyLength = BinaryPrimitives.ReadInt32BigEndian(small);
            if (keyLength is < 1 or > 8) throw new InvalidDataException($"a key map key has {keyLength} bytes");
            reader.ReadExactly(small[..keyLength]);
            keys.Add(Key(small[..keyLength]));

            reader.ReadExactly(value.AsSpan(0, 4));
            var valueLength = BinaryPrimitives.ReadInt32BigEndian(value);
            if (valueLength < 0) throw new InvalidDataException("a key map value is NULL");
            if (valueWidth > 0 && valueLength != valueWidth) throw new InvalidDataException($"a key map value has {valueLength} bytes, not {valueWidth}");
            if (valueLength + 4 > value.Length) Array.Resize(ref value, Math.Max(valueLength + 4, value.Length * 2));
            reader.ReadExactly(value.AsSpan(4, valueLength));
            if (valueWidth > 0) values.Add(Key(value.AsSpan(4, valueLength)));
            else if (map.Store(value.AsSpan(0, valueLength + 4)) is { } offset) values.Add(offset);
            else return null;

            used = (long)keys.Count * EntryBytes + (long)map._blockBytes;
            if (used > limit) return null;
        }
        return map.Index(keys, values, limit) ? map : null;
    }

    /// <summary>Whether a key is in the map, and if so its value's slot for <see cref="Field"/>.</summary>
    public bool TryFind(ReadOnlySpan<byte> key, out ulong slot)
    {
        var k = Key(key);
        if (_dense)
        {
            var at = (ulong)((long)k - _minKey);
            if (at < (ulong)_values.Length && (_occupied[at >> 6] & 1UL << (int)at) != 0)
            {
                slot = _values[(long)at];
                return true;
            }
            slot = 0;
            return false;
        }
        var mask = _keys.Length - 1;
        for (var i = Hash(k); ; i = (i + 1) & mask)
        {
            if ((_occupied[i >> 6] & 1UL << i) == 0) break;
            if (_keys[i] == k)
            {
                slot = _values[i];
                return true;
            }
        }
        slot = 0;
        return false;
    }

    /// <summary>The field (length and bytes) of a value; <paramref name="scratch"/> (12 bytes) holds a fixed-width one.</summary>
    public ReadOnlySpan<byte> Field(ulong slot, Span<byte> scratch)
    {
        if (_valueWidth > 0)
        {
            BinaryPrimitives.WriteInt32BigEndian(scratch, _valueWidth);
            BinaryPrimitives.WriteUInt64BigEndian(scratch[4..], slot << (64 - 8 * _valueWidth));
            return scratch[..(4 + _valueWidth)];
        }
        var block = _blocks[(int)(slot >> BlockBits)];
        var at = (int)(slot & (BlockSize - 1));
        return block.AsSpan(at, BinaryPrimitives.ReadInt32BigEndian(block.AsSpan(at)) + 4);
    }

    private ulong? Store(ReadOnlySpan<byte> field)
    {
        // A value longer than a block cannot be kept; such keys are no map's business.
        if (field.Length > BlockSize) return null;
        if (_blocks.Count == 0 || _blocks[^1].Length - _used < field.Length)
        {
            // Small maps get small blocks: they double from 64 kB.
            var size = _blocks.Count == 0 ? 1 << 16 : Math.Min(BlockSize, _blocks[^1].Length * 2);
            _blocks.Add(new byte[Math.Max(size, field.Length)]);
            _blockBytes += _blocks[^1].Length;
            _used = 0;
        }
        var offset = (ulong)(_blocks.Count - 1) << BlockBits | (uint)_used;
        field.CopyTo(_blocks[^1].AsSpan(_used));
        _used += field.Length;
        return offset;
    }

    /// <summary>Builds the lookup table: an array over the key range when it is at most twice the keys, else a hash table.</summary>
    private bool Index(List<ulong> keys, List<ulong> values, long limit)
    {
        Count = keys.Count;
        if (Count == 0)
        {
            _dense = true;
            return true;
        }
        long min = long.MaxValue, max = long.MinValue;
        foreach (var key in keys)
        {
            min = Math.Min(min, (long)key);
            max = Math.Max(max, (long)key);
        }
        var blocks = _blockBytes;
        var range = (ulong)(max - min) + 1;
        if (range > 0 && range <= 2UL * (ulong)Count && range < int.MaxValue)
        {
            if (blocks + 8L * (long)range * 9 / 8 > limit) return false;
            _dense = true;
            _minKey = min;
            _values = new Packed((long)range, values);
            _occupied = new ulong[(range + 63) / 64];
            for (var i = 0; i < Count; i++)
            {
                var at = (ulong)((long)keys[i] - min);
                if ((_occupied[at >> 6] & 1UL << (int)at) != 0) return false;
                _occupied[at >> 6] |= 1UL << (int)at;
                _values[(long)at] = values[i];
            }
            return true;
        }

        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Count * 2);
        if (blocks + 16L * size + size / 8 > limit) return false;
        _shift = 64 - BitOperations.Log2((uint)size);
        _keys = new ulong[size];
        _values = new Packed(size, values);
        _occupied = new ulong[(size + 63) / 64];
        var mask = size - 1;
        for (var n = 0; n < Count; n++)
        {
            var i = Hash(keys[n]);
            while ((_occupied[i >> 6] & 1UL << i) != 0)
            {
                if (_keys[i] == keys[n]) return false;
                i = (i + 1) & mask;
            }
            _occupied[i >> 6] |= 1UL << i;
            _keys[i] = keys[n];
            _values[i] = values[n];
        }
        return true;
    }

    /// <summary>
    /// Values as their difference from the smallest, in as few bytes as the largest difference needs: this array is
    /// where each lookup misses the cache, and tenant keys seldom need 8 bytes (56,000 companies fit in 2, so the
    /// values of 336,000 ads take 0.7 MB instead of 2.7 MB).
    /// </summary>
    private sealed class Packed
    {
        public static readonly Packed Empty = new(0, []);

        private readonly byte[] _bytes;
        private readonly int _width;
        private readonly ulong _min;

        public Packed(long length, List<ulong> values)
        {
            long min = long.MaxValue, max = long.MinValue;
            foreach (var value in values)
            {
                min = Math.Min(min, (long)value);
                max = Math.Max(max, (long)value);
            }
            var range = values.Count == 0 ? 0 : unchecked((ulong)max - (ulong)min);
            _width = range <= byte.MaxValue ? 1 : range <= ushort.MaxValue ? 2 : range <= uint.MaxValue ? 4 : 8;
            _min = values.Count == 0 ? 0 : (ulong)min;
            _bytes = new byte[length * _width];
            Length = length;
        }

        public long Length { get; }

        public long Bytes => _bytes.Length;

        public ulong this[long i]
        {
            get
            {
                var at = _bytes.AsSpan((int)(i * _width));
                return unchecked(_min + _width switch
                {
                    1 => at[0],
                    2 => BinaryPrimitives.ReadUInt16LittleEndian(at),
                    4 => BinaryPrimitives.ReadUInt32LittleEndian(at),
                    _ => BinaryPrimitives.ReadUInt64LittleEndian(at),
                });
            }
            set
            {
                var at = _bytes.AsSpan((int)(i * _width));
                var difference = unchecked(value - _min);
                switch (_width)
                {
                    case 1: at[0] = (byte)difference; break;
                    case 2: BinaryPrimitives.WriteUInt16LittleEndian(at, (ushort)difference); break;
                    case 4: BinaryPrimitives.WriteUInt32LittleEndian(at, (uint)difference); break;
                    default: BinaryPrimitives.WriteUInt64LittleEndian(at, difference); break;
                }
            }
        }
    }

    // Fibonacci hashing: consecutive ids spread over the table.
    private int Hash(ulong key) => (int)((key * 0x9E3779B97F4A7C15UL) >> _shift);

    // Keys of one map all have the same width (one integer type), so the bytes alone tell them apart; read as a
    // signed number so that a dense range of negative ids stays dense.
    private static ulong Key(ReadOnlySpan<byte> bytes)
    {
        long key = (sbyte)bytes[0];
        for (var i = 1; i < bytes.Length; i++) key = key << 8 | bytes[i];
        return (ulong)key;
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
