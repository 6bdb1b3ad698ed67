namespace Dataplane.Ports.Pcap;

/// <summary>
/// One Interface Description Block of a pcapng section: its link type, snaplen and how to turn
/// its timestamp ticks into nanoseconds (if_tsresol, if_tsoffset).
/// </summary>
internal readonly struct PcapNgInterface
{
    /// <summary>Default if_tsresol when the option is absent: microseconds.</summary>
    public const byte MicrosecondResolution = 6;

    // Worked out once per interface so the per-packet conversion is a multiply or a divide.
    private readonly long _multiplier;
    private readonly long _divisor;
    private readonly int _binaryShift;
    private readonly long _offsetNanoseconds;

    public PcapNgInterface(CaptureLinkType linkType, uint snapLength, byte timestampResolution, long timestampOffsetSeconds, string? name = null, int ingressPort = -1)
    {
        Name = name;
        IngressPort = ingressPort;
        LinkType = linkType;
        SnapLength = snapLength;
        _offsetNanoseconds = timestampOffsetSeconds * 1_000_000_000L;
        _binaryShift = -1;
        _multiplier = 1;
        _divisor = 1;
        if ((timestampResolution & 0x80) != 0)
        {
            _binaryShift = timestampResolution & 0x7F;
        }
        else if (timestampResolution <= 9)
        {
            _multiplier = Pow10(9 - timestampResolution);
        }
        else
        {
            _divisor = Pow10(timestampResolution - 9);
        }
    }

    public CaptureLinkType LinkType { get; }

    /// <summary>if_name, or null when the block has none.</summary>
    public string? Name { get; }

    /// <summary>The port its packets enter, found by <see cref="Name"/>; -1 for the reader's default ingress port.</summary>
    public int IngressPort { get; }

    public uint SnapLength { get; }

    /// <summary>True for resolutions we can convert without overflow (decimal up to 10^-19 s, binary up to 2^-63 s).</summary>
    public static bool IsSupportedResolution(byte resolution) =>
        (resolution & 0x80) == 0 ? resolution <= 19 : (resolution & 0x7F) <= 63;

    public long ToNanoseconds(ulong ticks)
    {
        long nanoseconds;
        if (_binaryShift >= 0)
        {
            // 2^-n seconds per tick: ticks * 1e9 / 2^n, in 128 bits so nothing overflows.
            nanoseconds = (long)(((UInt128)ticks * 1_000_000_000UL) >> _binaryShift);
        }
        else
        {
            nanoseconds = _divisor == 1 ? (long)ticks * _multiplier : (long)(ticks / (ulong)_divisor);
        }
        return nanoseconds + _offsetNanoseconds;
    }

    private static long Pow10(int exponent)
    {
        var value = 1L;
        for (var i = 0; i < exponent; i++)
        {
            value *= 10;
        }
        return value;
    }
}
