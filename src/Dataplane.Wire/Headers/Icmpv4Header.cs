using System.Buffers.Binary;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Checksums;

namespace Dataplane.Wire.Headers;

/// <summary>
/// A view over an ICMPv4 message (RFC 792): the 8-byte header and the body after it. The four bytes after the
/// checksum mean different things per type; each meaning has its own accessor over the same bytes, and it is
/// the caller's job to pick the one that fits <see cref="Type"/>. ICMP has no length field, so the message is
/// the span passed in: bound it by the IP payload first.
/// </summary>
public readonly ref struct Icmpv4Header
{
    public const int Length = 8;

    private readonly Span<byte> _bytes;

    private Icmpv4Header(Span<byte> bytes) => _bytes = bytes;

    public static bool TryCreate(Span<byte> bytes, out Icmpv4Header header)
    {
        header = bytes.Length >= Length ? new Icmpv4Header(bytes) : default;
        return bytes.Length >= Length;
    }

    public static bool TryCreateForWrite(Span<byte> bytes, out Icmpv4Header header) => TryCreate(bytes, out header);

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

    /// <summary>Covers the whole message, header and body, with no pseudo-header.</summary>
    public ushort Checksum
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_bytes[2..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes[2..], value);
    }

    /// <summary>Bytes 4-7 as one number, whatever the type makes of them.</summary>
    public uint RestOfHeader
    {
        get => BinaryPrimitives.ReadUInt32BigEndian(_bytes[4..]);
        set => BinaryPrimitives.WriteUInt32BigEndian(_bytes[4..], value);
    }

    /// <summary>Echo, timestamp and information messages: the identifier.</summary>
    public ushort Identifier
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_bytes[4..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes[4..], value);
    }

    /// <summary>Echo, timestamp and information messages: the sequence number.</summary>
    public ushort SequenceNumber
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_bytes[6..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes[6..], value);
    }

    /// <summary>Destination unreachable, code 4 (fragmentation needed): the next-hop MTU in the low 16 bits (RFC 1191 section 4).</summary>
    public ushort NextHopMtu
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_bytes[6..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes[6..], value);
    }

    /// <summary>Parameter problem (type 12): the offset of the offending octet in the invoking datagram.</summary>
    public byte Pointer
    {
        get => _bytes[4];
        set => _bytes[4] = value;
    }

    /// <summary>Redirect (type 5): the gateway to use instead.</summary>
    public Ipv4Address GatewayAddress
    {
        get => Ipv4Address.Read(_bytes[4..]);
        set => value.Write(_bytes[4..]);
    }

    /// <summary>Everything after the 8-byte header: echo data, or the invoking datagram of an error.</summary>
    public Span<byte> Payload => _bytes[Length..];

    /// <summary>
    /// For error types (3, 4, 5, 11, 12) the IP header and leading bytes of the datagram that caused the error;
    /// empty for other types, so a query's data is never mistaken for a datagram to parse.
    /// </summary>
    public Span<byte> InvokingPacket => Icmpv4Type.IsError(Type) ? _bytes[Length..] : [];

    public ushort ComputeChecksum() =>
        InternetChecksum.Finish(InternetChecksum.Sum(_bytes[4..], InternetChecksum.Sum(_bytes[..2])));

    public void UpdateChecksum() => Checksum = ComputeChecksum();

    public bool IsChecksumValid => InternetChecksum.IsValid(_bytes);
}
