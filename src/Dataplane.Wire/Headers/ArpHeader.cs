using System.Buffers.Binary;
using Dataplane.Wire.Addresses;

namespace Dataplane.Wire.Headers;

/// <summary>
/// A view over an ARP packet (RFC 826) in its Ethernet/IPv4 form: 6-byte hardware and 4-byte protocol
/// addresses, 28 bytes in all. The address getters assume those sizes, so <see cref="TryCreate"/> refuses any
/// other hlen/plen instead of reading the wrong offsets. htype/ptype are left to the caller to check.
/// </summary>
public readonly ref struct ArpHeader
{
    public const int Length = 28;

    private readonly Span<byte> _bytes;

    private ArpHeader(Span<byte> bytes) => _bytes = bytes;

    public static bool TryCreate(Span<byte> bytes, out ArpHeader header)
    {
        header = default;
        if (bytes.Length < Length || bytes[4] != MacAddress.Size || bytes[5] != Ipv4Address.Size)
        {
            return false;
        }

        header = new ArpHeader(bytes);
        return true;
    }

    /// <summary>Wraps a buffer about to be filled; only the size is checked, the caller sets hlen/plen.</summary>
    public static bool TryCreateForWrite(Span<byte> bytes, out ArpHeader header)
    {
        header = bytes.Length >= Length ? new ArpHeader(bytes) : default;
        return bytes.Length >= Length;
    }

    public int HeaderLength => Length;

    public ushort HardwareType
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_bytes);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes, value);
    }

    /// <summary>An EtherType: 0x0800 for IPv4.</summary>
    public ushort ProtocolType
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_bytes[2..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes[2..], value);
    }

    public byte HardwareLength
    {
        get => _bytes[4];
        set => _bytes[4] = value;
    }

    public byte ProtocolLength
    {
        get => _bytes[5];
        set => _bytes[5] = value;
    }

    public ushort Operation
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_bytes[6..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes[6..], value);
    }

    public MacAddress SenderHardwareAddress
    {
        get => MacAddress.Read(_bytes[8..]);
        set => value.Write(_bytes[8..]);
    }

    public Ipv4Address SenderProtocolAddress
    {
        get => Ipv4Address.Read(_bytes[14..]);
        set => value.Write(_bytes[14..]);
    }

    public MacAddress TargetHardwareAddress
    {
        get => MacAddress.Read(_bytes[18..]);
        set => value.Write(_bytes[18..]);
    }

    public Ipv4Address TargetProtocolAddress
    {
        get => Ipv4Address.Read(_bytes[24..]);
        set => value.Write(_bytes[24..]);
    }
}
