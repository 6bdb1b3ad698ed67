using System.Buffers.Binary;
using System.Collections.Frozen;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Lisp;
using Dataplane.Forwarding.Routing;
using Dataplane.Forwarding.Stages;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Tunnels;

namespace Dataplane.Forwarding.GtpU;

/// <summary>
/// One worker's answers to G-PDUs addressed to us that it cannot deliver (3GPP TS 29.281 section 7.3): an Error
/// Indication for a TEID no tunnel has (7.3.1), a Supported Extension Headers Notification for an extension header
/// whose comprehension is required and which we do not support (7.3.2). Each is built in the G-PDU's own buffer
/// (<see cref="GtpUReplyFrame"/>) and goes back to the G-PDU's source from UDP port 2152, within the worker's
/// budget (a <see cref="TokenBucket"/> of <c>gtpu.errorIndicationsPerSecond</c>, one second's worth at most: a flood
/// of G-PDUs with unknown TEIDs must not turn into as many packets out); past it, or when the source is unreachable, the G-PDU is only dropped.
/// </summary>
internal sealed class GtpUErrorSignaller(TokenBucket budget)
{
    private const uint UnderlayInstance = 0;

    /// <summary>The extension header types we act on (TS 29.281 5.2.1); the others we skip when their comprehension is not required.</summary>
    private static ReadOnlySpan<byte> SupportedExtensionHeaders => [(byte)GtpUExtensionHeaderType.PduSessionContainer];

    /// <summary>
    /// The G-PDU at <paramref name="l3"/> / <paramref name="l4"/> (frame offsets) carries <paramref name="teid"/>, which no
    /// tunnel has: it becomes an Error Indication with TEID Data I = <paramref name="teid"/> and GTP-U Peer Address = its
    /// destination (our address), sent to UDP port 2152 of its source (TS 29.281 4.4.2.4). Returns the drop reason
    /// when none could be sent.
    /// </summary>
    public DropReason TrySendErrorIndication(ref PacketDescriptor packet, int l3, int l4, bool outerV4, uint teid, Fib fib, PortTable ports,
        FrozenDictionary<IpAddress, Neighbour> neighbours, WorkerCounters counters)
    {
        if (!TryPrepare(in packet, l3, outerV4, fib, ports, neighbours, counters, out var ours, out var adjacency))
        {
            return DropReason.UnknownTeid;
        }

        var message = GtpUReplyFrame.TryMakeRoom(ref packet, l3, l4, GtpUPathMessage.ErrorIndicationLength(outerV4));
        if (message.IsEmpty)
        {
            return DropReason.UnknownTeid;
        }

        GtpUPathMessage.WriteErrorIndication(message, teid, ours);
        if (!GtpUReplyFrame.TrySendBack(ref packet, l3, l4, outerV4, TunnelPorts.GtpU, TunnelPorts.GtpU, adjacency))
        {
            return DropReason.UnknownTeid;
        }

        counters.Count(ForwardingEvent.GtpUErrorIndicationSent);
        return DropReason.None;
    }

    /// <summary>
    /// True for an extension header type a receiving endpoint must understand (bit 8 set: "comprehension required by
    /// the endpoint receiver" or "by every recipient", TS 29.281 5.2.1) and we do not; the PDU Session Container is
    /// the one such type we read.
    /// </summary>
    public static bool IsUnsupportedRequired(GtpUExtensionHeaderType type) =>
        ((byte)type & 0x80) != 0 && !SupportedExtensionHeaders.Contains((byte)type);

    /// <summary>
    /// The G-PDU carries an extension header we must understand and do not: it becomes a Supported Extension Headers
    /// Notification listing the types we support, sent to the G-PDU's source port (TS 29.281 4.4.2.5).
    /// </summary>
    public DropReason TrySendSupportedExtensionHeaders(ref PacketDescriptor packet, int l3, int l4, bool outerV4, Fib fib, PortTable ports,
        FrozenDictionary<IpAddress, Neighbour> neighbours, WorkerCounters counters)
    {
        if (!TryPrepare(in packet, l3, outerV4, fib, ports, neighbours, counters, out _, out var adjacency))
        {
            return DropReason.GtpUUnsupportedExtensionHeader;
        }

        ushort sourcePort = BinaryPrimitives.ReadUInt16BigEndian(packet.Data[l4..]);
        var message = GtpUReplyFrame.TryMakeRoom(ref packet, l3, l4,
            GtpUPathMessage.SupportedExtensionHeadersNotificationLength(SupportedExtensionHeaders.Length));
        if (message.IsEmpty)
        {
            return DropReason.GtpUUnsupportedExtensionHeader;
        }

        GtpUPathMessage.WriteSupportedExtensionHeadersNotification(message, SupportedExtensionHeaders);
        if (!GtpUReplyFrame.TrySendBack(ref packet, l3, l4, outerV4, TunnelPorts.GtpU, sourcePort, adjacency))
        {
            return DropReason.GtpUUnsupportedExtensionHeader;
        }

        counters.Count(ForwardingEvent.GtpUExtensionHeadersNotified);
        return DropReason.None;
    }

    /// <summary>Takes from the budget and resolves the G-PDU's source; <paramref name="ours"/> is the G-PDU's destination.</summary>
    private bool TryPrepare(in PacketDescriptor packet, int l3, bool outerV4, Fib fib, PortTable ports, FrozenDictionary<IpAddress, Neighbour> neighbours,
        WorkerCounters counters, out IpAddress ours, out Adjacency adjacency)
    {
        adjacency = default;
        var frame = packet.Data;
        IpAddress peer = outerV4 ? Ipv4Address.Read(frame[(l3 + 12)..]) : Ipv6Address.Read(frame[(l3 + 8)..]);
        ours = outerV4 ? Ipv4Address.Read(frame[(l3 + 16)..]) : Ipv6Address.Read(frame[(l3 + 24)..]);
        if (!budget.TryTake())
        {
            counters.Count(ForwardingEvent.GtpUSignallingSuppressed);
            return false;
        }

        return fib.TryResolve(UnderlayInstance, peer, neighbours, ports, out adjacency) == ResolveResult.Resolved;
    }
}
