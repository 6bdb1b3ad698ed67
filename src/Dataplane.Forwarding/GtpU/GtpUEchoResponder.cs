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
/// Answers a GTP-U Echo Request in its own buffer (3GPP TS 29.281 section 7.2.2): the packet becomes the Echo
/// Response with S set, the request's sequence number, TEID 0 and one Recovery IE (type 14) whose restart counter is
/// 0, as section 7.2.2 and TS 29.281 section 8.2 require for GTP-U. Addresses and ports are swapped, the IP TTL / hop
/// limit is reset to 64 (the response is a new packet we originate), the UDP checksum is computed, and the response
/// goes straight back to the peer through the underlay FIB (instance 0). The response is 2 octets longer than a
/// request without IEs; <see cref="GtpUReplyFrame"/> finds them even when the frame ends where its buffer does.
/// </summary>
internal static class GtpUEchoResponder
{
    private const uint UnderlayInstance = 0;

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

        UdpHeader.TryCreateForWrite(frame[l4..], out var udp);
        ushort requestSourcePort = udp.SourcePort;
        ushort requestDestinationPort = udp.DestinationPort;
        var message = GtpUReplyFrame.TryMakeRoom(ref packet, l3, l4, GtpUPathMessage.EchoResponseLength);
        if (message.IsEmpty)
        {
            return DropReason.NoHeadroom;
        }

        GtpUPathMessage.WriteEchoResponse(message, sequence);
        if (!GtpUReplyFrame.TrySendBack(ref packet, l3, l4, outerV4, requestDestinationPort, requestSourcePort, adjacency))
        {
            return DropReason.NoHeadroom;
        }

        counters.Count(ForwardingEvent.GtpUEchoReplied);
        return DropReason.None;
    }
}
