using System.Buffers.Binary;
using System.Collections.Frozen;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Lisp;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Routing;
using Dataplane.Forwarding.Stages;
using Dataplane.Tables.Gtp;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Headers;
using Dataplane.Wire.Tunnels;

namespace Dataplane.Forwarding.GtpU;

/// <summary>
/// One worker's GTP-U endpoint (3GPP TS 29.281), run once per batch before the other tunnel stages:
/// <list type="bullet">
/// <item>GTP-U to one of our addresses: a G-PDU of a known tunnel is stripped to its inner packet (outer IP, UDP,
/// GTP-U and every extension header) and left pending, native, in the tunnel's instance, for routing; an Echo
/// Request is answered in its buffer (section 7.2.2) and sent back to the peer; a G-PDU with an unknown TEID becomes
/// an Error Indication, one with an extension we must understand and do not a Supported Extension Headers
/// Notification (section 7.3, <see cref="GtpUErrorSignaller"/>); other messages are punted. A non-zero UDP checksum
/// must verify first (<see cref="TunnelUdpChecksum"/>).</item>
/// <item>GTP-U not to us: made native again so routing forwards it untouched.</item>
/// <item>Native packets to a tunnel's UE address: encapsulated in the headroom (see <see cref="GtpUEncapsulator"/>).</item>
/// </list>
/// The tunnel snapshot, FIB, neighbours and local addresses are read once per batch; nothing allocates.
/// </summary>
public sealed class GtpUEndpointStage(ForwardingPlane plane, GtpUTunnelTable tunnels) : IBatchStage
{
    /// <summary>TTL / hop limit of the headers we originate (outer headers, echo responses).</summary>
    public const byte OriginatedTtl = 64;

    // One entry per packet of a vector, padded so that no other worker's data shares the first or last cache line.
    private const int ScratchPadding = 8;
    private readonly PlainEntry[] plain = new PlainEntry[ScratchPadding + PacketBatch.MaxCapacity + ScratchPadding];

    private readonly GtpUErrorSignaller signaller = new(new TokenBucket(plane.Options.Clock,
        plane.Config.Gtpu?.ErrorIndicationsPerSecond ?? new GtpUConfig().ErrorIndicationsPerSecond));

    private readonly bool acceptsBadChecksums = TunnelUdpChecksum.AcceptsBad(plane.Config);

    /// <summary>The QFI of the last uplink PDU Session Container this worker saw (diagnostics; the TOF will keep one per tunnel).</summary>
    public byte LastUplinkQfi { get; private set; }

    public string Name => "gtpu";

    public PacketKinds Accepts => PacketKinds.GtpU | PacketKinds.NativeIp;

    public void Run(Span<PacketDescriptor> packets, ReadOnlySpan<ushort> vector, WorkerCounters counters)
    {
        var snapshot = tunnels.Snapshot;
        var local = plane.LocalAddressSet;
        var fib = plane.Fib;
        var ports = plane.Ports;
        var neighbours = plane.Neighbours.Snapshot;
        var underlay = UnderlayResolver.ForBatch(plane);
        var ipv4Tunnels = snapshot.Ipv4;

        // First pass: read every plain G-PDU's key, hash it and prefetch its slot of the tunnel index, so that the
        // lookups of the second pass find their slots in cache instead of waiting for them one after another.
        var plain = this.plain.AsSpan(ScratchPadding, vector.Length);
        for (int v = 0; v < vector.Length; v++)
        {
            ref var packet = ref packets[vector[v]];
            ref var entry = ref plain[v];
            if (packet.Kind == PacketKind.GtpU && PlainGPdu.TryRead(in packet, out entry.GPdu))
            {
                entry.Hash = GtpUIpv4TunnelIndex.Hash(entry.GPdu.OuterSource, entry.GPdu.OuterDestination, entry.GPdu.Teid);
                ipv4Tunnels.Prefetch(entry.Hash);
                entry.IsPlain = true;
            }
            else
            {
                entry.IsPlain = false;
            }
        }

        for (int v = 0; v < vector.Length; v++)
        {
            ref var packet = ref packets[vector[v]];
            var kind = packet.Kind;
            DropReason reason;
            if (plain[v].IsPlain)
            {
                reason = ReceivePlain(ref packet, in plain[v], ipv4Tunnels, local, acceptsBadChecksums, counters);
            }
            else if (kind == PacketKind.GtpU)
            {
                reason = Receive(ref packet, snapshot, local, fib, ports, neighbours, counters);
            }
            else if (kind is PacketKind.NativeIpv4 or PacketKind.NativeIpv6)
            {
                reason = GtpUEncapsulator.TryEncapsulate(ref packet, snapshot, ref underlay, counters);
            }
            else
            {
                continue;
            }

            if (reason == DropReason.UnknownTeid)
            {
                // A G-PDU to one of our addresses, well formed, with a TEID no tunnel has (TS 29.281 7.3.1).
                reason = SendErrorIndication(ref packet, fib, ports, neighbours, counters);
            }

            if (reason != DropReason.None)
            {
                packet.Drop(reason, counters);
            }
        }
    }

    private DropReason SendErrorIndication(ref PacketDescriptor packet, Fib fib, PortTable ports, FrozenDictionary<IpAddress, Neighbour> neighbours,
        WorkerCounters counters)
    {
        var frame = packet.Data;
        int l3 = packet.L3Offset - packet.DataOffset;
        int l4 = packet.L4Offset - packet.DataOffset;
        uint teid = BinaryPrimitives.ReadUInt32BigEndian(frame[(l4 + UdpHeader.Length + 4)..]);
        return signaller.TrySendErrorIndication(ref packet, l3, l4, frame[l3] >> 4 == 4, teid, fib, ports, neighbours, counters);
    }

    /// <summary>A plain G-PDU (<see cref="PlainGPdu"/>): what <see cref="Receive"/> decides for it, without parsing it again.</summary>
    private static DropReason ReceivePlain(ref PacketDescriptor packet, in PlainEntry entry, GtpUIpv4TunnelIndex ipv4Tunnels, LocalAddressSet local,
        bool acceptsBadChecksums, WorkerCounters counters)
    {
        var gpdu = entry.GPdu;
        if (!local.Contains(new Ipv4Address(gpdu.OuterDestination)))
        {
            packet.Kind = PacketKind.NativeIpv4; // transit GTP-U, as in Receive
            return DropReason.None;
        }

        var frame = packet.Data;
        int l4 = gpdu.GtpStart - UdpHeader.Length;
        DropReason reason;
        if (BinaryPrimitives.ReadUInt16BigEndian(frame[(l4 + 6)..]) != 0
            && (reason = TunnelUdpChecksum.Check(in packet, frame, l4 - Ipv4Header.MinLength, l4, outerV4: true, acceptsBadChecksums, counters)) != DropReason.None)
        {
            return reason;
        }

        if (!ipv4Tunnels.TryGet(entry.Hash, gpdu.OuterSource, gpdu.OuterDestination, gpdu.Teid, out var tunnel))
        {
            return DropReason.UnknownTeid;
        }

        packet.HandOffInner(gpdu.InnerStart, gpdu.InnerLength, PacketKind.NativeIpv4, Ipv4Header.MinLength, tunnel!.InstanceId);
        counters.Count(ForwardingEvent.GtpUDecapsulated);
        return DropReason.None;
    }

    private DropReason Receive(ref PacketDescriptor packet, GtpUTunnelSnapshot snapshot, LocalAddressSet local, Fib fib,
        PortTable ports, FrozenDictionary<IpAddress, Neighbour> neighbours, WorkerCounters counters)
    {
        var frame = packet.Data;
        int l3 = packet.L3Offset - packet.DataOffset;
        int l4 = packet.L4Offset - packet.DataOffset;
        if (l3 < 0 || l4 <= l3 || l4 >= frame.Length)
        {
            return DropReason.MalformedUdp;
        }

        IpAddress source;
        IpAddress destination;
        Span<byte> udpBytes;
        bool outerV4 = frame[l3] >> 4 == 4;
        if (outerV4)
        {
            if (!Ipv4Header.TryCreate(frame[l3..], out var ipv4))
            {
                return DropReason.MalformedIpv4;
            }

            source = ipv4.Source;
            destination = ipv4.Destination;
            udpBytes = frame[l4..(l3 + ipv4.TotalLength)];
        }
        else
        {
            if (!Ipv6Header.TryCreate(frame[l3..], out var ipv6))
            {
                return DropReason.MalformedIpv6;
            }

            source = ipv6.Source;
            destination = ipv6.Destination;
            udpBytes = frame[l4..(l3 + Ipv6Header.Length + ipv6.PayloadLength)];
        }

        if (!local.Contains(destination))
        {
            // Transit GTP-U: not ours to terminate; routing forwards it like any other packet.
            packet.Kind = (outerV4 ? PacketKind.NativeIpv4 : PacketKind.NativeIpv6);
            return DropReason.None;
        }

        if (!UdpHeader.TryCreate(udpBytes, out var udp))
        {
            return DropReason.MalformedUdp;
        }

        DropReason reason;
        if (udp.Checksum != 0 && (reason = TunnelUdpChecksum.Check(in packet, frame, l3, l4, outerV4, acceptsBadChecksums, counters)) != DropReason.None)
        {
            return reason;
        }

        if (!GtpUHeader.TryCreate(udp.Payload, out var gtp))
        {
            return DropReason.MalformedGtpU;
        }

        switch (gtp.MessageType)
        {
            case GtpUMessageType.GPdu:
                var key = new GtpUTunnelKey(source, destination, gtp.Teid);
                if (!snapshot.TryGet(key, out var tunnel))
                {
                    return DropReason.UnknownTeid;
                }

                return Decapsulate(ref packet, gtp, l3, l4, outerV4, tunnel!, fib, ports, neighbours, counters);
            case GtpUMessageType.EchoRequest:
                return GtpUEchoResponder.TryReply(ref packet, l3, l4, outerV4, gtp, fib, ports, neighbours, counters);
            default:
                // Error Indication, End Marker, Echo Response, Supported Extension Headers Notification, Tunnel Status:
                // path management and tunnel signalling belong to the control plane (TS 29.281 sections 7.2-7.3).
                packet.Punt();
                counters.Count(ForwardingEvent.GtpUPunted);
                return DropReason.None;
        }
    }

    private DropReason Decapsulate(ref PacketDescriptor packet, GtpUHeader gtp, int l3, int l4, bool outerV4, GtpUTunnel tunnel, Fib fib,
        PortTable ports, FrozenDictionary<IpAddress, Neighbour> neighbours, WorkerCounters counters)
    {
        // One walk of the extension chain (TryCreate already refused a broken one) finds the payload, the QFI, and an
        // extension we would have to understand and do not (TS 29.281 5.2.1: the G-PDU is not delivered).
        int qfi = -1;
        bool unsupported = false;
        var walker = gtp.ExtensionHeaders;
        while (walker.MoveNext())
        {
            var extension = walker.Current;
            if (extension.TryGetPduSessionContainer(out var container))
            {
                if (container.PduType == PduSessionInformationType.Uplink)
                {
                    qfi = container.Qfi;
                }
            }
            else if (GtpUErrorSignaller.IsUnsupportedRequired(extension.Type))
            {
                unsupported = true;
            }
        }

        if (walker.IsMalformed)
        {
            return DropReason.MalformedGtpU;
        }

        if (unsupported)
        {
            return signaller.TrySendSupportedExtensionHeaders(ref packet, l3, l4, outerV4, fib, ports, neighbours, counters);
        }

        int payloadOffset = walker.Offset;
        int gtpStart = l4 + UdpHeader.Length;
        if (qfi >= 0)
        {
            LastUplinkQfi = (byte)qfi;
        }

        int innerStart = gtpStart + payloadOffset;
        int messageEnd = gtpStart + gtp.Message.Length;
        var inner = packet.Data[innerStart..messageEnd];
        if (!TryMeasureInner(inner, out var innerKind, out int innerLength, out int innerHeaderLength))
        {
            return DropReason.InnerHeaderMalformed;
        }

        packet.HandOffInner(innerStart, innerLength, innerKind, innerHeaderLength, tunnel.InstanceId);
        counters.Count(ForwardingEvent.GtpUDecapsulated);
        return DropReason.None;
    }

    /// <summary>Checks the T-PDU is a whole IPv4 or IPv6 packet and measures it.</summary>
    private static bool TryMeasureInner(Span<byte> inner, out PacketKind kind, out int length, out int headerLength)
    {
        kind = PacketKind.Unclassified;
        length = 0;
        headerLength = 0;
        if (inner.IsEmpty)
        {
            return false;
        }

        switch (inner[0] >> 4)
        {
            case 4:
                if (!Ipv4Header.TryCreate(inner, out var ipv4))
                {
                    return false;
                }

                kind = PacketKind.NativeIpv4;
                length = ipv4.TotalLength;
                headerLength = ipv4.HeaderLength;
                return true;
            case 6:
                if (!Ipv6Header.TryCreate(inner, out var ipv6) || !ipv6.TryWalkExtensions(out var chain))
                {
                    return false;
                }

                kind = PacketKind.NativeIpv6;
                length = Ipv6Header.Length + ipv6.PayloadLength;
                headerLength = chain.IsUpperLayerHeaderPresent ? chain.UpperLayerOffset : Ipv6Header.Length;
                return true;
            default:
                return false;
        }
    }

    /// <summary>What the first pass read of one packet: its plain G-PDU and the hash of its tunnel key, or not plain.</summary>
    private struct PlainEntry
    {
        public PlainGPdu GPdu;
        public uint Hash;
        public bool IsPlain;
    }
}
