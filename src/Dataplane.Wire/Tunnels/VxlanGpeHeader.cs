using System.Buffers.Binary;

namespace Dataplane.Wire.Tunnels;

/// <summary>
/// A view over the 8-byte VXLAN-GPE header (draft-ietf-nvo3-vxlan-gpe section 3.2) that follows UDP port 4790:
/// <code>
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// |R|R|Ver|I|P|B|O|       Reserved                |Next Protocol  |
/// |                VXLAN Network Identifier (VNI) |   Reserved    |
/// </code>
/// Version and the P flag are exposed, not enforced: the draft tells a receiver to drop an unknown version, and that
/// drop belongs to the stage that counts it.
/// </summary>
public readonly ref struct VxlanGpeHeader
{
    public const int Length = 8;
    public const ushort UdpPort = TunnelPorts.VxlanGpe;

    public const byte VersionMask = 0x30;
    public const byte InstanceFlag = 0x08;
    public const byte NextProtocolFlag = 0x04;
    public const byte BumFlag = 0x02;
    public const byte OamFlag = 0x01;

    private readonly Span<byte> _bytes;

    private VxlanGpeHeader(Span<byte> bytes) => _bytes = bytes;

    public static bool TryCreate(Span<byte> bytes, out VxlanGpeHeader header)
    {
        header = bytes.Length >= Length ? new VxlanGpeHeader(bytes) : default;
        return bytes.Length >= Length;
    }

    /// <summary>Same check as <see cref="TryCreate"/>; named apart so encapsulation code reads as such.</summary>
    public static bool TryCreateForWrite(Span<byte> bytes, out VxlanGpeHeader header) => TryCreate(bytes, out header);

    /// <summary>Makes a header ready to send: version 0, I and P set, reserved bits zero.</summary>
    public void Initialize(uint vni, VxlanGpeNextProtocol nextProtocol)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_bytes, ((uint)(InstanceFlag | NextProtocolFlag) << 24) | (byte)nextProtocol);
        BinaryPrimitives.WriteUInt32BigEndian(_bytes[4..], (vni & BigEndianUInt24.MaxValue) << 8);
    }

    public int HeaderLength => Length;

    /// <summary>The whole flags octet, reserved bits included.</summary>
    public byte Flags
    {
        get => _bytes[0];
        set => _bytes[0] = value;
    }

    /// <summary>The 2-bit version; 0 is the only one defined.</summary>
    public byte Version
    {
        get => (byte)((_bytes[0] & VersionMask) >> 4);
        set => _bytes[0] = (byte)((_bytes[0] & ~VersionMask) | ((value << 4) & VersionMask));
    }

    /// <summary>I: the VNI is valid.</summary>
    public bool VniValid
    {
        get => GetFlag(InstanceFlag);
        set => SetFlag(InstanceFlag, value);
    }

    /// <summary>P: the Next Protocol field is present.</summary>
    public bool NextProtocolPresent
    {
        get => GetFlag(NextProtocolFlag);
        set => SetFlag(NextProtocolFlag, value);
    }

    /// <summary>B: the packet is broadcast, unknown unicast or multicast traffic.</summary>
    public bool Bum
    {
        get => GetFlag(BumFlag);
        set => SetFlag(BumFlag, value);
    }

    /// <summary>O: an OAM packet, for the control plane rather than the forwarder.</summary>
    public bool Oam
    {
        get => GetFlag(OamFlag);
        set => SetFlag(OamFlag, value);
    }

    /// <summary>The 16 reserved bits in octets 1-2.</summary>
    public ushort Reserved1
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_bytes[1..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes[1..], value);
    }

    /// <summary>The raw Next Protocol octet; values outside <see cref="VxlanGpeNextProtocol"/> are possible on the wire.</summary>
    public VxlanGpeNextProtocol NextProtocol
    {
        get => (VxlanGpeNextProtocol)_bytes[3];
        set => _bytes[3] = (byte)value;
    }

    public uint Vni
    {
        get => BinaryPrimitives.ReadUInt32BigEndian(_bytes[4..]) >> 8;
        set => BigEndianUInt24.Write(_bytes[4..], value);
    }

    public byte Reserved2
    {
        get => _bytes[7];
        set => _bytes[7] = value;
    }

    public Span<byte> Payload => _bytes[Length..];

    private bool GetFlag(byte mask) => (_bytes[0] & mask) != 0;

    private void SetFlag(byte mask, bool value) => _bytes[0] = value ? (byte)(_bytes[0] | mask) : (byte)(_bytes[0] & ~mask);
}
