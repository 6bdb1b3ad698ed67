using System.Buffers.Binary;

namespace Dataplane.Wire.Tunnels;

/// <summary>
/// A view over the Network Service Header (RFC 8300 section 2): the 4-byte base header, the 4-byte service path
/// header and the context headers, which the Length field covers:
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// |Ver|O|U|    TTL    |   Length  |U|U|U|U|MD Type| Next Protocol |
/// |          Service Path Identifier (SPI)        | Service Index |
/// ~               Mandatory/Optional Context Headers              ~
/// </code>
/// Length counts 4-byte words of the whole NSH: 6 for MD type 1 (16 bytes of fixed context, section 2.4), 2 or more
/// for MD type 2 (variable-length TLVs, section 2.5; 2 is the base and service path headers only). <see cref="TryCreate"/>
/// refuses a buffer shorter than the Length says, and a Length that cannot hold the two fixed headers, so every getter
/// stays in bounds; whether the version, the MD type and its length agree is <see cref="IsWellFormed"/>'s to say,
/// so the caller counts the drop.
/// </summary>
public readonly ref struct NshHeader
{
    /// <summary>Base header plus service path header: the smallest NSH there is (MD type 2 without context).</summary>
    public const int MinLength = 8;

    /// <summary>An MD type 1 header: the two fixed headers and 16 bytes of fixed context.</summary>
    public const int MdType1Length = 24;

    /// <summary>The largest NSH the 6-bit Length field can describe: 63 words.</summary>
    public const int MaxLength = 63 * 4;

    /// <summary>EtherType of NSH directly over Ethernet (RFC 8300 section 11.1 asks IEEE for it: 0x894F).</summary>
    public const ushort EtherType = 0x894F;

    /// <summary>The TTL a classifier writes (RFC 8300 section 2.2: "the default value is 63").</summary>
    public const byte DefaultTtl = 63;

    /// <summary>The largest TTL (6 bits).</summary>
    public const byte MaxTtl = 63;

    /// <summary>The largest Service Path Identifier (24 bits).</summary>
    public const uint MaxSpi = 0xFF_FFFF;

    public const byte MdType1 = 1;
    public const byte MdType2 = 2;

    private const byte OamFlag = 0x20;

    private readonly Span<byte> _bytes;

    private NshHeader(Span<byte> bytes) => _bytes = bytes;

    /// <summary>True when the buffer holds the two fixed headers and all the context the Length field announces.</summary>
    public static bool TryCreate(Span<byte> bytes, out NshHeader header)
    {
        header = default;
        if (bytes.Length < MinLength)
        {
            return false;
        }

        int length = (bytes[1] & 0x3F) * 4;
        if (length < MinLength || length > bytes.Length)
        {
            return false;
        }

        header = new NshHeader(bytes);
        return true;
    }

    /// <summary>Wraps a buffer about to be filled by <see cref="InitializeMdType1"/> or <see cref="InitializeMdType2"/>.</summary>
    public static bool TryCreateForWrite(Span<byte> bytes, out NshHeader header)
    {
        header = bytes.Length >= MinLength ? new NshHeader(bytes) : default;
        return bytes.Length >= MinLength;
    }

    /// <summary>
    /// Writes an MD type 1 header (24 bytes): version 0, O clear, the given TTL, Length 6, the next protocol, SPI and
    /// SI, and 16 bytes of zero context (RFC 8300 section 2.4: context "MAY" be zero when there is none to carry).
    /// The buffer must hold 24 bytes.
    /// </summary>
    public void InitializeMdType1(byte ttl, NshNextProtocol nextProtocol, uint spi, byte serviceIndex)
    {
        WriteFixed(ttl, MdType1Length / 4, MdType1, nextProtocol, spi, serviceIndex);
        _bytes.Slice(MinLength, MdType1Length - MinLength).Clear();
    }

    /// <summary>Writes an MD type 2 header without context headers (8 bytes, Length 2).</summary>
    public void InitializeMdType2(byte ttl, NshNextProtocol nextProtocol, uint spi, byte serviceIndex) =>
        WriteFixed(ttl, MinLength / 4, MdType2, nextProtocol, spi, serviceIndex);

    private void WriteFixed(byte ttl, int words, byte mdType, NshNextProtocol nextProtocol, uint spi, byte serviceIndex)
    {
        // Ver(2) O(1) U(1) TTL(6) Length(6) U(4) MDType(4) NextProtocol(8)
        uint first = ((uint)(ttl & MaxTtl) << 22) | ((uint)(words & 0x3F) << 16) | ((uint)(mdType & 0x0F) << 8) | (byte)nextProtocol;
        BinaryPrimitives.WriteUInt32BigEndian(_bytes, first);
        BinaryPrimitives.WriteUInt32BigEndian(_bytes[4..], ((spi & MaxSpi) << 8) | serviceIndex);
    }

    /// <summary>The 2-bit version; 0 is the only one RFC 8300 defines.</summary>
    public byte Version => (byte)(_bytes[0] >> 6);

    /// <summary>O: an OAM packet (RFC 8300 section 2.2).</summary>
    public bool Oam
    {
        get => (_bytes[0] & OamFlag) != 0;
        set => _bytes[0] = value ? (byte)(_bytes[0] | OamFlag) : (byte)(_bytes[0] & ~OamFlag);
    }

    /// <summary>The 6-bit TTL, spread over the first two octets.</summary>
    public byte Ttl
    {
        get => (byte)(((_bytes[0] & 0x0F) << 2) | (_bytes[1] >> 6));
        set
        {
            _bytes[0] = (byte)((_bytes[0] & 0xF0) | ((value >> 2) & 0x0F));
            _bytes[1] = (byte)((_bytes[1] & 0x3F) | ((value & 0x03) << 6));
        }
    }

    /// <summary>The Length field: 4-byte words of the whole NSH.</summary>
    public int LengthWords => _bytes[1] & 0x3F;

    /// <summary>Bytes of the whole NSH (base, service path and context headers): where the inner packet starts.</summary>
    public int HeaderLength => LengthWords * 4;

    /// <summary>The 4-bit MD type: 1 fixed context, 2 variable TLVs; 0 and 0xF are reserved / experimental.</summary>
    public byte MdType => (byte)(_bytes[2] & 0x0F);

    /// <summary>The raw Next Protocol octet; values outside <see cref="NshNextProtocol"/> are possible on the wire.</summary>
    public NshNextProtocol NextProtocol
    {
        get => (NshNextProtocol)_bytes[3];
        set => _bytes[3] = (byte)value;
    }

    /// <summary>The 24-bit Service Path Identifier.</summary>
    public uint ServicePathIdentifier
    {
        get => BinaryPrimitives.ReadUInt32BigEndian(_bytes[4..]) >> 8;
        set => BigEndianUInt24.Write(_bytes[4..], value);
    }

    /// <summary>The Service Index: where on the path the packet is (RFC 8300 section 2.3).</summary>
    public byte ServiceIndex
    {
        get => _bytes[7];
        set => _bytes[7] = value;
    }

    /// <summary>The context headers, between the service path header and the inner packet.</summary>
    public Span<byte> Context => _bytes[MinLength..HeaderLength];

    /// <summary>The inner packet.</summary>
    public Span<byte> Payload => _bytes[HeaderLength..];

    /// <summary>
    /// Version 0, and a Length that agrees with the MD type (RFC 8300 sections 2.4, 2.5): 6 words for MD type 1, at
    /// least 2 for MD type 2 with its TLVs filling the context exactly. Other MD types are not well formed for us.
    /// </summary>
    public bool IsWellFormed
    {
        get
        {
            if (Version != 0)
            {
                return false;
            }

            return MdType switch
            {
                MdType1 => HeaderLength == MdType1Length,
                MdType2 => ContextTlvsFit(Context),
                _ => false,
            };
        }
    }

    /// <summary>MD type 2 context (RFC 8300 section 2.5.1): whole TLVs, each padded to 4 bytes, that end exactly where the header does.</summary>
    private static bool ContextTlvsFit(ReadOnlySpan<byte> context)
    {
        // Each TLV: Metadata Class (16), Type (8), U (1), Length (7, bytes of value), then the value padded to 4 bytes.
        int offset = 0;
        for (int guard = 0; guard < MaxLength / 4 && offset < context.Length; guard++)
        {
            if (context.Length - offset < 4)
            {
                return false;
            }

            int valueLength = context[offset + 3] & 0x7F;
            offset += 4 + ((valueLength + 3) & ~3);
        }

        return offset == context.Length;
    }
}
