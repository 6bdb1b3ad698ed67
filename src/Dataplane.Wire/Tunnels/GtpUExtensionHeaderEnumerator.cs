namespace Dataplane.Wire.Tunnels;

/// <summary>
/// Walks a GTP-U extension header chain without allocating, for use in <c>foreach</c>. The walk stops, and
/// <see cref="IsMalformed"/> turns true, at the first thing a hostile packet could use against us: more than
/// <see cref="MaxExtensionHeaders"/> extensions, a zero length (which would never advance), or an extension
/// (or a promised next one) that runs past the GTP length field or the buffer.
/// </summary>
public ref struct GtpUExtensionHeaderEnumerator
{
    /// <summary>Real chains hold one or two extensions; eight leaves room and bounds the work per packet.</summary>
    public const int MaxExtensionHeaders = 8;

    private readonly Span<byte> _message;
    private int _offset;
    private byte _nextType;
    private int _count;
    private bool _done;
    private GtpUExtensionHeader _current;

    /// <param name="message">The GTP-U message cut to what the length field and the buffer both allow.</param>
    /// <param name="offset">Where the first extension starts (12).</param>
    /// <param name="firstType">The Next Extension Header Type of the GTP header, or 0 when E is clear.</param>
    internal GtpUExtensionHeaderEnumerator(Span<byte> message, int offset, byte firstType)
    {
        _message = message;
        _offset = offset;
        _nextType = firstType;
        _count = 0;
        _done = false;
        _current = default;
        IsMalformed = offset > message.Length;
        _done = IsMalformed;
    }

    public readonly GtpUExtensionHeader Current => _current;

    /// <summary>True once the walk has stopped on a broken chain; false while walking and after a clean end.</summary>
    public bool IsMalformed { get; private set; }

    /// <summary>The offset just past the last extension walked; where the T-PDU starts once the walk ended cleanly.</summary>
    public readonly int Offset => _offset;

    /// <summary>Extensions walked so far.</summary>
    public readonly int Count => _count;

    public readonly GtpUExtensionHeaderEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_done)
        {
            return false;
        }

        if (_nextType == (byte)GtpUExtensionHeaderType.NoMoreExtensionHeaders)
        {
            _done = true;
            return false;
        }

        int remaining = _message.Length - _offset;
        if (_count == MaxExtensionHeaders || remaining <= 0)
        {
            return Fail();
        }

        int length = _message[_offset] * 4;
        if (length == 0 || length > remaining)
        {
            return Fail();
        }

        _current = new GtpUExtensionHeader((GtpUExtensionHeaderType)_nextType, _message.Slice(_offset, length));
        _nextType = _message[_offset + length - 1];
        _offset += length;
        _count++;
        return true;
    }

    /// <summary>Walks whatever is left; true when the chain ended with a 0 next-type inside the bounds.</summary>
    public bool SkipToEnd()
    {
        while (MoveNext())
        {
        }

        return !IsMalformed;
    }

    private bool Fail()
    {
        IsMalformed = true;
        _done = true;
        _current = default;
        return false;
    }
}
