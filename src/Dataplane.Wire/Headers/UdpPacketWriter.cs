using System.Buffers.Binary;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Checksums;

namespace Dataplane.Wire.Headers;

/// <summary>
/// Writes a whole IPv4 or IPv6 packet carrying one UDP datagram: the packets a control plane originates (LISP
/// control messages, the inner packet of an Encapsulated Control Message). No options, no extension headers; the
/// UDP checksum is always computed (mandatory over IPv6, RFC 8200 8.1), and a computed 0 is sent as all ones
/// (0 means "no checksum" over IPv4, RFC 768).
/// </summary>
public static class UdpPacketWriter
{
    public const byte DefaultTtl = 64;

    public static int Ipv4Size(int payloadLength) => Ipv4Header.MinLength + UdpHeader.Length + payloadLength;

    public static int Ipv6Size(int payloadLength) => Ipv6Header.Length + UdpHeader.Length + payloadLength;

    public static int WriteIpv4(Span<byte> destination, Ipv4Address source, Ipv4Address target, ushort sourcePort, ushort destinationPort,
        ReadOnlySpan<byte> payload, byte ttl = DefaultTtl)
    {
        int udpLength = UdpHeader.Length + payload.Length;
        int size = Ipv4Header.MinLength + udpLength;
        CheckRoom(destination, size);
        var ip = destination[..Ipv4Header.MinLength];
        ip.Clear();
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)size);
        ip[8] = ttl;
        ip[9] = IpProtocol.Udp;
        source.Write(ip[12..]);
        target.Write(ip[16..]);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], InternetChecksum.Compute(ip));
        WriteUdp(destination.Slice(Ipv4Header.MinLength, udpLength), sourcePort, destinationPort, payload,
            InternetChecksum.PseudoHeaderSum(source, target, IpProtocol.Udp, udpLength));
        return size;
    }

    public static int WriteIpv6(Span<byte> destination, Ipv6Address source, Ipv6Address target, ushort sourcePort, ushort destinationPort,
        ReadOnlySpan<byte> payload, byte hopLimit = DefaultTtl)
    {
        int udpLength = UdpHeader.Length + payload.Length;
        int size = Ipv6Header.Length + udpLength;
        CheckRoom(destination, size);
        var ip = destination[..Ipv6Header.Length];
        BinaryPrimitives.WriteUInt32BigEndian(ip, 0x6000_0000);
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)udpLength);
        ip[6] = IpProtocol.Udp;
        ip[7] = hopLimit;
        source.Write(ip[8..]);
        target.Write(ip[24..]);
        WriteUdp(destination.Slice(Ipv6Header.Length, udpLength), sourcePort, destinationPort, payload,
            InternetChecksum.PseudoHeaderSum(source, target, IpProtocol.Udp, udpLength));
        return size;
    }

    private static void WriteUdp(Span<byte> udp, ushort sourcePort, ushort destinationPort, ReadOnlySpan<byte> payload, uint pseudoHeaderSum)
    {
        BinaryPrimitives.WriteUInt16BigEndian(udp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)udp.Length);
        BinaryPrimitives.WriteUInt16BigEndian(udp[6..], 0);
        payload.CopyTo(udp[UdpHeader.Length..]);
        ushort checksum = InternetChecksum.Finish(InternetChecksum.Sum(udp, pseudoHeaderSum));
        BinaryPrimitives.WriteUInt16BigEndian(udp[6..], checksum == 0 ? (ushort)0xFFFF : checksum);
    }

    private static void CheckRoom(Span<byte> destination, int size)
    {
        if (destination.Length < size)
        {
            throw new ArgumentException($"the packet needs {size} bytes, the destination has {destination.Length}", nameof(destination));
        }
    }
}
