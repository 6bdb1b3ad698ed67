using System.Buffers.Binary;
using System.Collections.Frozen;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Routing;
using Dataplane.Forwarding.Stages;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Headers;
using Dataplane.Wire.Tunnels;

namespace Dataplane.Forwarding.GtpU;

/// <summary>
/// Answers a GTP-U Echo Request in place (3GPP TS 29.281 section 7.2.2): the same packet becomes the Echo Response
/// with S set, the request's sequence number, TEID 0 and one Recovery IE (type 14) whose restart counter is 0, as
/// section 7.2.2 and TS 29.281 section 8.2 require for GTP-U. Addresses and ports are swapped, the IP TTL / hop
/// limit is reset to 64 (the response is a new packet we originate), the UDP checksum is computed, and the
/// response goes straight back to the peer through the underlay FIB (instance 0).
/// </summary>
internal static class GtpUEchoResponder
{
    private const uint UnderlayInstance = 0;

    /// <summary>GTP-U header with the optional fields (12) plus the Recovery IE (type, restart counter).</summary>
    public const int ResponseLength = GtpUHeader.MandatoryLength + GtpUHeader.OptionalFieldsLength + 2;

    /// <summary>Recovery information element type (TS 29.281 section 8.2).</summary>
    public const byte RecoveryIeType = 14;

    public static DropReason TryReply(ref PacketDescriptor packet, int l3, int l4, bool outerV4, GtpUHeader request, Fib fib,
        PortTable ports, FrozenDictionary<IpAddress, Neighbour> neighbours, WorkerCounters counters)
    {
        ushort sequence = request.SequenceNumber;
        var frame = packet.Data;
        // The request's source address: where the response goes.
        IpAddress peer = outerV4 ? Ipv4Address.Read(frame[(l3 + 12)..]) : Ipv6Address.Read(frame[(l3 + 8)..]);
        var resolved = fib.TryResolve(UnderlayInstance, peer, neighbours, ports, out var adjacency);
        if (resolved != ResolveResult.Resolved)
        {
            return resolved.AsDropReason();
        }

        int gtpStart = l4 + UdpHeader.Length;
        if (!packet.TrySetLength(gtpStart + ResponseLength))
        {
            return DropReason.NoHeadroom; // the buffer has no tailroom for 14 octets: never with pool buffers
        }

        frame = packet.Data;
        var gtp = frame[gtpStart..];
        gtp[0] = (GtpUHeader.Version1 << 5) | GtpUHeader.ProtocolTypeFlag | GtpUHeader.SequenceNumberFlag;
        gtp[1] = (byte)GtpUMessageType.EchoResponse;
        BinaryPrimitives.WriteUInt16BigEndian(gtp[2..], ResponseLength - GtpUHeader.MandatoryLength);
        BinaryPrimitives.WriteUInt32BigEndian(gtp[4..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(gtp[8..], sequence);
        gtp[10] = 0; // N-PDU number
        gtp[11] = 0; // no extension headers
        gtp[12] = RecoveryIeType;
        gtp[13] = 0; // restart counter: always 0 in GTP-U

        UdpHeader.TryCreateForWrite(frame[l4..], out var udp);
        ushort requestSourcePort = udp.SourcePort;
        udp.SourcePort = udp.DestinationPort;
        udp.DestinationPort = requestSourcePort;
        udp.TotalLength = UdpHeader.Length + ResponseLength;
        udp.Checksum = 0;

        ushort etherType;
        if (outerV4)
        {
            Ipv4Header.TryCreateForWrite(frame[l3..], out var ip);
            var requestSource = ip.Source;
            ip.Source = ip.Destination;
            ip.Destination = requestSource;
            ip.TotalLength = (ushort)(l4 - l3 + UdpHeader.Length + ResponseLength);
            ip.TimeToLive = GtpUEndpointStage.OriginatedTtl;
            ip.Checksum = 0;
            ip.Checksum = ip.ComputeChecksum();
            udp.Checksum = udp.ComputeChecksum(ip.Source, ip.Destination);
            etherType = EtherType.Ipv4;
        }
        else
        {
            Ipv6Header.TryCreateForWrite(frame[l3..], out var ip);
            var requestSource = ip.Source;
            ip.Source = ip.Destination;
            ip.Destination = requestSource;
            ip.PayloadLength = (ushort)(l4 - l3 - Ipv6Header.Length + UdpHeader.Length + ResponseLength);
            ip.HopLimit = GtpUEndpointStage.OriginatedTtl;
            udp.Checksum = udp.ComputeChecksum(ip.Source, ip.Destination);
            etherType = EtherType.Ipv6;
        }

        if (!RoutingStage.TryWriteEthernet(ref packet, l3, adjacency, etherType))
        {
            return DropReason.NoHeadroom;
        }

        packet.L3Offset = (ushort)(packet.DataOffset + EthernetHeader.Length);
        packet.L4Offset = (ushort)(packet.L3Offset + (l4 - l3));
        packet.Transmit(adjacency.Port);
        counters.Count(ForwardingEvent.GtpUEchoReplied);
        return DropReason.None;
    }
}
