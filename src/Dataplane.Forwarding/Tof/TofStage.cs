using System.Buffers.Binary;
using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.GtpU;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Routing;
using Dataplane.Forwarding.Stages;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Checksums;
using Dataplane.Wire.Headers;
using Dataplane.Wire.Tunnels;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Tof.Clusters;

namespace Dataplane.Forwarding.Tof;

/// <summary>
/// One worker's TOF, run before the GTP-U endpoint:
/// <list type="bullet">
/// <item>GTP-U (IPv4 or IPv6 outer) crossing S1-U: a G-PDU teaches the UE's tunnel (uplink eNB -> SGW keyed by the inner
/// source, downlink SGW -> eNB keyed by the inner destination; a changed address or TEID is a handover); an uplink
/// G-PDU to a registered serviceIP is decapsulated, destination-NATed to the applicationIP and sent out the Apps
/// port. An End Marker closes the downlink it names; an Error Indication removes the tunnel it names.</item>
/// <item>An application's reply on the Apps port, of a recorded flow: source-NATed back to the serviceIP and sent
/// into the UE's downlink tunnel (<see cref="TofDownlinkEncapsulator"/>), or dropped as TofNoDownlinkTunnel
/// (flagging the UE for the pinger) when that is not learned yet.</item>
/// <item>Everything else from the eNB or SGW port passes unchanged: bridged to the other port byte for byte with
/// separate ports; with one shared S1 port it is left to routing (the TOF is then a router on a stick).</item>
/// </list>
/// IPv6 UEs are learned by their /64 and offloaded to IPv6 services, inside IPv4 or IPv6 S1-U alike; IPv4 UEs inside
/// IPv6 S1-U too. Inner IPv6 packets with a Routing or Fragment header, or UDP without a checksum, are not offloaded.
/// A vector is worked in two passes: the first reads every plain G-PDU (<see cref="PlainGPdu"/>), finds its service
/// and hashes its tunnel and flow keys, prefetching the table slots they start at; the second looks them up, learns
/// and forwards. Other frames take the general path in the second pass, in vector order.
/// Learning writes the shared lock-free tables (<see cref="TofSlotTable{TKey, TEntry}"/>) and allocates only for a
/// new UE, handover or flow; the steady state allocates nothing. A tunnel's counters and last-seen stamp are on this
/// worker's own line of it; a flow's stamp is written at most every 1/8 s. Services, FIB and neighbours are read once per batch.
/// </summary>
public sealed partial class TofStage(ForwardingPlane plane, TofFeature feature, TofEventRing events, int worker = 0) : IBatchStage
{
    private const byte ErrorIndicationTeidDataIe = 16;
    private const byte ErrorIndicationPeerAddressIe = 133;
    private const byte RecoveryIe = 14;
    private const int Ipv6SourceOffset = 8;
    private const int Ipv6DestinationOffset = 24;

    // One entry per packet of a vector, padded so that no other worker's data shares the first or last cache line.
    private const int ScratchPadding = 4;

    private readonly TofSettings settings = feature.Settings;
    private readonly TofSlotTable<Ipv4Address, TofTunnel> tunnels = feature.Tunnels;
    private readonly TofSlotTable<TofNatFlowKey, TofNatFlow> flows = feature.Flows;
    private readonly TofSlotTable<Ipv6Address, TofTunnel> tunnels6 = feature.Tunnels6;
    private readonly TofSlotTable<TofNatFlowKey6, TofNatFlow> flows6 = feature.Flows6;
    // The adjacencies of the batch's applications and eNBs (interleaved: the last destination alone would not do).
    private readonly AdjacencyMemory adjacencies = new();
    private readonly PlainSighting[] sightings = new PlainSighting[ScratchPadding + PacketBatch.MaxCapacity + ScratchPadding];
    private readonly bool gtpUEndpointFollows = plane.HasRole(DataplaneRoles.Gtpu);

    // Flow stamps are written at most this often (1/8 s): idle timeouts are in seconds, and every stamp moves the
    // flow's cache line away from the other workers that read it.
    private readonly long touchGranularity = Math.Max(1, feature.Clock.Frequency / 8);

    public string Name => "tof";

    /// <summary>Every kind: the TOF decides by the ingress port first (S1 bridge, Apps port) and passes the rest through.</summary>
    public PacketKinds Accepts => PacketKinds.All;

    public void Run(Span<PacketDescriptor> packets, ReadOnlySpan<ushort> vector, WorkerCounters counters)
    {
        var byServiceIp = feature.Services.ByServiceIp;
        var byApplicationIp = feature.Services.ByApplicationIp;
        var underlay = UnderlayResolver.ForBatch(plane, adjacencies);
        long now = feature.Clock.Now;
        var rules = TofRules(); // traffic rules (Rules/TofStage.Rules.cs): null when none, nothing per packet then
        var batch = sightings.AsSpan(ScratchPadding, vector.Length);
        for (int v = 0; v < vector.Length; v++)
        {
            Sight(in packets[vector[v]], ref batch[v], byServiceIp);
        }

        if (rules is not null)
        {
            SightTrafficRules(packets, vector, batch, rules); // Rules/TofStage.Rules.cs
        }

        // By now the windows' first lines have come in: ask for the entries they point at (AMAC's next step).
        for (int v = 0; v < batch.Length; v++)
        {
            ref var sighting = ref batch[v];
            if (sighting.Plain)
            {
                tunnels.PrefetchEntry(sighting.TunnelHome);
                if (sighting.Keyed)
                {
                    flows.PrefetchEntry(sighting.FlowHome);
                }
            }
        }

        for (int v = 0; v < vector.Length; v++)
        {
            ref var packet = ref packets[vector[v]];
            var reason = rules is not null && ApplyTrafficRules(ref packet, ref batch[v], v, rules, now) is var ruled and not DropReason.None
                ? ruled
                : batch[v].Plain
                    ? HandlePlain(ref packet, in batch[v], ref underlay, now, counters)
                    : Handle(ref packet, byServiceIp, byApplicationIp, ref underlay, now, counters);
            if (reason != DropReason.None)
            {
                packet.Drop(reason, counters);
            }
        }
    }

    /// <summary>
    /// The first pass, for one packet: a plain G-PDU from the S1 side in a known direction is read, its service found
    /// and its tunnel and flow keys hashed, and the first line of each key's window prefetched. Nothing is written
    /// but the sighting; anything else is marked for the general path.
    /// </summary>
    // Not inlined into Run: the JIT's inlining budget is per method, and the table lookups below must inline here.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Sight(in PacketDescriptor packet, ref PlainSighting sighting, FrozenDictionary<Ipv4Address, TofService> byServiceIp)
    {
        sighting.Plain = false;
        ushort ingress = packet.IngressPort;
        if (packet.Kind != PacketKind.GtpU || (ingress != settings.EnbPort && ingress != settings.SgwPort)
            || !PlainGPdu.TryRead(in packet, out sighting.GPdu))
        {
            return;
        }

        var direction = Direction(ingress, new Ipv4Address(sighting.GPdu.OuterSource), new Ipv4Address(sighting.GPdu.OuterDestination));
        if (direction == TofDirection.None)
        {
            return;
        }

        ref byte inner = ref Unsafe.Add(ref MemoryMarshal.GetReference(packet.Data), sighting.GPdu.InnerStart);
        var innerSource = new Ipv4Address(BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref inner, 12))));
        var innerDestination = new Ipv4Address(BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref inner, 16))));
        bool uplink = direction == TofDirection.Uplink;
        sighting.Plain = true;
        sighting.Uplink = uplink;
        sighting.Ue = uplink ? innerSource : innerDestination;
        sighting.TunnelHome = tunnels.Home(sighting.Ue);
        tunnels.Prefetch(sighting.TunnelHome);
        sighting.Service = null;
        sighting.Keyed = false;
        if (!uplink || !byServiceIp.TryGetValue(innerDestination, out var service))
        {
            return;
        }

        sighting.Service = service;
        int innerLength = sighting.GPdu.InnerLength;
        byte protocol = Unsafe.Add(ref inner, 9);
        bool fragment = (BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref inner, 6))) & 0x3FFF) != 0;
        var transport = packet.Data.Slice(sighting.GPdu.InnerStart + Ipv4Header.MinLength, innerLength - Ipv4Header.MinLength);
        if (fragment || !TofFlowPorts.TryRead(protocol, transport, Icmpv4Type.EchoRequest, out ushort uePort, out ushort servicePort))
        {
            return; // not a flow we can key: it goes to the SGW, as in Offload
        }

        sighting.Keyed = true;
        sighting.FlowKey = new TofNatFlowKey(innerSource, uePort, service.ServiceIpv4, servicePort, protocol);
        sighting.FlowHome = flows.Home(sighting.FlowKey);
        flows.Prefetch(sighting.FlowHome);
    }

    /// <summary>The second pass for a plain G-PDU: what <see cref="Handle"/> decides for it, from what <see cref="Sight"/> read.</summary>
    private DropReason HandlePlain(ref PacketDescriptor packet, in PlainSighting sighting, ref UnderlayResolver underlay, long now, WorkerCounters counters)
    {
        var gpdu = sighting.GPdu;
        var tunnel = Learn(sighting.Ue, sighting.TunnelHome, sighting.Uplink, new Ipv4Address(gpdu.OuterSource), new Ipv4Address(gpdu.OuterDestination),
            gpdu.Teid, TofTunnel.NoQfi, now, counters);
        if (tunnel is not null)
        {
            if (!sighting.Uplink)
            {
                tunnel.CountDownlink(worker, sighting.GPdu.InnerLength);
            }
            else
            {
                tunnel.CountUplink(worker, sighting.GPdu.InnerLength);
                if (sighting.Keyed)
                {
                    return OffloadPlain(ref packet, in sighting, tunnel, ref underlay, now, counters);
                }
            }
        }

        return PassOn(ref packet, packet.IngressPort, fromS1: true, counters);
    }

    /// <summary>
    /// <see cref="Offload"/> for a plain G-PDU whose flow <see cref="Sight"/> keyed: the same decisions and the same
    /// bytes out, written at the fixed offsets the plain layout gives (inner IPv4 without options, so the transport
    /// header at 20; the frame keeps more than an Ethernet header's worth of headroom once the tunnel headers go).
    /// </summary>
    private DropReason OffloadPlain(ref PacketDescriptor packet, in PlainSighting sighting, TofTunnel tunnel, ref UnderlayResolver underlay, long now,
        WorkerCounters counters)
    {
        var service = sighting.Service!;
        int innerLength = sighting.GPdu.InnerLength;
        var refused = TakeFlowAndAdjacency(in sighting.FlowKey, sighting.FlowHome, service, tunnel, innerLength, ref underlay, now, out var flow,
            out var adjacency);
        if (refused != DropReason.None)
        {
            return refused;
        }

        // Destination NAT to the flow's instance, with RFC 1624 updates of the IPv4 checksum and of UDP's / TCP's (the pseudo-header holds the address).
        uint serviceAddress = service.ServiceIpv4.Value;
        uint applicationAddress = flow.ApplicationIpv4.Value;
        int innerStart = sighting.GPdu.InnerStart;
        ref byte ip = ref Unsafe.Add(ref MemoryMarshal.GetReference(packet.Data), innerStart);
        WriteBigEndian(ref Unsafe.Add(ref ip, 16), applicationAddress);
        WriteBigEndian(ref Unsafe.Add(ref ip, 10), InternetChecksum.Update(ReadBigEndian16(ref Unsafe.Add(ref ip, 10)), serviceAddress, applicationAddress));
        byte protocol = sighting.FlowKey.Protocol;
        if (protocol == IpProtocol.Udp)
        {
            ref byte checksum = ref Unsafe.Add(ref ip, Ipv4Header.MinLength + 6);
            ushort current = ReadBigEndian16(ref checksum);
            if (current != 0) // 0: no checksum (RFC 768), and it stays so; a computed 0 is sent as 0xFFFF
            {
                ushort updated = InternetChecksum.Update(current, serviceAddress, applicationAddress);
                WriteBigEndian(ref checksum, updated == 0 ? (ushort)0xFFFF : updated);
            }
        }
        else if (protocol == IpProtocol.Tcp)
        {
            ref byte checksum = ref Unsafe.Add(ref ip, Ipv4Header.MinLength + 16);
            WriteBigEndian(ref checksum, InternetChecksum.Update(ReadBigEndian16(ref checksum), serviceAddress, applicationAddress));
        }

        // The tunnel headers go and a fresh Ethernet header takes their last 14 bytes: what HandOffInner and then
        // RoutingStage.TryWriteEthernet do, in one step.
        int frameStart = innerStart - EthernetHeader.Length;
        packet.TryAdjust(frameStart);
        if (packet.Length > innerLength + EthernetHeader.Length)
        {
            packet.TryTrim(packet.Length - innerLength - EthernetHeader.Length);
        }

        ref byte ethernet = ref Unsafe.Subtract(ref ip, EthernetHeader.Length);
        Unsafe.WriteUnaligned(ref ethernet, BinaryPrimitives.ReverseEndianness(adjacency.DestinationMac.Value << 16));
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref ethernet, 6), BinaryPrimitives.ReverseEndianness((adjacency.SourceMac.Value << 16) | EtherType.Ipv4));
        packet.Kind = PacketKind.NativeIpv4;
        packet.L2Offset = (ushort)packet.DataOffset;
        packet.L3Offset = (ushort)(packet.DataOffset + EthernetHeader.Length);
        packet.L4Offset = (ushort)(packet.L3Offset + Ipv4Header.MinLength);
        packet.InnerL3Offset = 0;
        packet.InnerL4Offset = 0;
        packet.InstanceId = 0;
        packet.Flags |= (byte)PacketFlags.Decapsulated;
        packet.Transmit(adjacency.Port);
        flow.Counters.CountUplink(worker, innerLength);
        flow.Traffic?.CountUplink(worker, innerLength);
        counters.Count(ForwardingEvent.TofOffloaded);
        return DropReason.None;
    }

    /// <summary>
    /// What both offload paths do before they rewrite the packet: find or learn the flow and stamp it, tell the pinger
    /// a downlink is wanted, and resolve the application's adjacency; why not, when the packet cannot go (then
    /// <paramref name="flow"/> is not to be used).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private DropReason TakeFlowAndAdjacency(in TofNatFlowKey key, int home, TofService service, TofTunnel tunnel, int innerLength,
        ref UnderlayResolver underlay, long now, out TofNatFlow flow, out Adjacency adjacency)
    {
        adjacency = default;
        if (!flows.TryGet(key, home, out flow) || flow.ServiceIpv4.Value != service.ServiceIpv4.Value)
        {
            var refused = LearnFlow(flow, in key, service, now, out flow);
            if (refused != DropReason.None)
            {
                return refused;
            }
        }

        flow.Touch(now, touchGranularity);

        if (tunnel.Downlink is null && !tunnel.DownlinkWanted)
        {
            tunnel.DownlinkWanted = true; // the application will answer: the pinger may start revealing the downlink now
        }

        var unresolved = underlay.Resolve(flow.ApplicationIpv4, out adjacency);
        if (unresolved != DropReason.None)
        {
            return unresolved;
        }

        return innerLength > adjacency.Mtu ? DropReason.OverMtu : DropReason.None;
    }

    /// <summary>
    /// A flow not recorded yet, or recorded for another service address (a traffic rule's offload sharing the key):
    /// (re)records it on the instance of the service's cluster its hash picks; why not, when it cannot be.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private DropReason LearnFlow(TofNatFlow? stale, in TofNatFlowKey key, TofService service, long now, out TofNatFlow flow) =>
        TofClusterFlows.Learn(flows, stale, in key, service, feature.Counters(service.Name), feature.NewFlowTraffic(now), now, out flow);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ushort ReadBigEndian16(ref byte at) => BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<ushort>(ref at));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteBigEndian(ref byte at, ushort value) => Unsafe.WriteUnaligned(ref at, BinaryPrimitives.ReverseEndianness(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteBigEndian(ref byte at, uint value) => Unsafe.WriteUnaligned(ref at, BinaryPrimitives.ReverseEndianness(value));

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
        else if (ingress == settings.AppsPort && kind == PacketKind.NativeIpv6)
        {
            var reason = TryReturn6(ref packet, ref underlay, now, counters, out bool handled);
            if (handled)
            {
                return reason;
            }
        }

        return PassOn(ref packet, ingress, fromS1, counters);
    }

    /// <summary>What the TOF does not take: bridged to the other S1 port, or left to the stages after it.</summary>
    private DropReason PassOn(ref PacketDescriptor packet, ushort ingress, bool fromS1, WorkerCounters counters)
    {
        if (!fromS1 || settings.SharedS1)
        {
            // Left to routing: Apps-port traffic that is no reply, what the control plane injects (the pinger's
            // probes are GTP-U), and everything on a shared S1 port (a router on a stick). GTP-U / GTP-C we do not
            // take are forwarded by the FIB like any other packet, unless a GTP-U endpoint (role gtpu) runs too.
            var kind = packet.Kind;
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
        if (l3 < 0 || l4 <= l3 || l4 >= frame.Length)
        {
            return DropReason.None;
        }

        IpAddress source;
        IpAddress destination;
        int end;
        if (frame[l3] >> 4 == 4 && Ipv4Header.TryCreate(frame[l3..], out var outer))
        {
            source = outer.Source;
            destination = outer.Destination;
            end = l3 + outer.TotalLength;
        }
        else if (frame[l3] >> 4 == 6 && Ipv6Header.TryCreate(frame[l3..], out var outer6))
        {
            source = outer6.Source; // S1-U / N3 over IPv6
            destination = outer6.Destination;
            end = l3 + Ipv6Header.Length + outer6.PayloadLength;
        }
        else
        {
            return DropReason.None;
        }

        if (end > frame.Length || end <= l4 || !UdpHeader.TryCreate(frame[l4..end], out var udp) || !GtpUHeader.TryCreate(udp.Payload, out var gtp))
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

    /// <summary><see cref="Direction(ushort, Ipv4Address, Ipv4Address)"/> for outer addresses of either family.</summary>
    private TofDirection Direction(ushort ingress, IpAddress source, IpAddress destination)
    {
        if (!settings.SharedS1 || (source.IsV4 && destination.IsV4))
        {
            return Direction(ingress, new Ipv4Address((uint)source.Value), new Ipv4Address((uint)destination.Value));
        }

        if (!source.IsV6 || !destination.IsV6)
        {
            return TofDirection.None;
        }

        var from = source.AsV6();
        var to = destination.AsV6();
        if (settings.EnbAddresses6.Contains(from) && settings.SgwAddresses6.Contains(to))
        {
            return TofDirection.Uplink;
        }

        return settings.SgwAddresses6.Contains(from) && settings.EnbAddresses6.Contains(to) ? TofDirection.Downlink : TofDirection.None;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
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

    private DropReason ReceiveGPdu(ref PacketDescriptor packet, GtpUHeader gtp, int gtpStart, TofDirection direction, IpAddress source,
        IpAddress destination, FrozenDictionary<Ipv4Address, TofService> byServiceIp, ref UnderlayResolver underlay, long now, WorkerCounters counters)
    {
        // The extension walk finds the QFI of a 5G uplink PDU Session Container (TS 38.415 section 5.5.2.2); none is -1,
        // which is TofTunnel.NoQfi.
        if (!gtp.TryWalkToPayload(out int payloadOffset, out int qfi))
        {
            return DropReason.None;
        }

        int innerStart = gtpStart + payloadOffset;
        var inner = packet.Data[innerStart..(gtpStart + gtp.Message.Length)];
        if (!inner.IsEmpty && inner[0] >> 4 == 6)
        {
            return ReceiveGPdu6(ref packet, inner, innerStart, direction, source, destination, gtp.Teid, qfi, ref underlay, now, counters);
        }

        if (inner.IsEmpty || inner[0] >> 4 != 4 || !Ipv4Header.TryCreate(inner, out var innerIp))
        {
            return DropReason.None; // neither IPv4 nor IPv6: passed through, not learned
        }

        bool uplink = direction == TofDirection.Uplink;
        var ue = innerIp.Source;
        if (!uplink)
        {
            ue = innerIp.Destination;
        }

        var tunnel = source.IsV4
            ? Learn(ue, tunnels.Home(ue), uplink, new Ipv4Address((uint)source.Value), new Ipv4Address((uint)destination.Value), gtp.Teid, qfi, now, counters)
            : LearnEndpoints(FindOrAdd(ue, now, counters), uplink, source, destination, gtp.Teid, qfi, now, counters);
        if (tunnel is null)
        {
            return DropReason.None;
        }

        if (!uplink)
        {
            tunnel.CountDownlink(worker, inner.Length);
            return DropReason.None;
        }

        tunnel.CountUplink(worker, inner.Length);
        if (!byServiceIp.TryGetValue(innerIp.Destination, out var service))
        {
            return DropReason.None;
        }

        int headerLength = innerIp.HeaderLength;
        int innerLength = innerIp.TotalLength;
        byte protocol = innerIp.Protocol;
        if (innerIp.IsFragment || !TofFlowPorts.TryRead(protocol, inner[headerLength..innerLength], Icmpv4Type.EchoRequest, out ushort uePort, out ushort servicePort))
        {
            return DropReason.None; // not a flow we can key (fragment, other protocol): it goes to the SGW as before
        }

        var key = new TofNatFlowKey(innerIp.Source, uePort, service.ServiceIpv4, servicePort, protocol);
        return Offload(ref packet, innerStart, innerLength, headerLength, service, tunnel, key, flows.Home(key), ref underlay, now, counters);
    }

    /// <summary>Finds or learns the UE's tunnel and brings the direction just seen up to date; null when the table has no room.</summary>
    /// <remarks><paramref name="home"/> is where the UE's window starts (<see cref="TofSlotTable{TKey, TEntry}.Home"/>).</remarks>
    // Not inlined into its callers: the JIT's inlining budget is per method, and the table lookup must inline here.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private TofTunnel? Learn(Ipv4Address ue, int home, bool uplink, Ipv4Address source, Ipv4Address destination, uint teid, int qfi, long now,
        WorkerCounters counters)
    {
        if (!tunnels.TryGet(ue, home, out var tunnel))
        {
            if (tunnels.TryAdd(new TofTunnel(ue, feature.Workers, now), out tunnel) == TofLearnResult.Full)
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

        tunnel.Touch(worker, now);
        return tunnel;
    }

    /// <summary>Uplink to a service: record the flow, rewrite the destination to the application, strip the tunnel and send it out the Apps side.</summary>
    /// <remarks>
    /// The inner IPv4 packet (<paramref name="innerLength"/> bytes, header <paramref name="headerLength"/>) starts at
    /// <paramref name="innerStart"/> of the frame; <paramref name="key"/> is its flow, whose window starts at <paramref name="home"/>.
    /// </remarks>
    private DropReason Offload(ref PacketDescriptor packet, int innerStart, int innerLength, int headerLength, TofService service, TofTunnel tunnel,
        in TofNatFlowKey key, int home, ref UnderlayResolver underlay, long now, WorkerCounters counters)
    {
        var refused = TakeFlowAndAdjacency(in key, home, service, tunnel, innerLength, ref underlay, now, out var flow, out var adjacency);
        if (refused != DropReason.None)
        {
            return refused;
        }

        var inner = packet.Data.Slice(innerStart, innerLength);
        Ipv4Header.TryCreate(inner, out var ip);
        byte protocol = ip.Protocol;
        var transport = inner[headerLength..];

        // Destination NAT to the flow's instance, checksums updated incrementally (RFC 1624): the IPv4 header's, and UDP's / TCP's, whose pseudo-header holds the address.
        uint serviceAddress = service.ServiceIpv4.Value;
        uint applicationAddress = flow.ApplicationIpv4.Value;
        ip.Destination = flow.ApplicationIpv4;
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
        flow.Traffic?.CountUplink(worker, innerLength);
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
        if (l3 < 0 || l3 >= frame.Length || !Ipv4Header.TryCreate(frame[l3..], out var ip) || !byApplicationIp.TryGetValue(ip.Source, out var owner)
            || ip.IsFragment)
        {
            return DropReason.None;
        }

        int headerLength = ip.HeaderLength;
        int innerLength = ip.TotalLength;
        byte protocol = ip.Protocol;
        var transport = frame[(l3 + headerLength)..(l3 + innerLength)];
        // The flow as the UE sent it, to the service that owns the replying instance; a reply from another instance
        // of the cluster than the flow's is not the flow's.
        if (!TofFlowPorts.TryRead(protocol, transport, Icmpv4Type.EchoReply, out ushort applicationPort, out ushort uePort)
            || !flows.TryGet(new TofNatFlowKey(ip.Destination, uePort, owner.ServiceIpv4, applicationPort, protocol), out var flow)
            || flow.ApplicationIpv4 != ip.Source)
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
        uint serviceAddress = flow.ServiceIpv4.Value;
        ip.Source = flow.ServiceIpv4;
        ip.Checksum = InternetChecksum.Update(ip.Checksum, applicationAddress, serviceAddress);
        TofFlowPorts.UpdateChecksum(protocol, transport, applicationAddress, serviceAddress);

        var reason = TofDownlinkEncapsulator.TryEncapsulate(ref packet, l3, innerLength, downlink, tunnel.Qfi, adjacency);
        if (reason != DropReason.None)
        {
            return reason;
        }

        tunnel.CountDownlink(worker, innerLength);
        flow.Counters.CountDownlink(worker, innerLength);
        flow.Traffic?.CountDownlink(worker, innerLength);
        counters.Count(ForwardingEvent.TofReturned);
        return DropReason.None;
    }

    /// <summary>Finds or adds the tunnel of an IPv4 UE seen over IPv6 S1-U; null when the table has no room.</summary>
    private TofTunnel? FindOrAdd(Ipv4Address ue, long now, WorkerCounters counters)
    {
        if (tunnels.TryGet(ue, out var tunnel) || tunnels.TryAdd(new TofTunnel(ue, feature.Workers, now), out tunnel) != TofLearnResult.Full)
        {
            return tunnel;
        }

        counters.Count(ForwardingEvent.TofTunnelTableFull);
        return null;
    }

    /// <summary>Finds or adds the tunnel of the /64 an IPv6 UE's address is in; null when the table has no room.</summary>
    private TofTunnel? FindOrAdd(Ipv6Address ue, long now, WorkerCounters counters)
    {
        if (tunnels6.TryGet(TofTunnel.PrefixOf(ue), out var tunnel) || tunnels6.TryAdd(new TofTunnel(ue, feature.Workers, now), out tunnel) != TofLearnResult.Full)
        {
            return tunnel;
        }

        counters.Count(ForwardingEvent.TofTunnelTableFull);
        return null;
    }

    /// <summary>
    /// What <see cref="Learn"/> does once the tunnel is found, for outer addresses of either family: brings the direction
    /// just seen up to date (an event when it is new or changed), the QFI, this worker's stamp. Null stays null.
    /// </summary>
    private TofTunnel? LearnEndpoints(TofTunnel? tunnel, bool uplink, IpAddress source, IpAddress destination, uint teid, int qfi, long now,
        WorkerCounters counters)
    {
        if (tunnel is null)
        {
            return null;
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
            events.Write(new TofTunnelEvent(known is null ? TofTunnelEventKind.Learned : TofTunnelEventKind.Updated, tunnel.UeAddress,
                uplink ? TofDirection.Uplink : TofDirection.Downlink, source, destination, teid));
        }

        if (uplink && tunnel.Qfi != qfi)
        {
            tunnel.Qfi = qfi;
        }

        tunnel.Touch(worker, now);
        return tunnel;
    }

    /// <summary>
    /// A G-PDU whose inner packet is IPv6 (over IPv4 or IPv6 S1-U): learns the UE's /64 tunnel and offloads an uplink
    /// to a registered IPv6 service, as <see cref="ReceiveGPdu"/> does for IPv4. Left pending (passed through) when the
    /// inner header is malformed or the flow cannot be keyed.
    /// </summary>
    private DropReason ReceiveGPdu6(ref PacketDescriptor packet, Span<byte> inner, int innerStart, TofDirection direction, IpAddress source,
        IpAddress destination, uint teid, int qfi, ref UnderlayResolver underlay, long now, WorkerCounters counters)
    {
        if (!Ipv6Header.TryCreate(inner, out var innerIp) || Ipv6Header.Length + innerIp.PayloadLength > inner.Length)
        {
            return DropReason.None; // a payload length past the G-PDU: not learned, the TOF stays transparent
        }

        bool uplink = direction == TofDirection.Uplink;
        var tunnel = LearnEndpoints(FindOrAdd(uplink ? innerIp.Source : innerIp.Destination, now, counters), uplink, source, destination, teid, qfi,
            now, counters);
        if (tunnel is null)
        {
            return DropReason.None;
        }

        if (!uplink)
        {
            tunnel.CountDownlink(worker, inner.Length);
            return DropReason.None;
        }

        tunnel.CountUplink(worker, inner.Length);
        if (!feature.Services.ByServiceIpv6.TryGetValue(innerIp.Destination, out var service))
        {
            return DropReason.None;
        }

        int innerLength = Ipv6Header.Length + innerIp.PayloadLength;
        if (!TryFindTransport(inner[..innerLength], out byte protocol, out int transportOffset)
            || !TofFlowPorts.TryRead6(protocol, inner[transportOffset..innerLength], Icmpv6Type.EchoRequest, out ushort uePort, out ushort servicePort))
        {
            return DropReason.None; // not a flow we can key: it goes to the SGW as before
        }

        var key = new TofNatFlowKey6(innerIp.Source, uePort, service.ServiceIp.AsV6(), servicePort, protocol);
        return Offload6(ref packet, innerStart, innerLength, transportOffset, protocol, service, tunnel, in key, ref underlay, now, counters);
    }

    /// <summary>
    /// The upper layer of an IPv6 packet the TOF may rewrite: after Hop-by-Hop and Destination Options headers only. A
    /// Fragment header (the ports may be in another fragment), a Routing header (the pseudo-header holds the final
    /// destination, not the one we would rewrite), AH or ESP (which a rewrite breaks) or a malformed chain: false.
    /// </summary>
    private static bool TryFindTransport(Span<byte> packet, out byte protocol, out int offset)
    {
        protocol = 0;
        offset = 0;
        if (!Ipv6ExtensionWalker.TryWalk(packet, out var chain) || chain.HasFragmentHeader)
        {
            return false;
        }

        byte next = packet[6];
        int at = Ipv6Header.Length;
        for (int i = 0; i < chain.ExtensionCount; i++) // the walker has checked every length against the payload
        {
            if (next != IpProtocol.HopByHopOptions && next != IpProtocol.DestinationOptions)
            {
                return false;
            }

            next = packet[at];
            at += (packet[at + 1] + 1) * 8;
        }

        protocol = chain.UpperLayerProtocol;
        offset = chain.UpperLayerOffset;
        return next == protocol && at == offset;
    }

    /// <summary>
    /// <see cref="Offload"/> for an IPv6 flow: records it, rewrites the destination to the application (IPv6 has no
    /// header checksum; UDP's, TCP's and ICMPv6's cover the address, RFC 1624 per 32 bits), strips the tunnel and sends
    /// it out the Apps side. The hop limit is left as it came, as the IPv4 offload leaves the TTL.
    /// </summary>
    private DropReason Offload6(ref PacketDescriptor packet, int innerStart, int innerLength, int transportOffset, byte protocol, TofService service,
        TofTunnel tunnel, in TofNatFlowKey6 key, ref UnderlayResolver underlay, long now, WorkerCounters counters)
    {
        var serviceAddress = service.ServiceIp.AsV6();
        if (!flows6.TryGet(key, out var flow))
        {
            var refused = LearnFlow6(in key, service, now, out flow);
            if (refused != DropReason.None)
            {
                return refused;
            }
        }

        flow.Touch(now, touchGranularity);
        if (tunnel.Downlink is null && !tunnel.DownlinkWanted)
        {
            tunnel.DownlinkWanted = true;
        }

        var unresolved = underlay.Resolve(flow.ApplicationIp, out var adjacency);
        if (unresolved != DropReason.None)
        {
            return unresolved;
        }

        if (innerLength > adjacency.Mtu)
        {
            return DropReason.OverMtu;
        }

        var inner = packet.Data.Slice(innerStart, innerLength);
        var applicationAddress = flow.ApplicationIpv6;
        TofFlowPorts.UpdateChecksum6(protocol, inner[transportOffset..], serviceAddress, applicationAddress);
        applicationAddress.Write(inner[Ipv6DestinationOffset..]);

        packet.HandOffInner(innerStart, innerLength, PacketKind.NativeIpv6, transportOffset, instanceId: 0);
        if (!RoutingStage.TryWriteEthernet(ref packet, 0, adjacency, EtherType.Ipv6))
        {
            return DropReason.NoHeadroom;
        }

        packet.L3Offset = (ushort)(packet.DataOffset + EthernetHeader.Length);
        packet.L4Offset = (ushort)(packet.L3Offset + transportOffset);
        packet.Transmit(adjacency.Port);
        flow.Counters.CountUplink(worker, innerLength);
        flow.Traffic?.CountUplink(worker, innerLength);
        counters.Count(ForwardingEvent.TofOffloaded);
        return DropReason.None;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private DropReason LearnFlow6(in TofNatFlowKey6 key, TofService service, long now, out TofNatFlow flow) =>
        TofClusterFlows.Learn(flows6, in key, service, feature.Counters(service.Name), feature.NewFlowTraffic(now), now, out flow);

    /// <summary>
    /// An application's IPv6 reply on the Apps port: <see cref="TryReturn"/> for an IPv6 flow, into the downlink of the
    /// UE's /64 (over IPv4 or IPv6 S1-U, as learned). Not handled when it belongs to no offloaded flow.
    /// </summary>
    private DropReason TryReturn6(ref PacketDescriptor packet, ref UnderlayResolver underlay, long now, WorkerCounters counters, out bool handled)
    {
        handled = false;
        var frame = packet.Data;
        int l3 = packet.L3Offset - packet.DataOffset;
        if (l3 < 0 || l3 >= frame.Length || !Ipv6Header.TryCreate(frame[l3..], out var ip)
            || !feature.Services.ByApplicationIpv6.TryGetValue(ip.Source, out var owner))
        {
            return DropReason.None;
        }

        int innerLength = Ipv6Header.Length + ip.PayloadLength;
        if (innerLength > frame.Length - l3)
        {
            return DropReason.None;
        }

        var packetBytes = frame.Slice(l3, innerLength);
        if (!TryFindTransport(packetBytes, out byte protocol, out int transportOffset)
            || !TofFlowPorts.TryRead6(protocol, packetBytes[transportOffset..], Icmpv6Type.EchoReply, out ushort applicationPort, out ushort uePort))
        {
            return DropReason.None;
        }

        var applicationAddress = ip.Source;
        var ueAddress = ip.Destination;
        if (!flows6.TryGet(new TofNatFlowKey6(ueAddress, uePort, owner.ServiceIp.AsV6(), applicationPort, protocol), out var flow)
            || flow.ApplicationIpv6 != applicationAddress)
        {
            return DropReason.None;
        }

        handled = true;
        flow.Touch(now, touchGranularity);
        if (!tunnels6.TryGet(TofTunnel.PrefixOf(ueAddress), out var tunnel) || tunnel.Downlink is not { } downlink)
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

        var serviceAddress = flow.ServiceIp.AsV6();
        TofFlowPorts.UpdateChecksum6(protocol, packetBytes[transportOffset..], applicationAddress, serviceAddress);
        serviceAddress.Write(packetBytes[Ipv6SourceOffset..]);

        var reason = TofDownlinkEncapsulator.TryEncapsulate(ref packet, l3, innerLength, downlink, tunnel.Qfi, adjacency);
        if (reason != DropReason.None)
        {
            return reason;
        }

        tunnel.CountDownlink(worker, innerLength);
        flow.Counters.CountDownlink(worker, innerLength);
        flow.Traffic?.CountDownlink(worker, innerLength);
        counters.Count(ForwardingEvent.TofReturned);
        return DropReason.None;
    }

    /// <summary>
    /// An End Marker (TS 29.281 section 7.3.2) on a UE's current downlink path: the SGW has switched the UE to another
    /// eNB, so this path is closed; the next downlink G-PDU teaches the new one. Scans the table: End Markers are rare.
    /// </summary>
    private void EndDownlink(IpAddress source, IpAddress destination, uint teid, WorkerCounters counters)
    {
        for (int slot = 0; slot < tunnels.Capacity; slot++) // both tables have one capacity
        {
            EndIfNamed(tunnels.EntryAt(slot), source, destination, teid, counters);
            EndIfNamed(tunnels6.EntryAt(slot), source, destination, teid, counters);
        }
    }

    private void EndIfNamed(TofTunnel? tunnel, IpAddress source, IpAddress destination, uint teid, WorkerCounters counters)
    {
        if (tunnel?.Downlink is { } downlink && downlink.Matches(source, destination, teid))
        {
            tunnel.Downlink = null;
            counters.Count(ForwardingEvent.TofDownlinkEnded);
            events.Write(new TofTunnelEvent(TofTunnelEventKind.DownlinkEnded, tunnel.UeAddress, TofDirection.Downlink, source, destination, teid));
        }
    }

    /// <summary>
    /// An Error Indication (TS 29.281 section 7.3.1): the sender got a G-PDU for a TEID it does not know. Its TEID
    /// Data I IE names that TEID and its GTP-U Peer Address IE the sender's own address (the G-PDU's destination), so
    /// from an eNB it names a downlink, from an SGW an uplink; the UE's tunnel is removed.
    /// </summary>
    private void RemoveOnErrorIndication(GtpUHeader gtp, TofDirection direction, IpAddress sender, WorkerCounters counters)
    {
        if (!TryReadErrorIndication(gtp.Payload, out uint teid, out var peer))
        {
            return;
        }

        var tunnelEnd = peer ?? sender;
        for (int slot = 0; slot < tunnels.Capacity; slot++) // both tables have one capacity
        {
            var tunnel = tunnels.EntryAt(slot);
            if (IsNamed(tunnel, direction, tunnelEnd, teid) && tunnels.TryRemove(tunnel!))
            {
                Removed(tunnel!, direction, teid, counters);
            }

            tunnel = tunnels6.EntryAt(slot); // a dual-stack UE's IPv6 side rides the same TEIDs
            if (IsNamed(tunnel, direction, tunnelEnd, teid) && tunnels6.TryRemove(tunnel!))
            {
                Removed(tunnel!, direction, teid, counters);
            }
        }
    }

    private static bool IsNamed(TofTunnel? tunnel, TofDirection direction, IpAddress tunnelEnd, uint teid) =>
        (direction == TofDirection.Uplink ? tunnel?.Downlink : tunnel?.Uplink) is { } named && named.Teid == teid && named.Destination == tunnelEnd;

    private void Removed(TofTunnel tunnel, TofDirection direction, uint teid, WorkerCounters counters)
    {
        var named = (direction == TofDirection.Uplink ? tunnel.Downlink : tunnel.Uplink)!;
        counters.Count(ForwardingEvent.TofTunnelRemoved);
        events.Write(new TofTunnelEvent(TofTunnelEventKind.Removed, tunnel.UeAddress,
            direction == TofDirection.Uplink ? TofDirection.Downlink : TofDirection.Uplink, named.Source, named.Destination, teid));
    }

    /// <summary>The TEID Data I (type 16, TV) and the IPv4 or IPv6 GTP-U Peer Address (type 133, TLV) of an Error Indication (TS 29.281 section 8).</summary>
    private static bool TryReadErrorIndication(Span<byte> elements, out uint teid, out IpAddress? peer)
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
                else if (type == ErrorIndicationPeerAddressIe && length == Ipv6Address.Size)
                {
                    peer = Ipv6Address.Read(elements[3..]);
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

    /// <summary>What the first pass learned of one packet of the vector.</summary>
    private struct PlainSighting
    {
        /// <summary>A plain G-PDU from the S1 side in a known direction; the rest below holds only then.</summary>
        public bool Plain;
        public PlainGPdu GPdu;
        public bool Uplink;
        public Ipv4Address Ue;
        public int TunnelHome;

        /// <summary>The service an uplink packet is addressed to, or null.</summary>
        public TofService? Service;

        /// <summary>An uplink to a service whose flow can be keyed (not a fragment; UDP, TCP or ICMP echo).</summary>
        public bool Keyed;
        public TofNatFlowKey FlowKey;
        public int FlowHome;
    }
}
