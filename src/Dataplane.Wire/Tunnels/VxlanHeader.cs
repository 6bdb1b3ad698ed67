using System.Buffers.Binary;

namespace Dataplane.Wire.Tunnels;

/// <summary>
/// A view over the 8-byte VXLAN header (RFC 7348 section 5) that follows UDP port 4789:
/// <code>
/// |R|R|R|R|I|R|R|R|            Reserved                           |
/// |                VXLAN Network Identifier (VNI) |   Reserved    |
/// </code>
/// Fixed size and no length field, so 8 bytes are all <see cref="TryCreate"/> needs. A receiver must still check
/// <see cref="VniValid"/> (the I flag) before trusting the VNI; the view does not refuse it so the caller can count the drop.
/// </summary>
public readonly ref struct VxlanHeader
{
    public const int Length = 8;
    public const ushort UdpPort = TunnelPorts.Vxlan;
    public const byte InstanceFlag = 0x08;

    private readonly Span<byte> _bytes;

    private VxlanHeader(Span<byte> bytes) => _bytes = bytes;

    public static bool TryCreate(Span<byte> bytes, out VxlanHeader header)
    {
        header = bytes.Length >= Length ? new VxlanHeader(bytes) : default;
        return bytes.Length >= Length;
    }

    /// <summary>Same check as <see cref="TryCreate"/>; named apart so encapsulation code reads as such.</summary>
    public static bool TryCreateForWrite(Span<byte> bytes, out VxlanHeader header) => TryCreate(bytes, out header);

    /// <summary>Makes a header ready to send: I set, every reserved bit zero, the given VNI.</summary>
    public void Initialize(uint vni)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_bytes, (uint)InstanceFlag << 24);
        BinaryPrimitives.WriteUInt32BigEndian(_bytes[4..], (vni & BigEndianUInt24.MaxValue) << 8);
    }

    public int HeaderLength => Length;

    /// <summary>The whole flags octet; every bit but I is reserved.</summary>
    public byte Flags
    {
        get => _bytes[0];
        set => _bytes[0] = value;
    }

    /// <summary>The I flag: the VNI is valid. RFC 7348 requires it set.</summary>
    public bool VniValid
    {
        get => (_bytes[0] & InstanceFlag) != 0;
        set => _bytes[0] = value ? (byte)(_bytes[0] | InstanceFlag) : (byte)(_bytes[0] & ~InstanceFlag);
    }

    /// <summary>The 24 reserved bits after the flags octet.</summary>
    public uint Reserved1
    {
        get => BigEndianUInt24.Read(_bytes[1..]);
        set => BigEndianUInt24.Write(_bytes[1..], value);
    }

    /// <summary>The 24-bit VXLAN Network Identifier.</summary>
    public uint Vni
    {
        get => BinaryPrimitives.ReadUInt32BigEndian(_bytes[4..]) >> 8;
        set => BigEndianUInt24.Write(_bytes[4..], value);
    }

    /// <summary>The last reserved octet.</summary>
    public byte Reserved2
    {
        get => _bytes[7];
        set => _bytes[7] = value;
    }

    /// <summary>The inner Ethernet frame.</summary>
    public Span<byte> Payload => _bytes[Length..];
}
