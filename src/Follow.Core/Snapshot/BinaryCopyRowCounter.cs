using System.Buffers.Binary;

namespace Follow.Snapshot;

/// <summary>
/// Counts the rows of a binary COPY stream as its bytes pass through, by following the tuple and field lengths
/// only: values are never decoded. Format: signature (11 bytes), flags (4), extension length (4) and extension,
/// then per tuple a 16-bit field count (-1 ends the stream) and per field a 32-bit length (-1 for NULL) and bytes.
/// </summary>
public sealed class BinaryCopyRowCounter
{
    private const int SignatureAndFlags = 15;

    // Bytes still to skip before the next length field, and the length field being assembled.
    private long _skip = SignatureAndFlags;
    private readonly byte[] _pending = new byte[4];
    private int _pendingCount;
    private int _need = 4;
    private State _state = State.ExtensionLength;
    private int _fieldsLeft;

    private enum State { ExtensionLength, FieldCount, FieldLength, Done }

    public long Rows { get; private set; }

    public void Observe(ReadOnlySpan<byte> data)
    {
        while (data.Length > 0 && _state != State.Done)
        {
            if (_skip > 0)
            {
                var skipped = (int)Math.Min(_skip, data.Length);
                _skip -= skipped;
                data = data[skipped..];
                continue;
            }

            var take = Math.Min(_need - _pendingCount, data.Length);
            data[..take].CopyTo(_pending.AsSpan(_pendingCount));
            _pendingCount += take;
            data = data[take..];
            if (_pendingCount < _need) return;
            _pendingCount = 0;
            Advance();
        }
    }

    private void Advance()
    {
        switch (_state)
        {
            case State.ExtensionLength:
                _skip = BinaryPrimitives.ReadInt32BigEndian(_pending);
                ExpectFieldCount();
                break;
            case State.FieldCount:
                var fields = BinaryPrimitives.ReadInt16BigEndian(_pending);
                if (fields < 0)
                {
                    _state = State.Done;
                    break;
                }
                Rows++;
                _fieldsLeft = fields;
                NextField();
                break;
            case State.FieldLength:
                var length = BinaryPrimitives.ReadInt32BigEndian(_pending);
                _skip = Math.Max(0, length);
                _fieldsLeft--;
                NextField();
                break;
        }
    }

    private void NextField()
    {
        if (_fieldsLeft > 0)
        {
            _state = State.FieldLength;
            _need = 4;
        }
        else
        {
            ExpectFieldCount();
        }
    }

    private void ExpectFieldCount()
    {
        _state = State.FieldCount;
        _need = 2;
    }
}
