using System.Buffers.Binary;

namespace Follow.Snapshot;

/// <summary>
/// Turns the binary COPY stream of <see cref="CopyQuery.CopyOutByKey"/> into the target's rows as bytes pass
/// through: each tuple's first field, the child's key, is replaced by the distribution key the map gives for it,
/// and a tuple whose key is NULL or not in the map is left out, as the inner joins would leave it out. Beyond the
/// key, only tuple and field lengths are read; values are never decoded.
/// </summary>
public sealed class BackfillKeyRewriter(BackfillKeyMap map, Stream target)
{
    private const int HeaderBytes = 19;

    private readonly byte[] _out = new byte[1 << 17];
    private int _outCount;

    private readonly byte[] _pending = new byte[8];
    private readonly byte[] _scratch = new byte[12];
    private int _pendingCount;
    private int _need = HeaderBytes;
    private byte[]? _header = new byte[HeaderBytes];
    private State _state = State.Header;

    // Bytes of field data (or the header extension) still to pass on, or to drop when the tuple is left out.
    private long _pass;
    private bool _keep = true;
    private int _fieldsLeft;
    private short _fields;

    private enum State { Header, FieldCount, KeyLength, Key, FieldLength, Done }

    /// <summary>Tuples written.</summary>
    public long Rows { get; private set; }

    /// <summary>Tuples left out: no distribution key.</summary>
    public long Dropped { get; private set; }

    /// <summary>Bytes written.</summary>
    public long Bytes { get; private set; }

    public void Write(ReadOnlySpan<byte> data)
    {
        while (data.Length > 0)
        {
            if (_state == State.FieldCount && _pass == 0 && _pendingCount == 0)
            {
                data = WholeTuples(data);
                if (data.Length == 0) return;
            }
            if (_pass > 0)
            {
                var n = (int)Math.Min(_pass, data.Length);
                if (_keep) Emit(data[..n]);
                _pass -= n;
                data = data[n..];
                continue;
            }
            if (_state == State.Done) throw new InvalidDataException("bytes after the end of a binary COPY stream");

            ReadOnlySpan<byte> item;
            if (_pendingCount == 0 && data.Length >= _need)
            {
                item = data[.._need];
                data = data[_need..];
            }
            else
            {
                var buffer = _state == State.Header ? _header! : _pending;
                var take = Math.Min(_need - _pendingCount, data.Length);
                data[..take].CopyTo(buffer.AsSpan(_pendingCount));
                _pendingCount += take;
                data = data[take..];
                if (_pendingCount < _need) return;
                _pendingCount = 0;
                item = buffer.AsSpan(0, _need);
            }
            Advance(item);
        }
    }

    /// <summary>
    /// The common case, tuples that lie whole in the data: each is passed on in three copies (its field count, the
    /// key's field, the rest). Returns the data from the first tuple that does not, which the state machine takes.
    /// </summary>
    private ReadOnlySpan<byte> WholeTuples(ReadOnlySpan<byte> data)
    {
        while (data.Length >= 6)
        {
            var fields = BinaryPrimitives.ReadInt16BigEndian(data);
            if (fields < 1) return data;
            var keyLength = BinaryPrimitives.ReadInt32BigEndian(data[2..]);
            if (keyLength > 8) throw new InvalidDataException($"a key of {keyLength} bytes");
            var end = 6 + Math.Max(0, keyLength);
            for (var i = 1; i < fields; i++)
            {
                if (data.Length < end + 4) return data;
                end += 4 + Math.Max(0, BinaryPrimitives.ReadInt32BigEndian(data[end..]));
            }
            if (data.Length < end) return data;
            if (keyLength > 0 && map.TryFind(data.Slice(6, keyLength), out var slot))
            {
                Rows++;
                Emit(data[..2]);
                Emit(map.Field(slot, _scratch));
                Emit(data[(6 + keyLength)..end]);
            }
            else
            {
                if (keyLength == 0) throw new InvalidDataException("a key of 0 bytes");
                Dropped++;
            }
            data = data[end..];
        }
        return data;
    }

    /// <summary>Writes what is buffered; call once the source stream has ended.</summary>
    public void Flush()
    {
        if (_state != State.Done) throw new InvalidDataException("the binary COPY stream ended inside a tuple");
        target.Write(_out, 0, _outCount);
        _outCount = 0;
    }

    private void Advance(ReadOnlySpan<byte> item)
    {
        switch (_state)
        {
            case State.Header:
                Emit(item);
                _pass = BinaryPrimitives.ReadInt32BigEndian(item[15..]);
                _header = null;
                Expect(State.FieldCount, 2);
                break;
            case State.FieldCount:
                _fields = BinaryPrimitives.ReadInt16BigEndian(item);
                if (_fields < 0)
                {
                    _keep = true;
                    Emit(item);
                    _state = State.Done;
                    break;
                }
                if (_fields < 1) throw new InvalidDataException("a tuple without the key field");
                _fieldsLeft = _fields - 1;
                Expect(State.KeyLength, 4);
                break;
            case State.KeyLength:
                var length = BinaryPrimitives.ReadInt32BigEndian(item);
                if (length < 0)
                {
                    Leave();
                    break;
                }
                if (length is < 1 or > 8) throw new InvalidDataException($"a key of {length} bytes");
                Expect(State.Key, length);
                break;
            case State.Key:
                if (!map.TryFind(item, out var slot))
                {
                    Leave();
                    break;
                }
                _keep = true;
                Rows++;
                BinaryPrimitives.WriteInt16BigEndian(_scratch, _fields);
                Emit(_scratch.AsSpan(0, 2));
                Emit(map.Field(slot, _scratch));
                NextField();
                break;
            case State.FieldLength:
                if (_keep) Emit(item);
                _pass = Math.Max(0, BinaryPrimitives.ReadInt32BigEndian(item));
                _fieldsLeft--;
                NextField();
                break;
        }
    }

    /// <summary>The tuple has no distribution key: its remaining fields are read and dropped.</summary>
    private void Leave()
    {
        _keep = false;
        Dropped++;
        NextField();
    }

    private void NextField()
    {
        if (_fieldsLeft > 0) Expect(State.FieldLength, 4);
        else Expect(State.FieldCount, 2);
    }

    private void Expect(State state, int bytes)
    {
        _state = state;
        _need = bytes;
    }

    private void Emit(ReadOnlySpan<byte> bytes)
    {
        Bytes += bytes.Length;
        if (_out.Length - _outCount < bytes.Length)
        {
            target.Write(_out, 0, _outCount);
            _outCount = 0;
            if (bytes.Length > _out.Length)
            {
                target.Write(bytes);
                return;
            }
        }
        bytes.CopyTo(_out.AsSpan(_outCount));
        _outCount += bytes.Length;
    }
}
