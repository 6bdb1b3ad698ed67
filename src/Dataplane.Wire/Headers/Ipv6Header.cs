using System.Buffers.Binary;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Checksums;

namespace Dataplane.Wire.Headers;

/// <summary>
/// A view over the fixed 40-byte IPv6 header (RFC 8200) at the start of <c>bytes</c>. Extension headers are
/// not part of the view; <see cref="Ipv6ExtensionWalker"/> walks them. Jumbograms (RFC 2675, payload length 0
/// plus a hop-by-hop option) are not supported: their payload reads as empty.
/// </summary>
public readonly ref struct Ipv6Header
{
    public const int Length = 40;

    private readonly Span<byte> _bytes;

    private Ipv6Header(Span<byte> bytes) => _bytes = bytes;

    /// <summary>
    /// Refuses a buffer shorter than 40 bytes, version != 6, or a payload length that runs past the buffer.
    /// Bytes past the payload length (Ethernet padding) are allowed and ignored.
    /// </summary>
    public static bool TryCreate(Span<byte> bytes, out Ipv6Header header)
    {
        header = default;
        if (bytes.Length < Length || (bytes[0] >> 4) != 6 || BinaryPrimitives.ReadUInt16BigEndian(bytes[4..]) > bytes.Length - Length)
        {
            return false;
        }

        header = new Ipv6Header(bytes);
        return true;
    }

    /// <summary>Wraps a buffer the caller is about to fill; only the 40 bytes are required.</summary>
    public static bool TryCreateForWrite(Span<byte> bytes, out Ipv6Header header)
    {
        header = bytes.Length >= Length ? new Ipv6Header(bytes) : default;
        return bytes.Length >= Length;
    }

    public int HeaderLength => Length;

    public byte Version
    {
        get => (byte)(_bytes[0] >> 4);
        set => _bytes[0] = (byte)((value << 4) | (_bytes[0] & 0x0F));
    }

    /// <summary>The 8-bit traffic class, which straddles bytes 0 and 1: DSCP in the high 6 bits, ECN in the low 2.</summary>
    public byte TrafficClass
    {
        get => (byte)(BinaryPrimitives.ReadUInt16BigEndian(_bytes) >> 4);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes, (ushort)((BinaryPrimitives.ReadUInt16BigEndian(_bytes) & 0xF00F) | (value << 4)));
    }

    public byte Dscp
    {
        get => (byte)(TrafficClass >> 2);
        set => TrafficClass = (byte)((value << 2) | (TrafficClass & 0x03));
    }

    public byte Ecn
    {
        get => (byte)(TrafficClass & 0x03);
        set => TrafficClass = (byte)((TrafficClass & 0xFC) | (value & 0x03));
    }

    /// <summary>The 20-bit flow label; higher bits of a set value are ignored.</summary>
    public uint FlowLabel
    {
        get => BinaryPrimitives.ReadUInt32BigEndian(_bytes) & 0x000F_FFFF;
        set => BinaryPrimitives.WriteUInt32BigEndian(_bytes, (BinaryPrimitives.ReadUInt32BigEndian(_bytes) & 0xFFF0_0000) | (value & 0x000F_FFFF));
    }

    /// <summary>Bytes after the fixed header, extension headers included.</summary>
    public ushort PayloadLength
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_bytes[4..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes[4..], value);
    }

    /// <summary>The first extension header or the upper-layer protocol (<see cref="IpProtocol"/>).</summary>
    public byte NextHeader
    {
        get => _bytes[6];
        set => _bytes[6] = value;
    }

    public byte HopLimit
    {
        get => _bytes[7];
        set => _bytes[7] = value;
    }

    public Ipv6Address Source
    {
        get => Ipv6Address.Read(_bytes[8..]);
        set => value.Write(_bytes[8..]);
    }

    public Ipv6Address Destination
    {
        get => Ipv6Address.Read(_bytes[24..]);
        set => value.Write(_bytes[24..]);
    }

    /// <summary>The bytes after the fixed header (extension headers included), bounded by the payload length.</summary>
    public Span<byte> Payload => _bytes[Length..PacketEnd];

    /// <summary>Fixed header and payload as the payload length declares them.</summary>
    public Span<byte> Packet => _bytes[..PacketEnd];

    private int PacketEnd => Math.Min(Length + PayloadLength, _bytes.Length);

    /// <summary>Walks the extension headers of this packet; offsets in the result count from the start of this header.</summary>
    public bool TryWalkExtensions(out Ipv6ExtensionChain chain) => Ipv6ExtensionWalker.TryWalk(_bytes, out chain);

    /// <summary>The pseudo-header sum (RFC 8200 section 8.1) for an upper-layer checksum.</summary>
    public uint PseudoHeaderSum(byte upperLayerProtocol, int upperLayerLength) =>
        InternetChecksum.PseudoHeaderSum(Source, Destination, upperLayerProtocol, upperLayerLength);
}
