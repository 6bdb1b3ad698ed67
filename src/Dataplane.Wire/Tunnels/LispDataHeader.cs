using System.Buffers.Binary;

namespace Dataplane.Wire.Tunnels;

/// <summary>
/// A view over the 8-byte LISP data header (RFC 9300 section 5.1) that follows UDP port 4341:
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// |N|L|E|V|I|R|K|K|            Nonce/Map-Version                  |
/// |                 Instance ID/Locator-Status-Bits               |
/// </code>
/// The header is fixed-size; the flags only change how the two words are read, so every accessor is in bounds once
/// <see cref="TryCreate"/> has accepted 8 bytes. Accessors read and write the raw bits whatever the flags say:
/// check the flag (or set it first, when building) to give them meaning.
/// </summary>
public readonly ref struct LispDataHeader
{
    public const int Length = 8;
    public const ushort DataPort = TunnelPorts.LispData;
    public const ushort ControlPort = TunnelPorts.LispControl;

    public const byte NonceFlag = 0x80;
    public const byte LocatorStatusBitsFlag = 0x40;
    public const byte EchoNonceFlag = 0x20;
    public const byte MapVersionFlag = 0x10;
    public const byte InstanceIdFlag = 0x08;

    /// <summary>The R bit (reserved, sent as 0) and the two KK key-ID bits of LISP crypto (RFC 8061).</summary>
    public const byte ReservedFlagsMask = 0x07;

    private readonly Span<byte> _bytes;

    private LispDataHeader(Span<byte> bytes) => _bytes = bytes;

    /// <summary>Accepts any buffer of at least 8 bytes: the header has no length field that could lie.</summary>
    public static bool TryCreate(Span<byte> bytes, out LispDataHeader header)
    {
        header = bytes.Length >= Length ? new LispDataHeader(bytes) : default;
        return bytes.Length >= Length;
    }

    /// <summary>Same check as <see cref="TryCreate"/>; named apart so encapsulation code reads as such.</summary>
    public static bool TryCreateForWrite(Span<byte> bytes, out LispDataHeader header) => TryCreate(bytes, out header);

    public int HeaderLength => Length;

    /// <summary>The whole first octet, reserved bits included.</summary>
    public byte Flags
    {
        get => _bytes[0];
        set => _bytes[0] = value;
    }

    public bool NoncePresent
    {
        get => GetFlag(NonceFlag);
        set => SetFlag(NonceFlag, value);
    }

    public bool LocatorStatusBitsEnabled
    {
        get => GetFlag(LocatorStatusBitsFlag);
        set => SetFlag(LocatorStatusBitsFlag, value);
    }

    /// <summary>Echo-nonce request; only meaningful with N set (RFC 9300 section 10.1).</summary>
    public bool EchoNonceRequest
    {
        get => GetFlag(EchoNonceFlag);
        set => SetFlag(EchoNonceFlag, value);
    }

    public bool MapVersionPresent
    {
        get => GetFlag(MapVersionFlag);
        set => SetFlag(MapVersionFlag, value);
    }

    public bool InstanceIdPresent
    {
        get => GetFlag(InstanceIdFlag);
        set => SetFlag(InstanceIdFlag, value);
    }

    /// <summary>The R and KK bits (low three bits of the flags octet).</summary>
    public byte ReservedFlags
    {
        get => (byte)(_bytes[0] & ReservedFlagsMask);
        set => _bytes[0] = (byte)((_bytes[0] & ~ReservedFlagsMask) | (value & ReservedFlagsMask));
    }

    /// <summary>
    /// N and V must not both be set; RFC 9300 tells the ETR to read the field as a nonce when they are,
    /// so the map-versions are only to be trusted when this is true.
    /// </summary>
    public bool HasMapVersions => (_bytes[0] & (NonceFlag | MapVersionFlag)) == MapVersionFlag;

    /// <summary>The 24-bit nonce in octets 1-3 (meaningful when N is set).</summary>
    public uint Nonce
    {
        get => BigEndianUInt24.Read(_bytes[1..]);
        set => BigEndianUInt24.Write(_bytes[1..], value);
    }

    /// <summary>The 12-bit source map-version: the high half of the nonce field (meaningful when only V is set).</summary>
    public ushort SourceMapVersion
    {
        get => (ushort)(Nonce >> 12);
        set => Nonce = (Nonce & 0x000FFF) | ((uint)(value & 0xFFF) << 12);
    }

    /// <summary>The 12-bit destination map-version: the low half of the nonce field.</summary>
    public ushort DestinationMapVersion
    {
        get => (ushort)(Nonce & 0xFFF);
        set => Nonce = (Nonce & 0xFFF000) | (uint)(value & 0xFFF);
    }

    /// <summary>The 24-bit Instance ID in octets 4-6 (meaningful when I is set).</summary>
    public uint InstanceId
    {
        get => BigEndianUInt24.Read(_bytes[4..]);
        set => BigEndianUInt24.Write(_bytes[4..], value);
    }

    /// <summary>
    /// The locator-status-bits: all 32 bits of the second word, or only its last octet when I is set
    /// (the Instance ID takes the rest). Set I before writing this.
    /// </summary>
    public uint LocatorStatusBits
    {
        get => InstanceIdPresent ? _bytes[7] : BinaryPrimitives.ReadUInt32BigEndian(_bytes[4..]);
        set
        {
            if (InstanceIdPresent)
            {
                _bytes[7] = (byte)value;
            }
            else
            {
                BinaryPrimitives.WriteUInt32BigEndian(_bytes[4..], value);
            }
        }
    }

    /// <summary>The encapsulated packet (everything after the 8 bytes; the outer UDP length bounds it).</summary>
    public Span<byte> Payload => _bytes[Length..];

    private bool GetFlag(byte mask) => (_bytes[0] & mask) != 0;

    private void SetFlag(byte mask, bool value) => _bytes[0] = value ? (byte)(_bytes[0] | mask) : (byte)(_bytes[0] & ~mask);
}
