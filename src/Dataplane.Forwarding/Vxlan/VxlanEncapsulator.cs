using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Routing;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Checksums;
using Dataplane.Wire.Headers;
using Dataplane.Wire.Tunnels;

namespace Dataplane.Forwarding.Vxlan;

/// <summary>
/// Writes Ethernet / IPv4 or IPv6 / UDP / VXLAN (or VXLAN-GPE) in front of the frame, in the headroom, without
/// moving the payload. RFC 7348 section 5: I flag and VNI, reserved bits zero; outer UDP checksum zero over IPv4;
/// DF set so the underlay never fragments a tunnel packet (section 4.3). Over IPv6 the UDP checksum is computed
/// (RFC 8200 section 8.1; RFC 6935's zero-checksum exception is optional and tshark flags a zero one).
/// </summary>
public static class VxlanEncapsulator
{
    public const int TunnelHeaders = UdpHeader.Length + VxlanHeader.Length;

    /// <summary>Outer bytes in front of the payload: Ethernet + IP + UDP + VXLAN.</summary>
    public static int Overhead(bool ipv6) => EthernetHeader.Length + (ipv6 ? Ipv6Header.Length : 20) + TunnelHeaders;

    /// <summary>Size of the outer IP packet for a payload (inner frame or inner IP packet) of <paramref name="payloadLength"/> bytes.</summary>
    public static int OuterIpLength(bool ipv6, int payloadLength) => (ipv6 ? Ipv6Header.Length : 20) + TunnelHeaders + payloadLength;

    /// <summary>
    /// Prepends the outer headers; false (frame unchanged) when the headroom is too small. The caller checked
    /// the MTU and that <paramref name="source"/> and <paramref name="destination"/> are of one family.
    /// <paramref name="gpeNextProtocol"/> 0 writes a VXLAN header, otherwise a VXLAN-GPE header with that next protocol.
    /// </summary>
    public static bool TryEncapsulate(ref PacketDescriptor packet, in Adjacency adjacency, IpAddress source, IpAddress destination,
        ushort sourcePort, ushort destinationPort, byte ttl, uint vni, VxlanGpeNextProtocol gpeNextProtocol)
    {
        bool ipv6 = destination.IsV6;
        int payloadLength = packet.Length;
        if (!packet.TryPrepend(Overhead(ipv6), out var outer))
        {
            return false;
        }

        int ipHeaderLength = ipv6 ? Ipv6Header.Length : 20;
        int udpLength = TunnelHeaders + payloadLength;
        if (!ipv6)
        {
            // RFC 7348 5: flags with I set, then the VNI; VXLAN-GPE (draft-ietf-nvo3-vxlan-gpe 3.1): I and P set, the
            // next protocol in byte 3. DF set, TOS 0, UDP checksum 0.
            ulong tunnelHeader = gpeNextProtocol == 0
                ? UnderlayIpv4Headers.TunnelHeader((uint)VxlanHeader.InstanceFlag << 24, (vni & 0xFF_FFFF) << 8)
                : UnderlayIpv4Headers.TunnelHeader(((uint)(VxlanGpeHeader.InstanceFlag | VxlanGpeHeader.NextProtocolFlag) << 24) | (byte)gpeNextProtocol,
                    (vni & 0xFF_FFFF) << 8);
            uint outerSource = source.AsV4().Value;
            uint outerDestination = destination.AsV4().Value;
            ushort totalLength = (ushort)(20 + udpLength);
            UnderlayIpv4Headers.Write(ref MemoryMarshal.GetReference(outer), adjacency.DestinationMac, adjacency.SourceMac, 0, totalLength, 0x4000, ttl,
                Ipv4HeaderChecksum.ForFields(0, totalLength, 0x4000, ttl, IpProtocol.Udp, outerSource, outerDestination),
                outerSource, outerDestination, sourcePort, destinationPort, tunnelHeader);
            SetOffsets(ref packet, ipHeaderLength);
            return true;
        }

        EthernetHeader.TryCreateForWrite(outer, out var ethernet);
        ethernet.Destination = adjacency.DestinationMac;
        ethernet.Source = adjacency.SourceMac;
        ethernet.EtherType = EtherType.Ipv6;

        var ipBytes = outer[EthernetHeader.Length..];
        var udpBytes = ipBytes[ipHeaderLength..];
        UdpHeader.TryCreateForWrite(udpBytes, out var udp);
        udp.SourcePort = sourcePort;
        udp.DestinationPort = destinationPort;
        udp.TotalLength = (ushort)udpLength;
        udp.Checksum = 0;

        var tunnel = udpBytes[UdpHeader.Length..];
        if (gpeNextProtocol == 0)
        {
            VxlanHeader.TryCreateForWrite(tunnel, out var vxlan);
            vxlan.Initialize(vni);
        }
        else
        {
            VxlanGpeHeader.TryCreateForWrite(tunnel, out var gpe);
            gpe.Initialize(vni, gpeNextProtocol);
        }

        Ipv6Header.TryCreateForWrite(ipBytes, out var ip);
        BinaryPrimitives.WriteUInt32BigEndian(ipBytes, 0x6000_0000); // version 6, traffic class 0, flow label 0
        ip.PayloadLength = (ushort)udpLength;
        ip.NextHeader = IpProtocol.Udp;
        ip.HopLimit = ttl;
        ip.Source = source.AsV6();
        ip.Destination = destination.AsV6();
        var datagram = packet.Data[(EthernetHeader.Length + Ipv6Header.Length)..];
        ushort checksum = InternetChecksum.Finish(InternetChecksum.Sum(datagram, ip.PseudoHeaderSum(IpProtocol.Udp, udpLength)));
        udp.Checksum = checksum == 0 ? (ushort)0xFFFF : checksum; // RFC 768: a computed 0 is sent as all ones

        SetOffsets(ref packet, ipHeaderLength);
        return true;
    }

    private static void SetOffsets(ref PacketDescriptor packet, int ipHeaderLength)
    {
        packet.L2Offset = (ushort)packet.DataOffset;
        packet.L3Offset = (ushort)(packet.DataOffset + EthernetHeader.Length);
        packet.L4Offset = (ushort)(packet.L3Offset + ipHeaderLength);
        packet.InnerL3Offset = (ushort)(packet.L4Offset + TunnelHeaders);
    }
}
