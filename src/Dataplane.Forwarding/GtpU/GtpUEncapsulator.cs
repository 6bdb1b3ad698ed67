using System.Buffers.Binary;
using System.Collections.Frozen;
using System.Runtime.InteropServices;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Routing;
using Dataplane.Forwarding.Stages;
using Dataplane.Tables.Gtp;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Checksums;
using Dataplane.Wire.Headers;
using Dataplane.Wire.Tunnels;

namespace Dataplane.Forwarding.GtpU;

/// <summary>
/// Sends a native packet into the GTP-U tunnel of its destination UE: writes Ethernet / IPv4 or IPv6 (by the peer's
/// family) / UDP 2152 / GTP-U G-PDU (TS 29.281 section 5.1, TEID out) and, when the tunnel has a QFI, a PDU
/// Session Container with DL PDU SESSION INFORMATION (TS 38.415 section 5.5.2.1) in the headroom in front of the
/// inner IP header; the inner packet is neither copied nor changed (the tunnel is one hop of the UE's path, like
/// a UPF's N6 to N3 leg, so the inner TTL is left to the routers either side).
/// Outer rules: TTL / hop limit 64; IPv4 identification 0 and no DF (the MTU check below keeps us from needing
/// fragmentation); source and destination UDP port 2152 (TS 29.281 section 4.4.2.3 lets the sender pick the
/// source port; 2152 is what peers that filter on it expect); UDP checksum 0 over IPv4 (RFC 768 allows it) and
/// computed over IPv6 (RFC 8200 section 8.1 requires it).
/// </summary>
internal static class GtpUEncapsulator
{
    /// <summary>Leaves the packet alone (None) when no tunnel serves its destination; else encapsulates and transmits it or names the drop.</summary>
    public static DropReason TryEncapsulate(ref PacketDescriptor packet, GtpUTunnelSnapshot snapshot, ref UnderlayResolver underlay, WorkerCounters counters)
    {
        int l3 = packet.L3Offset - packet.DataOffset;
        var frame = packet.Data;
        if (l3 < 0 || l3 >= frame.Length)
        {
            return DropReason.None; // not an IP packet we can read; routing names its fate
        }

        IpAddress destination;
        int innerLength;
        if (packet.Kind == PacketKind.NativeIpv4)
        {
            if (!Ipv4Header.TryCreate(frame[l3..], out var ipv4))
            {
                return DropReason.None;
            }

            destination = ipv4.Destination;
            innerLength = ipv4.TotalLength;
        }
        else
        {
            if (!Ipv6Header.TryCreate(frame[l3..], out var ipv6))
            {
                return DropReason.None;
            }

            destination = ipv6.Destination;
            innerLength = Ipv6Header.Length + ipv6.PayloadLength;
        }

        if (!snapshot.TryGetByUe(packet.InstanceId, destination, out var found))
        {
            return DropReason.None;
        }

        var tunnel = found!;
        var unresolved = underlay.Resolve(tunnel.Peer, out var adjacency); // runs toward one peer resolve once
        if (unresolved != DropReason.None)
        {
            return unresolved;
        }

        var framed = TryFrame(ref packet, l3, innerLength, tunnel.Local, tunnel.Peer, tunnel.TeidOut, tunnel.Qfi, in adjacency);
        if (framed != DropReason.None)
        {
            return framed;
        }

        counters.Count(ForwardingEvent.GtpUEncapsulated);
        return DropReason.None;
    }

    /// <summary>
    /// Prepends Ethernet / IPv4 or IPv6 (<paramref name="local"/> to <paramref name="peer"/>, TTL 64) / UDP 2152 /
    /// G-PDU with <paramref name="teid"/> (and a downlink PDU Session Container with <paramref name="qfi"/> when given)
    /// in front of the inner IP packet at <paramref name="l3"/> (<paramref name="innerLength"/> bytes), in the
    /// headroom, and sets the packet to leave by the adjacency's port. The UDP checksum is 0 over IPv4 (RFC 768) and
    /// computed over IPv6 (RFC 8200). Shared by the GTP-U endpoint and the TOF's downlink.
    /// </summary>
    public static DropReason TryFrame(ref PacketDescriptor packet, int l3, int innerLength, IpAddress local, IpAddress peer, uint teid, byte? qfi,
        in Adjacency adjacency)
    {
        bool outerV6 = peer.IsV6;
        bool withContainer = qfi.HasValue;
        int ipLength = outerV6 ? Ipv6Header.Length : Ipv4Header.MinLength;
        int gtpLength = withContainer ? GtpUGPduWriter.HeaderLengthWithPduSessionContainer : GtpUGPduWriter.HeaderLength;
        int udpLength = UdpHeader.Length + gtpLength + innerLength;
        if (ipLength + udpLength > adjacency.Mtu)
        {
            return DropReason.OverMtu;
        }

        int overhead = EthernetHeader.Length + ipLength + UdpHeader.Length + gtpLength;
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

        if (!outerV6 && !withContainer && innerLength <= ushort.MaxValue)
        {
            // TS 29.281 5.1: version 1, PT 1, no optional fields; message type G-PDU; the length of the T-PDU; the TEID.
            ushort totalLength = (ushort)(ipLength + udpLength);
            uint source = local.AsV4().Value;
            uint destination = peer.AsV4().Value;
            ulong gtp = UnderlayIpv4Headers.TunnelHeader(
                ((uint)((GtpUHeader.Version1 << 5) | GtpUHeader.ProtocolTypeFlag) << 24) | ((uint)GtpUMessageType.GPdu << 16) | (uint)innerLength, teid);
            UnderlayIpv4Headers.Write(ref MemoryMarshal.GetReference(outer), adjacency.DestinationMac, adjacency.SourceMac, 0, totalLength, 0,
                GtpUEndpointStage.OriginatedTtl, Ipv4HeaderChecksum.ForFields(0, totalLength, 0, GtpUEndpointStage.OriginatedTtl, IpProtocol.Udp, source, destination),
                source, destination, TunnelPorts.GtpU, TunnelPorts.GtpU, gtp);
        }
        else
        {
            EthernetHeader.TryCreateForWrite(outer, out var ethernet);
            ethernet.Destination = adjacency.DestinationMac;
            ethernet.Source = adjacency.SourceMac;
            ethernet.EtherType = outerV6 ? EtherType.Ipv6 : EtherType.Ipv4;

            var ipBytes = outer[EthernetHeader.Length..];
            var udpBytes = ipBytes[ipLength..];
            var gtpBytes = udpBytes[UdpHeader.Length..];
            if (withContainer)
            {
                GtpUGPduWriter.TryWriteWithPduSessionContainer(gtpBytes, teid, innerLength, PduSessionInformationType.Downlink,
                    qfi.GetValueOrDefault(), rqi: false, out _);
            }
            else
            {
                GtpUGPduWriter.TryWrite(gtpBytes, teid, innerLength, out _);
            }

            UdpHeader.TryCreateForWrite(udpBytes, out var udp);
            udp.SourcePort = TunnelPorts.GtpU;
            udp.DestinationPort = TunnelPorts.GtpU;
            udp.TotalLength = (ushort)udpLength;
            udp.Checksum = 0;

            if (outerV6)
            {
                Ipv6Header.TryCreateForWrite(ipBytes, out var ip);
                BinaryPrimitives.WriteUInt32BigEndian(ipBytes, 0x6000_0000); // version 6, traffic class 0, flow label 0
                ip.PayloadLength = (ushort)udpLength;
                ip.NextHeader = IpProtocol.Udp;
                ip.HopLimit = GtpUEndpointStage.OriginatedTtl;
                ip.Source = local.AsV6();
                ip.Destination = peer.AsV6();

                // Over the whole datagram, which runs past the prepended headers into the inner packet.
                UdpHeader.TryCreateForWrite(packet.Data[(EthernetHeader.Length + ipLength)..], out var datagram);
                udp.Checksum = datagram.ComputeChecksum(ip.Source, ip.Destination);
            }
            else
            {
                Ipv4Header.TryCreateForWrite(ipBytes, out var ip);
                ipBytes[0] = 0x45;
                ipBytes[1] = 0;
                ip.TotalLength = (ushort)(ipLength + udpLength);
                ip.Identification = 0;
                BinaryPrimitives.WriteUInt16BigEndian(ipBytes[6..], 0); // no flags, fragment offset 0
                ip.TimeToLive = GtpUEndpointStage.OriginatedTtl;
                ip.Protocol = IpProtocol.Udp;
                ip.Source = local.AsV4();
                ip.Destination = peer.AsV4();
                ip.Checksum = Ipv4HeaderChecksum.ForFields(0, (ushort)(ipLength + udpLength), 0, GtpUEndpointStage.OriginatedTtl, IpProtocol.Udp,
                    local.AsV4().Value, peer.AsV4().Value);
            }
        }

        packet.Kind = PacketKind.GtpU;
        packet.L2Offset = (ushort)packet.DataOffset;
        packet.L3Offset = (ushort)(packet.DataOffset + EthernetHeader.Length);
        packet.L4Offset = (ushort)(packet.L3Offset + ipLength);
        packet.InnerL3Offset = (ushort)(packet.DataOffset + overhead);
        packet.Transmit(adjacency.Port);
        return DropReason.None;
    }
}
