using System.Buffers.Binary;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Checksums;

namespace Dataplane.Wire.Headers;

/// <summary>
/// A view over a UDP header (RFC 768) at the start of <c>bytes</c>. The view owns nothing: setters write
/// straight into the packet. <see cref="TryCreate"/> refuses a buffer that cannot hold what the getters read,
/// so no getter can go out of bounds and nothing on the hot path throws.
/// </summary>
public readonly ref struct UdpHeader
{
    public const int Length = 8;

    private readonly Span<byte> _bytes;

    private UdpHeader(Span<byte> bytes) => _bytes = bytes;

    /// <summary>
    /// Accepts the buffer when it holds a whole header and the length field is sane (at least 8 and no more
    /// than the buffer). Extra bytes past the length field (Ethernet padding) are allowed and ignored by <see cref="Payload"/>.
    /// </summary>
    public static bool TryCreate(Span<byte> bytes, out UdpHeader header)
    {
        header = default;
        if (bytes.Length < Length)
        {
            return false;
        }

        int declared = BinaryPrimitives.ReadUInt16BigEndian(bytes[4..]);
        if (declared < Length || declared > bytes.Length)
        {
            return false;
        }

        header = new UdpHeader(bytes);
        return true;
    }

    /// <summary>Wraps a buffer the caller is about to fill (encapsulation); only the fixed 8 bytes are required.</summary>
    public static bool TryCreateForWrite(Span<byte> bytes, out UdpHeader header)
    {
        header = bytes.Length >= Length ? new UdpHeader(bytes) : default;
        return bytes.Length >= Length;
    }

    public int HeaderLength => Length;

    public ushort SourcePort
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_bytes);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes, value);
    }

    public ushort DestinationPort
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_bytes[2..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes[2..], value);
    }

    /// <summary>The UDP length field: header plus payload.</summary>
    public ushort TotalLength
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_bytes[4..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes[4..], value);
    }

    /// <summary>0 means "no checksum" over IPv4 (RFC 768); over IPv6 it is mandatory except for tunnels (RFC 6935).</summary>
    public ushort Checksum
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_bytes[6..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes[6..], value);
    }

    /// <summary>The bytes after the header, bounded by the length field.</summary>
    public Span<byte> Payload => _bytes[Length..Math.Max(Length, Math.Min(TotalLength, _bytes.Length))];

    /// <summary>The header and payload as the length field declares them (the span the checksum covers).</summary>
    public Span<byte> Datagram => _bytes[..Math.Max(Length, Math.Min(TotalLength, _bytes.Length))];

    /// <summary>
    /// The checksum over <see cref="Datagram"/> given the pseudo-header sum. A computed 0 is sent as 0xFFFF
    /// (RFC 768), because 0 on the wire means "no checksum".
    /// </summary>
    public ushort ComputeChecksum(uint pseudoHeaderSum)
    {
        Span<byte> datagram = Datagram;
        ushort checksum = InternetChecksum.Finish(InternetChecksum.Sum(datagram[8..], InternetChecksum.Sum(datagram[..6], pseudoHeaderSum)));
        return checksum == 0 ? (ushort)0xFFFF : checksum;
    }

    public ushort ComputeChecksum(Ipv4Address source, Ipv4Address destination) =>
        ComputeChecksum(InternetChecksum.PseudoHeaderSum(source, destination, IpProtocol.Udp, DatagramLength));

    public ushort ComputeChecksum(Ipv6Address source, Ipv6Address destination) =>
        ComputeChecksum(InternetChecksum.PseudoHeaderSum(source, destination, IpProtocol.Udp, DatagramLength));

    /// <summary>True when the checksum verifies; a zero checksum ("none sent", legal over IPv4 only) is not valid here, the caller decides what it accepts.</summary>
    public bool IsChecksumValid(uint pseudoHeaderSum) => Checksum != 0 && InternetChecksum.IsValid(Datagram, pseudoHeaderSum);

    public bool IsChecksumValid(Ipv4Address source, Ipv4Address destination) =>
        IsChecksumValid(InternetChecksum.PseudoHeaderSum(source, destination, IpProtocol.Udp, DatagramLength));

    public bool IsChecksumValid(Ipv6Address source, Ipv6Address destination) =>
        IsChecksumValid(InternetChecksum.PseudoHeaderSum(source, destination, IpProtocol.Udp, DatagramLength));

    // The pseudo-header length is the UDP length field; Datagram is clamped to it, so use its length.
    private int DatagramLength => Datagram.Length;
}
