using System.Buffers.Binary;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Checksums;

namespace Dataplane.Wire.Headers;

/// <summary>
/// A view over an ICMPv6 message (RFC 4443): the 4-byte type/code/checksum, the 4 type-specific bytes, and the
/// body. Like ICMPv4 the message is the span passed in (bound it by the IPv6 payload after any extension
/// headers); unlike ICMPv4 the checksum covers the IPv6 pseudo-header, so the helpers need the addresses.
/// </summary>
public readonly ref struct Icmpv6Header
{
    public const int Length = 8;

    private readonly Span<byte> _bytes;

    private Icmpv6Header(Span<byte> bytes) => _bytes = bytes;

    public static bool TryCreate(Span<byte> bytes, out Icmpv6Header header)
    {
        header = bytes.Length >= Length ? new Icmpv6Header(bytes) : default;
        return bytes.Length >= Length;
    }

    public static bool TryCreateForWrite(Span<byte> bytes, out Icmpv6Header header) => TryCreate(bytes, out header);

    public int HeaderLength => Length;

    public byte Type
    {
        get => _bytes[0];
        set => _bytes[0] = value;
    }

    public byte Code
    {
        get => _bytes[1];
        set => _bytes[1] = value;
    }

    public ushort Checksum
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_bytes[2..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes[2..], value);
    }

    /// <summary>Bytes 4-7 as one number (unused, MTU, pointer ...), whatever the type makes of them.</summary>
    public uint RestOfHeader
    {
        get => BinaryPrimitives.ReadUInt32BigEndian(_bytes[4..]);
        set => BinaryPrimitives.WriteUInt32BigEndian(_bytes[4..], value);
    }

    /// <summary>Echo request/reply (128/129): the identifier.</summary>
    public ushort Identifier
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_bytes[4..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes[4..], value);
    }

    /// <summary>Echo request/reply (128/129): the sequence number.</summary>
    public ushort SequenceNumber
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_bytes[6..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes[6..], value);
    }

    /// <summary>Packet too big (type 2): the MTU of the next-hop link, a full 32 bits (RFC 4443 section 3.2).</summary>
    public uint Mtu
    {
        get => RestOfHeader;
        set => RestOfHeader = value;
    }

    /// <summary>Parameter problem (type 4): the offset of the offending octet in the invoking packet.</summary>
    public uint Pointer
    {
        get => RestOfHeader;
        set => RestOfHeader = value;
    }

    /// <summary>Everything after the 8-byte header: echo data, the invoking packet of an error, or ND fields and options.</summary>
    public Span<byte> Payload => _bytes[Length..];

    /// <summary>For error types (0-127) as much of the invoking packet as fitted; empty for informational types.</summary>
    public Span<byte> InvokingPacket => Icmpv6Type.IsError(Type) ? _bytes[Length..] : [];

    /// <summary>The checksum as it should be, given the pseudo-header sum over this message's length and next header 58.</summary>
    public ushort ComputeChecksum(uint pseudoHeaderSum) =>
        InternetChecksum.Finish(InternetChecksum.Sum(_bytes[4..], InternetChecksum.Sum(_bytes[..2], pseudoHeaderSum)));

    public ushort ComputeChecksum(Ipv6Address source, Ipv6Address destination) => ComputeChecksum(PseudoHeaderSum(source, destination));

    public void UpdateChecksum(Ipv6Address source, Ipv6Address destination) => Checksum = ComputeChecksum(source, destination);

    public bool IsChecksumValid(Ipv6Address source, Ipv6Address destination) =>
        InternetChecksum.IsValid(_bytes, PseudoHeaderSum(source, destination));

    private uint PseudoHeaderSum(Ipv6Address source, Ipv6Address destination) =>
        InternetChecksum.PseudoHeaderSum(source, destination, IpProtocol.Icmpv6, _bytes.Length);
}
