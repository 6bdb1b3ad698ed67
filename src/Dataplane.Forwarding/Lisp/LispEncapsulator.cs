using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Routing;
using Dataplane.Wire.Checksums;
using Dataplane.Wire.Headers;
using Dataplane.Wire.Tunnels;

namespace Dataplane.Forwarding.Lisp;

/// <summary>
/// Writes Ethernet / IPv4 or IPv6 / UDP 4341 / LISP in front of a packet's inner IP header, in the headroom, without
/// moving the payload (RFC 9300 section 5). Outer-header rules from RFC 9300 section 5.3: the outer TTL / hop limit
/// is copied from the inner TTL/hop limit, the DSCP and ECN are copied from the inner header (RFC 6040 normal mode).
/// The UDP checksum is zero over IPv4 (RFC 9300 section 5.3). Over IPv6, RFC 6935/6936 would allow zero for
/// tunnels too, but tshark flags a zero UDP checksum over IPv6 as an error ("Illegal checksum value (0)") and so
/// would any middlebox that follows RFC 8200 strictly, so we compute it (over the whole datagram).
/// The classifier must have set <see cref="PacketDescriptor.L3Offset"/> to the inner IP header.
/// </summary>
public static class LispEncapsulator
{
    public const int OuterIpv4Overhead = EthernetHeader.Length + 20 + UdpHeader.Length + LispDataHeader.Length;

    public const int OuterIpv6Overhead = EthernetHeader.Length + Ipv6Header.Length + UdpHeader.Length + LispDataHeader.Length;

    /// <summary>Bytes the tunnel adds to the IP packet (what counts against the port MTU): IPv4 + UDP + LISP.</summary>
    public const int Ipv4TunnelOverhead = 20 + UdpHeader.Length + LispDataHeader.Length;

    /// <summary>IPv6 + UDP + LISP.</summary>
    public const int Ipv6TunnelOverhead = Ipv6Header.Length + UdpHeader.Length + LispDataHeader.Length;

    /// <summary>Encapsulates in place; false when the inner header is not IPv4/IPv6 or the headroom is too small (then at most Ethernet padding after the inner packet has been cut).</summary>
    public static bool TryEncapsulateOverIpv4(ref PacketDescriptor packet, in LispEncapsulation encapsulation)
    {
        if (!TryReadInner(ref packet, out int innerStart, out int innerLength, out byte ttl, out byte trafficClass))
        {
            return false;
        }

        int headroomNeeded = OuterIpv4Overhead - innerStart;
        if (headroomNeeded > packet.Headroom || !packet.TryAdjust(innerStart) || !packet.TryPrepend(OuterIpv4Overhead, out var outer))
        {
            return false;
        }

        ushort totalLength = (ushort)(20 + UdpHeader.Length + LispDataHeader.Length + innerLength);
        ushort flags = encapsulation.DontFragment ? (ushort)0x4000 : (ushort)0;
        ushort checksum = Ipv4HeaderChecksum.ForFields(trafficClass, totalLength, flags, ttl, IpProtocol.Udp,
            encapsulation.OuterSource.Value, encapsulation.OuterDestination.Value);
        // LISP: N and I flags with the 24-bit nonce; the 24-bit instance ID with locator-status bits 0.
        ulong lisp = UnderlayIpv4Headers.TunnelHeader(((uint)(LispDataHeader.NonceFlag | LispDataHeader.InstanceIdFlag) << 24) | (encapsulation.Nonce & 0xFF_FFFF),
            (encapsulation.InstanceId & 0xFF_FFFF) << 8);
        UnderlayIpv4Headers.Write(ref MemoryMarshal.GetReference(outer), encapsulation.DestinationMac, encapsulation.SourceMac,
            trafficClass, totalLength, flags, ttl, checksum, encapsulation.OuterSource.Value, encapsulation.OuterDestination.Value,
            encapsulation.SourcePort, encapsulation.DestinationPort, lisp);

        packet.L2Offset = (ushort)packet.DataOffset;
        packet.L3Offset = (ushort)(packet.DataOffset + EthernetHeader.Length);
        packet.L4Offset = (ushort)(packet.L3Offset + 20);
        packet.InnerL3Offset = (ushort)(packet.DataOffset + OuterIpv4Overhead);
        return true;
    }

    /// <summary>Encapsulates over an IPv6 underlay in place; false when the inner header is not IPv4/IPv6 or the headroom is too small (then at most Ethernet padding has been cut).</summary>
    public static bool TryEncapsulateOverIpv6(ref PacketDescriptor packet, in LispIpv6Encapsulation encapsulation)
    {
        if (!TryReadInner(ref packet, out int innerStart, out int innerLength, out byte hopLimit, out byte trafficClass))
        {
            return false;
        }

        int headroomNeeded = OuterIpv6Overhead - innerStart;
        if (headroomNeeded > packet.Headroom || !packet.TryAdjust(innerStart) || !packet.TryPrepend(OuterIpv6Overhead, out var outer))
        {
            return false;
        }

        EthernetHeader.TryCreateForWrite(outer, out var ethernet);
        ethernet.Destination = encapsulation.DestinationMac;
        ethernet.Source = encapsulation.SourceMac;
        ethernet.EtherType = EtherType.Ipv6;

        int udpLength = UdpHeader.Length + LispDataHeader.Length + innerLength;
        var ipBytes = packet.Data[EthernetHeader.Length..];
        Ipv6Header.TryCreateForWrite(ipBytes, out var ip);
        // Version 6, traffic class copied, flow label 0 (RFC 6438 would allow one from the flow hash; the UDP
        // source port already carries the entropy).
        BinaryPrimitives.WriteUInt32BigEndian(ipBytes, (6u << 28) | ((uint)trafficClass << 20));
        ip.PayloadLength = (ushort)udpLength;
        ip.NextHeader = IpProtocol.Udp;
        ip.HopLimit = hopLimit;
        ip.Source = encapsulation.OuterSource;
        ip.Destination = encapsulation.OuterDestination;

        var datagram = ipBytes.Slice(Ipv6Header.Length, udpLength);
        UdpHeader.TryCreateForWrite(datagram, out var udp);
        udp.SourcePort = encapsulation.SourcePort;
        udp.DestinationPort = TunnelPorts.LispData;
        udp.TotalLength = (ushort)udpLength;
        udp.Checksum = 0;

        LispDataHeader.TryCreateForWrite(datagram[UdpHeader.Length..], out var lisp);
        lisp.Flags = LispDataHeader.NonceFlag | LispDataHeader.InstanceIdFlag;
        lisp.Nonce = encapsulation.Nonce;
        lisp.InstanceId = encapsulation.InstanceId;
        lisp.LocatorStatusBits = 0;

        ushort checksum = InternetChecksum.Finish(InternetChecksum.Sum(datagram,
            InternetChecksum.PseudoHeaderSum(encapsulation.OuterSource, encapsulation.OuterDestination, IpProtocol.Udp, udpLength)));
        udp.Checksum = checksum == 0 ? (ushort)0xFFFF : checksum; // RFC 8200 8.1: a computed zero is sent as all ones

        packet.L2Offset = (ushort)packet.DataOffset;
        packet.L3Offset = (ushort)(packet.DataOffset + EthernetHeader.Length);
        packet.L4Offset = (ushort)(packet.L3Offset + Ipv6Header.Length);
        packet.InnerL3Offset = (ushort)(packet.DataOffset + OuterIpv6Overhead);
        return true;
    }

    /// <summary>
    /// Where the inner IP packet starts (from the frame start), its length by its own header (Ethernet padding
    /// after it is cut off, so it does not travel inside the tunnel), and the TTL and traffic class to copy.
    /// </summary>
    private static bool TryReadInner(ref PacketDescriptor packet, out int innerStart, out int innerLength, out byte ttl, out byte trafficClass)
    {
        innerStart = packet.L3Offset - packet.DataOffset;
        innerLength = 0;
        ttl = 0;
        trafficClass = 0;
        if (innerStart < 0 || innerStart >= packet.Length)
        {
            return false;
        }

        var inner = packet.Data[innerStart..];
        int declared;
        switch (inner[0] >> 4)
        {
            case 4 when inner.Length >= 20:
                ttl = inner[8];
                trafficClass = inner[1];
                declared = BinaryPrimitives.ReadUInt16BigEndian(inner[2..]);
                break;
            case 6 when inner.Length >= 40:
                ttl = inner[7];
                trafficClass = (byte)((BinaryPrimitives.ReadUInt16BigEndian(inner) >> 4) & 0xFF);
                declared = 40 + BinaryPrimitives.ReadUInt16BigEndian(inner[4..]);
                break;
            default:
                return false;
        }

        innerLength = inner.Length;
        if (declared >= 20 && declared < innerLength)
        {
            packet.TryTrim(innerLength - declared);
            innerLength = declared;
        }

        return true;
    }
}
