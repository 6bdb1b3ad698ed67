using System.Buffers.Binary;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Checksums;

namespace Dataplane.Throughput;

/// <summary>
/// Writes the headers of the harness's frames (setup only, never in the measured loop). Every length field is
/// derived from the frame length, so a frame carries no Ethernet padding and a stage never has to cut any.
/// </summary>
public static class FrameWriter
{
    public const int EthernetBytes = 14;
    public const int Ipv4Bytes = 20;
    public const int Ipv6Bytes = 40;
    public const int UdpBytes = 8;
    public const int LispBytes = 8;
    public const int VxlanBytes = 8;
    public const int GtpUBytes = 8;
    public const ushort EtherTypeIpv4 = 0x0800;
    public const ushort EtherTypeIpv6 = 0x86DD;

    /// <summary>Ethernet II header; returns the bytes written.</summary>
    public static int Ethernet(Span<byte> frame, ulong destinationMac, ulong sourceMac, ushort etherType)
    {
        WriteMac(frame, destinationMac);
        WriteMac(frame[6..], sourceMac);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], etherType);
        return EthernetBytes;
    }

    /// <summary>IPv4 header (no options, no DF) with its checksum, total length = <paramref name="packet"/>.Length.</summary>
    public static int Ipv4(Span<byte> packet, uint source, uint destination, byte protocol, byte ttl = 64)
    {
        var ip = packet[..Ipv4Bytes];
        ip.Clear();
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)packet.Length);
        ip[8] = ttl;
        ip[9] = protocol;
        BinaryPrimitives.WriteUInt32BigEndian(ip[12..], source);
        BinaryPrimitives.WriteUInt32BigEndian(ip[16..], destination);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], InternetChecksum.Compute(ip));
        return Ipv4Bytes;
    }

    /// <summary>IPv6 header, payload length = <paramref name="packet"/>.Length - 40.</summary>
    public static int Ipv6(Span<byte> packet, Ipv6Address source, Ipv6Address destination, byte nextHeader, byte hopLimit = 64)
    {
        var ip = packet[..Ipv6Bytes];
        ip.Clear();
        ip[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)(packet.Length - Ipv6Bytes));
        ip[6] = nextHeader;
        ip[7] = hopLimit;
        source.Write(ip[8..]);
        destination.Write(ip[24..]);
        return Ipv6Bytes;
    }

    /// <summary>UDP header, length = <paramref name="datagram"/>.Length, checksum 0 (allowed over IPv4, RFC 768).</summary>
    public static int Udp(Span<byte> datagram, ushort sourcePort, ushort destinationPort)
    {
        BinaryPrimitives.WriteUInt16BigEndian(datagram, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(datagram[2..], destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(datagram[4..], (ushort)datagram.Length);
        BinaryPrimitives.WriteUInt16BigEndian(datagram[6..], 0);
        return UdpBytes;
    }

    /// <summary>Fills in the UDP checksum of a datagram over IPv4 (RFC 768 pseudo-header).</summary>
    public static void UdpChecksum(Span<byte> datagram, uint source, uint destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(datagram[6..], 0);
        uint sum = InternetChecksum.PseudoHeaderSum(new Ipv4Address(source), new Ipv4Address(destination), 17, datagram.Length);
        ushort checksum = InternetChecksum.Finish(InternetChecksum.Sum(datagram, sum));
        BinaryPrimitives.WriteUInt16BigEndian(datagram[6..], checksum == 0 ? (ushort)0xFFFF : checksum);
    }

    /// <summary>Fills in the UDP checksum of a datagram over IPv6 (mandatory there, RFC 8200 section 8.1).</summary>
    public static void UdpChecksum(Span<byte> datagram, Ipv6Address source, Ipv6Address destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(datagram[6..], 0);
        uint sum = InternetChecksum.PseudoHeaderSum(source, destination, 17, datagram.Length);
        ushort checksum = InternetChecksum.Finish(InternetChecksum.Sum(datagram, sum));
        BinaryPrimitives.WriteUInt16BigEndian(datagram[6..], checksum == 0 ? (ushort)0xFFFF : checksum);
    }

    /// <summary>
    /// An IPv4 / UDP packet filling <paramref name="packet"/>, zero payload (what itr_baseline.c sends), IPv4
    /// checksum right, UDP checksum right or, with <paramref name="udpChecksum"/> false, 0 = none (RFC 768; the
    /// C baseline's frames).
    /// </summary>
    public static void Ipv4Udp(Span<byte> packet, uint source, uint destination, ushort sourcePort, ushort destinationPort, bool udpChecksum = true)
    {
        Ipv4(packet, source, destination, 17);
        var udp = packet[Ipv4Bytes..];
        Udp(udp, sourcePort, destinationPort);
        udp[UdpBytes..].Clear();
        if (udpChecksum)
        {
            UdpChecksum(udp, source, destination);
        }
    }

    /// <summary>An IPv6 / UDP packet filling <paramref name="packet"/>, zero payload, UDP checksum right (mandatory over IPv6).</summary>
    public static void Ipv6Udp(Span<byte> packet, Ipv6Address source, Ipv6Address destination, ushort sourcePort, ushort destinationPort)
    {
        Ipv6(packet, source, destination, 17);
        var udp = packet[Ipv6Bytes..];
        Udp(udp, sourcePort, destinationPort);
        udp[UdpBytes..].Clear();
        UdpChecksum(udp, source, destination);
    }

    /// <summary>LISP data header (RFC 9300 section 5.3): N and I bits, a 24-bit nonce, the instance id.</summary>
    public static int Lisp(Span<byte> header, uint nonce, uint instanceId)
    {
        BinaryPrimitives.WriteUInt32BigEndian(header, 0x8800_0000u | (nonce & 0xFF_FFFF));
        BinaryPrimitives.WriteUInt32BigEndian(header[4..], instanceId << 8);
        return LispBytes;
    }

    /// <summary>VXLAN header (RFC 7348 section 5): I flag, 24-bit VNI.</summary>
    public static int Vxlan(Span<byte> header, uint vni)
    {
        BinaryPrimitives.WriteUInt32BigEndian(header, 0x0800_0000u);
        BinaryPrimitives.WriteUInt32BigEndian(header[4..], vni << 8);
        return VxlanBytes;
    }

    /// <summary>GTP-U G-PDU header (TS 29.281 section 5.1): version 1, PT 1, no optional fields; length = what follows.</summary>
    public static int GtpUGPdu(Span<byte> header, uint teid, int payloadLength)
    {
        header[0] = 0x30;
        header[1] = 0xFF;
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)payloadLength);
        BinaryPrimitives.WriteUInt32BigEndian(header[4..], teid);
        return GtpUBytes;
    }

    public static void WriteMac(Span<byte> destination, ulong mac)
    {
        for (int i = 0; i < 6; i++)
        {
            destination[i] = (byte)(mac >> (8 * (5 - i)));
        }
    }
}
