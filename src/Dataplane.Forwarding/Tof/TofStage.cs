using System.Buffers.Binary;
using System.Collections.Frozen;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Routing;
using Dataplane.Forwarding.Stages;
using Dataplane.Tables.Time;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Checksums;
using Dataplane.Wire.Headers;
using Dataplane.Wire.Tunnels;
using Dataplane.Forwarding.Configuration;

namespace Dataplane.Forwarding.Tof;

/// <summary>
/// One worker's TOF, run before the GTP-U endpoint:
/// <list type="bullet">
/// <item>GTP-U (IPv4 outer) crossing S1-U: a G-PDU teaches the UE's tunnel (uplink eNB -> SGW keyed by the inner
/// source, downlink SGW -> eNB keyed by the inner destination; a changed address or TEID is a handover); an uplink
/// G-PDU to a registered serviceIP is decapsulated, destination-NATed to the applicationIP and sent out the Apps
/// port. An End Marker closes the downlink it names; an Error Indication removes the tunnel it names.</item>
/// <item>An application's reply on the Apps port, of a recorded flow: source-NATed back to the serviceIP and sent
/// into the UE's downlink tunnel (<see cref="TofDownlinkEncapsulator"/>), or dropped as TofNoDownlinkTunnel
/// (flagging the UE for the pinger) when that is not learned yet.</item>
/// <item>Everything else from the eNB or SGW port passes unchanged: bridged to the other port byte for byte with
/// separate ports; with one shared S1 port it is left to routing (the TOF is then a router on a stick).</item>
/// </list>
/// Learning writes the shared lock-free tables (<see cref="TofSlotTable{TKey, TEntry}"/>) and allocates only for a
/// new UE, handover or flow; the steady state allocates nothing. Services, FIB and neighbours are read once per batch.
/// </summary>
public sealed class TofStage(ForwardingPlane plane, TofFeature feature, TofEventRing events, int worker = 0) : IBatchStage
{
    private const byte ErrorIndicationTeidDataIe = 16;
    private const byte ErrorIndicationPeerAddressIe = 133;
    private const byte RecoveryIe = 14;

    private readonly TofSettings settings = feature.Settings;
    private readonly TofSlotTable<Ipv4Address, TofTunnel> tunnels = feature.Tunnels;
    private readonly TofSlotTable<TofNatFlowKey, TofNatFlow> flows = feature.Flows;
    private readonly IMonotonicClock clock = feature.Clock;

    // Idle stamps are written at most this often (1/8 s): idle timeouts are in seconds, and every stamp moves the
    // entry's cache line away from the other workers that read it.
    private readonly long touchGranularity = Math.Max(1, feature.Clock.Frequency / 8);
    private readonly bool gtpUEndpointFollows = plane.HasRole(DataplaneRoles.Gtpu);

    public string Name => "tof";

    /// <summary>Every kind: the TOF decides by the ingress port first (S1 bridge, Apps port) and passes the rest through.</summary>
    public PacketKinds Accepts => PacketKinds.All;

    public void Run(Span<PacketDescriptor> packets, ReadOnlySpan<ushort> vector, WorkerCounters counters)
    {
        var byServiceIp = feature.Services.ByServiceIp;
        var byApplicationIp = feature.Services.ByApplicationIp;
        var underlay = UnderlayResolver.ForBatch(plane);
        long now = clock.Now;
        foreach (ushort i in vector)
        {
            ref var packet = ref packets[i];
            var reason = Handle(ref packet, byServiceIp, byApplicationIp, ref underlay, now, counters);
            if (reason != DropReason.None)
            {
                packet.Drop(reason, counters);
            }
        }
    }

    private DropReason Handle(ref PacketDescriptor packet, FrozenDictionary<Ipv4Address, TofService> byServiceIp,
        FrozenDictionary<Ipv4Address, TofService> byApplicationIp, ref UnderlayResolver underlay, long now, WorkerCounters counters)
    {
        ushort ingress = packet.IngressPort;
        bool fromS1 = ingress == settings.EnbPort || ingress == settings.SgwPort;
        var kind = packet.Kind;
        if (fromS1 && kind == PacketKind.GtpU)
        {
            var reason = ReceiveGtpU(ref packet, byServiceIp, ref underlay, now, counters);
            if (reason != DropReason.None || !packet.IsPending())
            {
                return reason;
            }
        }
        else if (ingress == settings.AppsPort && kind == PacketKind.NativeIpv4)
        {
            var reason = TryReturn(ref packet, byApplicationIp, ref underlay, now, counters, out bool handled);
            if (handled)
            {
                return reason;
            }
        }

        if (!fromS1 || settings.SharedS1)
        {
            // Left to routing: Apps-port traffic that is no reply, what the control plane injects (the pinger's
            // probes are GTP-U), and everything on a shared S1 port (a router on a stick). GTP-U / GTP-C we do not
            // take are forwarded by the FIB like any other packet, unless a GTP-U endpoint (role gtpu) runs too.
            if (kind is PacketKind.GtpU or PacketKind.GtpC && !gtpUEndpointFollows)
            {
                packet.Kind = (packet.Data[packet.L3Offset - packet.DataOffset] >> 4 == 4 ? PacketKind.NativeIpv4 : PacketKind.NativeIpv6);
            }

            return DropReason.None;
        }

        // Separate ports: a bridge. The frame leaves the other port exactly as it came.
        packet.Transmit(ingress == settings.EnbPort ? settings.SgwPort : settings.EnbPort);
        counters.Count(ForwardingEvent.TofPassedThrough);
        return DropReason.None;
    }

    /// <summary>GTP-U from the S1 side: learn, offload, or leave pending (to be passed through). Unparseable GTP-U is passed through too: the TOF is transparent.</summary>
    private DropReason ReceiveGtpU(ref PacketDescriptor packet, FrozenDictionary<Ipv4Address, TofService> byServiceIp,
        ref UnderlayResolver underlay, long now, WorkerCounters counters)
    {
        var frame = packet.Data;
        int l3 = packet.L3Offset - packet.DataOffset;
        int l4 = packet.L4Offset - packet.DataOffset;
        if (l3 < 0 || l4 <= l3 || l4 >= frame.Length || frame[l3] >> 4 != 4 || !Ipv4Header.TryCreate(frame[l3..], out var outer))
        {
            return DropReason.None; // IPv6 outer S1-U is passed through, not learned
        }

        var source = outer.Source;
        var destination = outer.Destination;
        if (!UdpHeader.TryCreate(frame[l4..(l3 + outer.TotalLength)], out var udp) || !GtpUHeader.TryCreate(udp.Payload, out var gtp))
        {
            return DropReason.None;
        }

        var direction = Direction(packet.IngressPort, source, destination);
        if (direction == TofDirection.None)
        {
            return DropReason.None;
        }

        switch (gtp.MessageType)
        {
            case GtpUMessageType.GPdu:
                return ReceiveGPdu(ref packet, gtp, l4 + UdpHeader.Length, direction, source, destination, byServiceIp, ref underlay, now, counters);
            case GtpUMessageType.EndMarker:
                if (direction == TofDirection.Downlink)
                {
                    EndDownlink(source, destination, gtp.Teid, counters);
                }

                return DropReason.None;
            case GtpUMessageType.ErrorIndication:
                RemoveOnErrorIndication(gtp, direction, source, counters);
                return DropReason.None;
            default:
                return DropReason.None;
        }
    }

    private TofDirection Direction(ushort ingress, Ipv4Address source, Ipv4Address destination)
    {
        if (!settings.SharedS1)
        {
            return ingress == settings.EnbPort ? TofDirection.Uplink : TofDirection.Downlink;
        }

        if (settings.EnbAddresses.Contains(source) && settings.SgwAddresses.Contains(destination))
        {
            return TofDirection.Uplink;
        }

        return settings.SgwAddresses.Contains(source) && settings.EnbAddresses.Contains(destination) ? TofDirection.Downlink : TofDirection.None;
    }

    private DropReason ReceiveGPdu(ref PacketDescriptor packet, GtpUHeader gtp, int gtpStart, TofDirection direction, Ipv4Address source,
        Ipv4Address destination, FrozenDictionary<Ipv4Address, TofService> byServiceIp, ref UnderlayResolver underlay, long now, WorkerCounters counters)
    {
        // The extension walk finds the QFI of a 5G uplink PDU Session Container (TS 38.415 section 5.5.2.2); none is -1,
        // which is TofTunnel.NoQfi.
        if (!gtp.TryWalkToPayload(out int payloadOffset, out int qfi))
        {
            return DropReason.None;
        }

        int innerStart = gtpStart + payloadOffset;
        var inner = packet.Data[innerStart..(gtpStart + gtp.Message.Length)];
        if (inner.IsEmpty || inner[0] >> 4 != 4 || !Ipv4Header.TryCreate(inner, out var innerIp))
        {
            return DropReason.None; // IPv6 UEs are passed through, not learned
        }

        bool uplink = direction == TofDirection.Uplink;
        var tunnel = Learn(uplink ? innerIp.Source : innerIp.Destination, uplink, source, destination, gtp.Teid, qfi, now, counters);
        if (tunnel is null)
        {
            return DropReason.None;
        }

        if (!uplink)
        {
            tunnel.CountDownlink(worker);
            return DropReason.None;
        }

        tunnel.CountUplink(worker);
        if (!byServiceIp.TryGetValue(innerIp.Destination, out var service))
        {
            return DropReason.None;
        }

        return Offload(ref packet, innerStart, inner, service, tunnel, ref underlay, now, counters);
    }

    /// <summary>Finds or learns the UE's tunnel and brings the direction just seen up to date; null when the table has no room.</summary>
    private TofTunnel? Learn(Ipv4Address ue, bool uplink, Ipv4Address source, Ipv4Address destination, uint teid, int qfi, long now,
        WorkerCounters counters)
    {
        if (!tunnels.TryGet(ue, out var tunnel))
        {
            if (tunnels.TryAdd(new TofTunnel(ue, feature.Workers), out tunnel) == TofLearnResult.Full)
            {
                counters.Count(ForwardingEvent.TofTunnelTableFull);
                return null;
            }
        }

        var known = uplink ? tunnel.Uplink : tunnel.Downlink;
        if (known is null || !known.Matches(source, destination, teid))
        {
            var learned = new TofTunnelEndpoint(source, destination, teid);
            if (uplink)
            {
                tunnel.Uplink = learned;
            }
            else
            {
                tunnel.Downlink = learned;
                tunnel.DownlinkWanted = false;
            }

            counters.Count(known is null ? ForwardingEvent.TofTunnelLearned : ForwardingEvent.TofTunnelUpdated);
            events.Write(new TofTunnelEvent(known is null ? TofTunnelEventKind.Learned : TofTunnelEventKind.Updated, ue,
                uplink ? TofDirection.Uplink : TofDirection.Downlink, source, destination, teid));
        }

        if (uplink && tunnel.Qfi != qfi)
        {
            tunnel.Qfi = qfi;
        }

        tunnel.Touch(now, touchGranularity);
        return tunnel;
    }

    /// <summary>Uplink to a service: record the flow, rewrite the destination to the application, strip the tunnel and send it out the Apps side.</summary>
    private DropReason Offload(ref PacketDescriptor packet, int innerStart, Span<byte> inner, TofService service, TofTunnel tunnel,
        ref UnderlayResolver underlay, long now, WorkerCounters counters)
    {
        Ipv4Header.TryCreate(inner, out var ip);
        int headerLength = ip.HeaderLength;
        int innerLength = ip.TotalLength;
        byte protocol = ip.Protocol;
        var transport = inner[headerLength..innerLength];
        if (ip.IsFragment || !TofFlowPorts.TryRead(protocol, transport, Icmpv4Type.EchoRequest, out ushort uePort, out ushort servicePort))
        {
            return DropReason.None; // not a flow we can key (fragment, other protocol): it goes to the SGW as before
        }

        var key = new TofNatFlowKey(ip.Source, uePort, service.ApplicationIp, servicePort, protocol);
        if (!flows.TryGet(key, out var flow) || flow.ServiceIp != service.ServiceIp)
        {
            if (flow is not null)
            {
                flows.TryRemove(flow); // the service was re-registered with another serviceIP for the same application
            }

            if (flows.TryAdd(new TofNatFlow(key, service.ServiceIp, feature.Counters(service.Name)), out flow) == TofLearnResult.Full)
            {
                return DropReason.TofFlowTableFull;
            }
        }

        flow.Touch(now, touchGranularity);
        if (tunnel.Downlink is null && !tunnel.DownlinkWanted)
        {
            tunnel.DownlinkWanted = true; // the application will answer: the pinger may start revealing the downlink now
        }

        var unresolved = underlay.Resolve(service.ApplicationIp, out var adjacency);
        if (unresolved != DropReason.None)
        {
            return unresolved;
        }

        if (innerLength > adjacency.Mtu)
        {
            return DropReason.OverMtu;
        }

        // Destination NAT, checksums updated incrementally (RFC 1624): the IPv4 header's, and UDP's / TCP's, whose pseudo-header holds the address.
        uint serviceAddress = service.ServiceIp.Value;
        uint applicationAddress = service.ApplicationIp.Value;
        ip.Destination = service.ApplicationIp;
        ip.Checksum = InternetChecksum.Update(ip.Checksum, serviceAddress, applicationAddress);
        TofFlowPorts.UpdateChecksum(protocol, transport, serviceAddress, applicationAddress);

        packet.HandOffInner(innerStart, innerLength, PacketKind.NativeIpv4, headerLength, instanceId: 0);
        if (!RoutingStage.TryWriteEthernet(ref packet, 0, adjacency, EtherType.Ipv4))
        {
            return DropReason.NoHeadroom;
        }

        packet.L3Offset = (ushort)(packet.DataOffset + EthernetHeader.Length);
        packet.L4Offset = (ushort)(packet.L3Offset + headerLength);
        packet.Transmit(adjacency.Port);
        flow.Counters.CountUplink(worker, innerLength);
        counters.Count(ForwardingEvent.TofOffloaded);
        return DropReason.None;
    }

    /// <summary>An application's reply: back to the service address and into the UE's downlink tunnel. Not handled when it belongs to no offloaded flow.</summary>
    private DropReason TryReturn(ref PacketDescriptor packet, FrozenDictionary<Ipv4Address, TofService> byApplicationIp, ref UnderlayResolver underlay,
        long now, WorkerCounters counters, out bool handled)
    {
        handled = false;
        var frame = packet.Data;
        int l3 = packet.L3Offset - packet.DataOffset;
        if (l3 < 0 || l3 >= frame.Length || !Ipv4Header.TryCreate(frame[l3..], out var ip) || !byApplicationIp.ContainsKey(ip.Source) || ip.IsFragment)
        {
            return DropReason.None;
        }

        int headerLength = ip.HeaderLength;
        int innerLength = ip.TotalLength;
        byte protocol = ip.Protocol;
        var transport = frame[(l3 + headerLength)..(l3 + innerLength)];
        if (!TofFlowPorts.TryRead(protocol, transport, Icmpv4Type.EchoReply, out ushort applicationPort, out ushort uePort)
            || !flows.TryGet(new TofNatFlowKey(ip.Destination, uePort, ip.Source, applicationPort, protocol), out var flow))
        {
            return DropReason.None;
        }

        handled = true;
        flow.Touch(now, touchGranularity);
        if (!tunnels.TryGet(ip.Destination, out var tunnel) || tunnel.Downlink is not { } downlink)
        {
            if (tunnel is not null)
            {
                tunnel.DownlinkWanted = true; // the pinger's cue
            }

            return DropReason.TofNoDownlinkTunnel;
        }

        var unresolved = underlay.Resolve(downlink.Destination, out var adjacency);
        if (unresolved != DropReason.None)
        {
            return unresolved;
        }

        // Source NAT back to the service address the UE talked to (RFC 1624 updates, as on the way out).
        uint applicationAddress = ip.Source.Value;
        uint serviceAddress = flow.ServiceIp.Value;
        ip.Source = flow.ServiceIp;
        ip.Checksum = InternetChecksum.Update(ip.Checksum, applicationAddress, serviceAddress);
        TofFlowPorts.UpdateChecksum(protocol, transport, applicationAddress, serviceAddress);

        var reason = TofDownlinkEncapsulator.TryEncapsulate(ref packet, l3, innerLength, downlink, tunnel.Qfi, adjacency);
        if (reason != DropReason.None)
        {
            return reason;
        }

        tunnel.CountDownlink(worker);
        flow.Counters.CountDownlink(worker, innerLength);
        counters.Count(ForwardingEvent.TofReturned);
        return DropReason.None;
    }

    /// <summary>
    /// An End Marker (TS 29.281 section 7.3.2) on a UE's current downlink path: the SGW has switched the UE to another
    /// eNB, so this path is closed; the next downlink G-PDU teaches the new one. Scans the table: End Markers are rare.
    /// </summary>
    private void EndDownlink(Ipv4Address source, Ipv4Address destination, uint teid, WorkerCounters counters)
    {
        for (int slot = 0; slot < tunnels.Capacity; slot++)
        {
            var tunnel = tunnels.EntryAt(slot);
            if (tunnel?.Downlink is { } downlink && downlink.Matches(source, destination, teid))
            {
                tunnel.Downlink = null;
                counters.Count(ForwardingEvent.TofDownlinkEnded);
                events.Write(new TofTunnelEvent(TofTunnelEventKind.DownlinkEnded, tunnel.UeAddress, TofDirection.Downlink, source, destination, teid));
            }
        }
    }

    /// <summary>
    /// An Error Indication (TS 29.281 section 7.3.1): the sender got a G-PDU for a TEID it does not know. Its TEID
    /// Data I IE names that TEID and its GTP-U Peer Address IE the sender's own address (the G-PDU's destination), so
    /// from an eNB it names a downlink, from an SGW an uplink; the UE's tunnel is removed.
    /// </summary>
    private void RemoveOnErrorIndication(GtpUHeader gtp, TofDirection direction, Ipv4Address sender, WorkerCounters counters)
    {
        if (!TryReadErrorIndication(gtp.Payload, out uint teid, out var peer))
        {
            return;
        }

        var tunnelEnd = peer ?? sender;
        for (int slot = 0; slot < tunnels.Capacity; slot++)
        {
            var tunnel = tunnels.EntryAt(slot);
            var named = direction == TofDirection.Uplink ? tunnel?.Downlink : tunnel?.Uplink;
            if (named is not null && named.Teid == teid && named.Destination == tunnelEnd && tunnels.TryRemove(tunnel!))
            {
                counters.Count(ForwardingEvent.TofTunnelRemoved);
                events.Write(new TofTunnelEvent(TofTunnelEventKind.Removed, tunnel!.UeAddress,
                    direction == TofDirection.Uplink ? TofDirection.Downlink : TofDirection.Uplink, named.Source, named.Destination, teid));
            }
        }
    }

    /// <summary>The TEID Data I (type 16, TV) and the IPv4 GTP-U Peer Address (type 133, TLV) of an Error Indication (TS 29.281 section 8).</summary>
    private static bool TryReadErrorIndication(Span<byte> elements, out uint teid, out Ipv4Address? peer)
    {
        teid = 0;
        peer = null;
        bool found = false;
        while (!elements.IsEmpty)
        {
            byte type = elements[0];
            if (type == ErrorIndicationTeidDataIe && elements.Length >= 5)
            {
                teid = BinaryPrimitives.ReadUInt32BigEndian(elements[1..]);
                found = true;
                elements = elements[5..];
            }
            else if (type == RecoveryIe && elements.Length >= 2)
            {
                elements = elements[2..];
            }
            else if (type >= 128 && elements.Length >= 3)
            {
                int length = BinaryPrimitives.ReadUInt16BigEndian(elements[1..]);
                if (elements.Length < 3 + length)
                {
                    break;
                }

                if (type == ErrorIndicationPeerAddressIe && length == Ipv4Address.Size)
                {
                    peer = Ipv4Address.Read(elements[3..]);
                }

                elements = elements[(3 + length)..];
            }
            else
            {
                break; // an unknown TV element: its length is unknown, so the rest cannot be read
            }
        }

        return found;
    }
}
