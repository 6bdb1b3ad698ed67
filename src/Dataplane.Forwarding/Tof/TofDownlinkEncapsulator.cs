using System.Buffers.Binary;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.GtpU;
using Dataplane.Forwarding.Routing;
using Dataplane.Forwarding.Stages;
using Dataplane.Wire.Checksums;
using Dataplane.Wire.Headers;
using Dataplane.Wire.Tunnels;

namespace Dataplane.Forwarding.Tof;

/// <summary>
/// Puts an application's (already NATed) reply into a UE's learned downlink tunnel, in the headroom, as the SGW would
/// have sent it: Ethernet / IPv4 from the SGW's address to the eNB's (TTL 64, identification 0, no flags) / UDP
/// 2152 -> 2152 (checksum 0, RFC 768) / GTP-U G-PDU with the eNB's TEID (TS 29.281 section 5.1), plus a PDU
/// Session Container with DL PDU SESSION INFORMATION and the UE's QFI when its uplink carried one (TS 38.415
/// section 5.5.2.1). The inner packet is not copied.
/// </summary>
internal static class TofDownlinkEncapsulator
{
    public static DropReason TryEncapsulate(ref PacketDescriptor packet, int l3, int innerLength, TofTunnelEndpoint downlink, int qfi,
        in Adjacency adjacency)
    {
        bool withContainer = qfi != TofTunnel.NoQfi;
        int gtpLength = withContainer ? GtpUGPduWriter.HeaderLengthWithPduSessionContainer : GtpUGPduWriter.HeaderLength;
        int udpLength = UdpHeader.Length + gtpLength + innerLength;
        if (Ipv4Header.MinLength + udpLength > adjacency.Mtu)
        {
            return DropReason.OverMtu;
        }

        int overhead = EthernetHeader.Length + Ipv4Header.MinLength + UdpHeader.Length + gtpLength;
        if (overhead - l3 > packet.Headroom)
        {
            return DropReason.NoHeadroom;
        }

        int excess = packet.Length - l3 - innerLength;
        if (excess > 0)
        {
            packet.TryTrim(excess); // Ethernet padding must not ride inside the tunnel
        }

        packet.TryAdjust(l3);
        packet.TryPrepend(overhead, out var outer);

        EthernetHeader.TryCreateForWrite(outer, out var ethernet);
        ethernet.Destination = adjacency.DestinationMac;
        ethernet.Source = adjacency.SourceMac;
        ethernet.EtherType = EtherType.Ipv4;

        var ipBytes = outer[EthernetHeader.Length..];
        var udpBytes = ipBytes[Ipv4Header.MinLength..];
        var gtpBytes = udpBytes[UdpHeader.Length..];
        if (withContainer)
        {
            GtpUGPduWriter.TryWriteWithPduSessionContainer(gtpBytes, downlink.Teid, innerLength, PduSessionInformationType.Downlink,
                (byte)qfi, rqi: false, out _);
        }
        else
        {
            GtpUGPduWriter.TryWrite(gtpBytes, downlink.Teid, innerLength, out _);
        }

        UdpHeader.TryCreateForWrite(udpBytes, out var udp);
        udp.SourcePort = TunnelPorts.GtpU;
        udp.DestinationPort = TunnelPorts.GtpU;
        udp.TotalLength = (ushort)udpLength;
        udp.Checksum = 0;

        Ipv4Header.TryCreateForWrite(ipBytes, out var ip);
        ipBytes[0] = 0x45;
        ipBytes[1] = 0;
        ip.TotalLength = (ushort)(Ipv4Header.MinLength + udpLength);
        ip.Identification = 0;
        BinaryPrimitives.WriteUInt16BigEndian(ipBytes[6..], 0); // no flags, fragment offset 0
        ip.TimeToLive = GtpUEndpointStage.OriginatedTtl;
        ip.Protocol = IpProtocol.Udp;
        ip.Source = downlink.Source;
        ip.Destination = downlink.Destination;
        ip.Checksum = 0;
        ip.Checksum = InternetChecksum.Compute(ipBytes[..Ipv4Header.MinLength]);

        packet.Kind = (byte)PacketKind.GtpU;
        packet.L2Offset = (ushort)packet.DataOffset;
        packet.L3Offset = (ushort)(packet.DataOffset + EthernetHeader.Length);
        packet.L4Offset = (ushort)(packet.L3Offset + Ipv4Header.MinLength);
        packet.InnerL3Offset = (ushort)(packet.DataOffset + overhead);
        packet.Transmit(adjacency.Port);
        return DropReason.None;
    }
}
