using System.Buffers.Binary;
using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Icmp;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Routing;
using Dataplane.Forwarding.Stages;
using Dataplane.Tables.Vxlan;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Headers;
using Dataplane.Wire.Tunnels;

namespace Dataplane.Forwarding.Vxlan;

/// <summary>
/// The VTEP (RFC 7348, draft-ietf-nvo3-vxlan-gpe), one per worker. For each pending packet:
/// <list type="number">
/// <item>a frame on an access port of a bridge domain (any kind) is bridged: its source MAC is learned on the
/// port, its destination looked up (static entries first, then learned ones): a remote VTEP gets it in VXLAN, an
/// access port gets it unchanged; broadcast, multicast and unknown unicast are flooded, one copy to every other access
/// port of the domain and one to every remote VTEP of its flood list (RFC 7348 section 4.2 by head-end replication);</item>
/// <item>VXLAN / VXLAN-GPE to one of our VTEP addresses is decapsulated (the classifier, or for non-standard UDP
/// ports this stage, leaves VXLAN to other addresses as transit, native IP): L2 VNIs learn the inner source MAC behind
/// the sending VTEP and deliver the inner frame to an access port, or flood it to every access port of the domain and
/// never back into the overlay (split horizon); L3 VNIs (and GPE with an IP next protocol)
/// strip down to the inner IP packet and leave it pending in the VNI's instance for routing;</item>
/// <item>a native packet whose instance has an L3 VNI and whose destination matches one of its routes is
/// encapsulated toward the route's VTEP (inner TTL decremented; inner Ethernet routerMac -> route MAC, or GPE with
/// no inner Ethernet). Packets decapsulated in this batch are not re-encapsulated (no VNI-to-VNI hairpin).</item>
/// </list>
/// Tables are read once per batch (the control socket may publish new ones between batches); the MAC table is learned
/// into without locks. Flood copies come from the worker's <see cref="PacketEmitter"/>.
/// </summary>
public sealed class VxlanStage(ForwardingPlane plane, VxlanFeature feature) : IBatchStage, IEmittingStage
{
    private readonly bool acceptsBadChecksums = TunnelUdpChecksum.AcceptsBad(plane.Config);

    private const byte NoGpe = 0;

    private VxlanTables tables = feature.Tables;

    private PacketEmitter? emitter;

    // UDP ports come from the configuration and never change at run time.
    private readonly bool customPorts = feature.Tables.UdpPort != TunnelPorts.Vxlan || feature.Tables.GpeUdpPort != TunnelPorts.VxlanGpe;
    private readonly IcmpErrorSender errors = IcmpErrorSender.ForStage(plane);

    public string Name => "vtep";

    public void UseEmitter(PacketEmitter emitter) => this.emitter = emitter;

    /// <summary>Every kind: frames from an access port are bridged whatever they carry.</summary>
    public PacketKinds Accepts => PacketKinds.All;

    public void Run(Span<PacketDescriptor> packets, ReadOnlySpan<ushort> vector, WorkerCounters counters)
    {
        tables = feature.Tables;
        var clock = plane.Options.Clock;
        var batch = new BatchContext
        {
            Now = (uint)(clock.Now / clock.Frequency),
            Counters = counters,
            Underlay = UnderlayResolver.ForBatch(plane),
        };
        var domainOfPort = tables.DomainOfPort;
        bool hasL3 = tables.L3Vnis.Length != 0;
        foreach (ushort i in vector)
        {
            ref var packet = ref packets[i];
            if (packet.IngressPort < domainOfPort.Length && domainOfPort[packet.IngressPort] is { } domain)
            {
                Bridge(ref packet, domain, ref batch);
                continue;
            }

            var tunnel = TunnelOf(in packet);
            if (tunnel != PacketKind.Unclassified)
            {
                Decapsulate(ref packet, tunnel == PacketKind.VxlanGpe, ref batch);
                continue;
            }

            if (hasL3 && (packet.Flags & PacketFlags.Decapsulated) == 0
                && packet.Kind is PacketKind.NativeIpv4 or PacketKind.NativeIpv6
                && tables.L3VniOfInstance(packet.InstanceId) is { } l3)
            {
                EncapsulateRouted(ref packet, l3, ref batch);
            }
        }
    }

    private struct BatchContext
    {
        public uint Now;
        public WorkerCounters Counters;

        // Where VTEPs are reached, with the adjacency of the last one (a batch mostly goes to few VTEPs).
        public UnderlayResolver Underlay;
    }

    // ---- L2: frames from access ports ----

    private void Bridge(ref PacketDescriptor packet, BridgeDomain domain, ref BatchContext batch)
    {
        var frame = packet.Data;
        if (packet.Format != FrameFormat.Ethernet || frame.Length < EthernetHeader.Length)
        {
            packet.Drop(DropReason.TruncatedEthernet, batch.Counters);
            return;
        }

        ulong destination = MacAddress.Read(frame).Value;
        ulong source = MacAddress.Read(frame[6..]).Value;
        Learn(domain, source, MacTableEntry.Local(packet.IngressPort, batch.Now), ref batch);

        if (!IsGroup(destination) && TryFind(domain, destination, ref batch, out var entry))
        {
            if (entry.IsRemote)
            {
                EncapsulateFrame(ref packet, domain, entry.Target, ref batch);
            }
            else if (entry.Target == packet.IngressPort)
            {
                packet.Drop(DropReason.VxlanSameIngressPort, batch.Counters);
            }
            else
            {
                packet.Transmit(entry.Target);
                batch.Counters.Count(ForwardingEvent.VxlanBridgedLocally);
            }

            return;
        }

        Flood(ref packet, domain, ref batch);
    }

    /// <summary>
    /// Broadcast, multicast or unknown unicast from an access port: one copy to every other access port of the domain
    /// and one to every remote VTEP of its flood list. The copies are taken first, from the frame as it came in; the
    /// original goes last, to the last target, because encapsulating it writes outer headers in front of it.
    /// </summary>
    private void Flood(ref PacketDescriptor packet, BridgeDomain domain, ref BatchContext batch)
    {
        var ports = domain.AccessPorts;
        var vteps = domain.RemoteVteps;
        ushort ingress = packet.IngressPort;
        int targets = ports.Length - (Array.IndexOf(ports, ingress) >= 0 ? 1 : 0) + vteps.Length;
        if (targets == 0)
        {
            packet.Drop(DropReason.VxlanNoFloodTarget, batch.Counters);
            return;
        }

        batch.Counters.Count(ForwardingEvent.VxlanFlooded);
        int left = targets;
        foreach (ushort port in ports)
        {
            if (port == ingress)
            {
                continue;
            }

            if (--left == 0)
            {
                packet.Transmit(port);
                return;
            }

            if (emitter!.TryClone(packet, out var copy))
            {
                copy.Transmit(port);
                emitter.Emit(copy);
            }
        }

        for (int v = 0; v < vteps.Length; v++)
        {
            if (--left == 0)
            {
                EncapsulateFrame(ref packet, domain, vteps[v], ref batch);
                return;
            }

            if (emitter!.TryClone(packet, out var copy))
            {
                EncapsulateFrame(ref copy, domain, vteps[v], ref batch);
                emitter.Emit(copy);
            }
        }
    }

    private void EncapsulateFrame(ref PacketDescriptor packet, BridgeDomain domain, ushort vtepIndex, ref BatchContext batch)
    {
        ushort sourcePort = VxlanSourcePort.ForFrame(packet.Data);
        var reason = Encapsulate(ref packet, vtepIndex, sourcePort, tables.UdpPort, domain.Vni, NoGpe, ref batch);
        if (reason != DropReason.None)
        {
            packet.Drop(reason, batch.Counters);
        }
    }

    private DropReason Encapsulate(ref PacketDescriptor packet, ushort vtepIndex, ushort sourcePort, ushort destinationPort, uint vni,
        VxlanGpeNextProtocol gpe, ref BatchContext batch)
    {
        ref readonly var remote = ref tables.RemoteVteps[vtepIndex];
        ref readonly var local = ref tables.LocalVtepToward(in remote);
        var unresolved = batch.Underlay.Resolve(remote, out var adjacency); // runs toward one VTEP resolve once
        if (unresolved != DropReason.None)
        {
            return unresolved;
        }

        if (VxlanEncapsulator.OuterIpLength(remote.IsV6, packet.Length) > adjacency.Mtu)
        {
            return DropReason.OverMtu;
        }

        if (!VxlanEncapsulator.TryEncapsulate(ref packet, adjacency, local, remote, sourcePort, destinationPort, tables.Ttl, vni, gpe))
        {
            return DropReason.NoHeadroom;
        }

        packet.Kind = (gpe == NoGpe ? PacketKind.Vxlan : PacketKind.VxlanGpe);
        packet.Transmit(adjacency.Port);
        batch.Counters.Count(gpe == NoGpe ? ForwardingEvent.VxlanEncapsulated : ForwardingEvent.VxlanGpeEncapsulated);
        return DropReason.None;
    }

    // ---- Decapsulation ----

    private PacketKind TunnelOf(in PacketDescriptor packet)
    {
        var kind = packet.Kind;
        if (!customPorts)
        {
            return kind is PacketKind.Vxlan or PacketKind.VxlanGpe ? kind : PacketKind.Unclassified;
        }

        // Non-standard ports: the classifier only knows 4789/4790, so look at the UDP destination port ourselves.
        if (kind is PacketKind.Unclassified or PacketKind.Arp or PacketKind.NeighborDiscovery || packet.L4Offset == 0)
        {
            return PacketKind.Unclassified;
        }

        var buffer = packet.BufferSpan;
        int l3 = packet.L3Offset;
        bool udp = (buffer[l3] >> 4) == 4 ? buffer[l3 + 9] == IpProtocol.Udp : buffer[l3 + 6] == IpProtocol.Udp;
        if (!udp || packet.L4Offset + UdpHeader.Length > packet.DataOffset + packet.Length)
        {
            return PacketKind.Unclassified;
        }

        ushort port = BinaryPrimitives.ReadUInt16BigEndian(buffer[(packet.L4Offset + 2)..]);
        var tunnel = port == tables.UdpPort ? PacketKind.Vxlan : port == tables.GpeUdpPort ? PacketKind.VxlanGpe : PacketKind.Unclassified;
        if (tunnel == PacketKind.Unclassified)
        {
            return tunnel;
        }

        // As the classifier does for the standard ports: on our port only to one of our endpoints, else transit.
        IpAddress destination = (buffer[l3] >> 4) == 4
            ? new Ipv4Address(BinaryPrimitives.ReadUInt32BigEndian(buffer[(l3 + 16)..]))
            : new Ipv6Address(BinaryPrimitives.ReadUInt128BigEndian(buffer[(l3 + 24)..]));
        return plane.TunnelEndpoints.Terminates(packet.IngressPort, tunnel, in destination) ? tunnel : PacketKind.Unclassified;
    }

    private void Decapsulate(ref PacketDescriptor packet, bool isGpe, ref BatchContext batch)
    {
        var reason = TryDecapsulate(ref packet, isGpe, ref batch);
        if (reason != DropReason.None)
        {
            packet.Drop(reason, batch.Counters);
        }
    }

    private DropReason TryDecapsulate(ref PacketDescriptor packet, bool isGpe, ref BatchContext batch)
    {
        var frame = packet.Data;
        int l3 = packet.L3Offset - packet.DataOffset;
        int l4 = packet.L4Offset - packet.DataOffset;
        if (l3 < 0 || l4 <= l3 || l4 >= frame.Length)
        {
            return DropReason.MalformedVxlan;
        }

        IpAddress outerSource;
        IpAddress outerDestination;
        if (frame[l3] >> 4 == 4)
        {
            outerSource = new Ipv4Address(BinaryPrimitives.ReadUInt32BigEndian(frame[(l3 + 12)..]));
            outerDestination = new Ipv4Address(BinaryPrimitives.ReadUInt32BigEndian(frame[(l3 + 16)..]));
        }
        else
        {
            outerSource = new Ipv6Address(BinaryPrimitives.ReadUInt128BigEndian(frame[(l3 + 8)..]));
            outerDestination = new Ipv6Address(BinaryPrimitives.ReadUInt128BigEndian(frame[(l3 + 24)..]));
        }

        if (!tables.IsLocalVtep(outerDestination))
        {
            return DropReason.VxlanToForeignVtep;
        }

        if (!UdpHeader.TryCreate(frame[l4..], out var udp))
        {
            return DropReason.MalformedUdp;
        }

        DropReason checksum;
        if (udp.Checksum != 0
            && (checksum = TunnelUdpChecksum.Check(in packet, frame, l3, l4, frame[l3] >> 4 == 4, acceptsBadChecksums, batch.Counters)) != DropReason.None)
        {
            return checksum;
        }

        var payload = udp.Payload;
        uint vni;
        var nextProtocol = VxlanGpeNextProtocol.Ethernet;
        if (isGpe)
        {
            if (!VxlanGpeHeader.TryCreate(payload, out var gpe) || gpe.Version != 0 || !gpe.VniValid || !gpe.NextProtocolPresent)
            {
                return DropReason.MalformedVxlan;
            }

            if (gpe.Oam)
            {
                packet.Punt(); // draft-ietf-nvo3-vxlan-gpe section 3.2: OAM is for the control plane
                batch.Counters.Count(ForwardingEvent.VxlanGpeOamPunted);
                return DropReason.None;
            }

            vni = gpe.Vni;
            nextProtocol = gpe.NextProtocol;
            if (nextProtocol is not (VxlanGpeNextProtocol.Ethernet or VxlanGpeNextProtocol.Ipv4 or VxlanGpeNextProtocol.Ipv6))
            {
                return DropReason.VxlanGpeUnsupportedNextProtocol;
            }
        }
        else
        {
            if (!VxlanHeader.TryCreate(payload, out var vxlan) || !vxlan.VniValid)
            {
                return DropReason.MalformedVxlan;
            }

            vni = vxlan.Vni;
        }

        if (!tables.Vnis.TryGetValue(vni, out var binding))
        {
            return DropReason.UnknownVni;
        }

        // Offsets of the inner bytes in the frame, and their length as the UDP header bounds it (not Ethernet padding).
        int innerStart = l4 + VxlanEncapsulator.TunnelHeaders;
        int innerLength = payload.Length - VxlanHeader.Length;
        var inner = payload[VxlanHeader.Length..];
        var decapsulated = isGpe ? ForwardingEvent.VxlanGpeDecapsulated : ForwardingEvent.VxlanDecapsulated;

        if (nextProtocol != VxlanGpeNextProtocol.Ethernet)
        {
            if (binding.L3 is not { } ipVni)
            {
                return DropReason.VxlanGpeUnsupportedNextProtocol;
            }

            return ToRouting(ref packet, innerStart, innerLength, nextProtocol == VxlanGpeNextProtocol.Ipv4, ipVni, decapsulated, ref batch);
        }

        if (inner.Length < EthernetHeader.Length)
        {
            return DropReason.MalformedVxlan;
        }

        ulong innerDestination = MacAddress.Read(inner).Value;
        if (binding.L3 is { } l3Vni)
        {
            if (innerDestination != l3Vni.RouterMac.Value)
            {
                return DropReason.VxlanNotRouterMac;
            }

            ushort etherType = BinaryPrimitives.ReadUInt16BigEndian(inner[12..]);
            if (etherType is not (EtherType.Ipv4 or EtherType.Ipv6))
            {
                return DropReason.InnerHeaderMalformed;
            }

            return ToRouting(ref packet, innerStart + EthernetHeader.Length, innerLength - EthernetHeader.Length, etherType == EtherType.Ipv4,
                l3Vni, decapsulated, ref batch);
        }

        var domain = binding.Domain!;
        if (!tables.RemoteVtepIndex.TryGetValue(outerSource, out ushort vtepIndex) || !domain.HasRemoteVtep(vtepIndex))
        {
            return DropReason.VxlanFromUnknownVtep;
        }

        Learn(domain, MacAddress.Read(inner[6..]).Value, MacTableEntry.Remote(vtepIndex, batch.Now), ref batch);
        bool flood = true;
        ushort egress = 0;
        if (!IsGroup(innerDestination) && TryFind(domain, innerDestination, ref batch, out var entry))
        {
            if (entry.IsRemote)
            {
                return DropReason.VxlanSplitHorizon;
            }

            flood = false;
            egress = entry.Target;
        }

        packet.TryAdjust(innerStart);
        packet.TrySetLength(innerLength);
        packet.L2Offset = (ushort)packet.DataOffset;
        batch.Counters.Count(decapsulated);
        if (flood)
        {
            FloodToAccessPorts(ref packet, domain, ref batch);
        }
        else
        {
            packet.Transmit(egress);
        }

        return DropReason.None;
    }

    /// <summary>
    /// A decapsulated broadcast, multicast or unknown unicast frame: a copy to every access port of the domain, the
    /// original to the last one, and never to another VTEP (split horizon: the sender reached every VTEP itself).
    /// </summary>
    private void FloodToAccessPorts(ref PacketDescriptor packet, BridgeDomain domain, ref BatchContext batch)
    {
        var ports = domain.AccessPorts;
        batch.Counters.Count(ForwardingEvent.VxlanFlooded);
        for (int p = 0; p < ports.Length - 1; p++)
        {
            if (emitter!.TryClone(packet, out var copy))
            {
                copy.Transmit(ports[p]);
                emitter.Emit(copy);
            }
        }

        packet.Transmit(ports[^1]);
    }

    /// <summary>
    /// Routing into an L3 VNI is an IP hop: a TTL / hop limit that would reach 0 becomes ICMP Time Exceeded from the
    /// ingress port's address, left pending for routing to send back; dropped (TtlExpired) when no error may go out.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void SendTimeExceeded(ref PacketDescriptor packet, WorkerCounters counters)
    {
        if (!errors.TrySend(ref packet, IcmpErrorKind.TimeExceeded, counters))
        {
            packet.Drop(DropReason.TtlExpired, counters);
        }
    }

    /// <summary>Strips everything before the inner IP header and leaves the packet pending for routing in the VNI's instance.</summary>
    private static DropReason ToRouting(ref PacketDescriptor packet, int ipStart, int ipLength, bool isIpv4, L3Vni vni, ForwardingEvent decapsulated,
        ref BatchContext batch)
    {
        var ip = packet.Data.Slice(ipStart, ipLength);
        int headerLength;
        int packetLength;
        if (isIpv4)
        {
            if (!Ipv4Header.TryCreate(ip, out var ipv4))
            {
                return DropReason.InnerHeaderMalformed;
            }

            headerLength = ipv4.HeaderLength;
            packetLength = ipv4.TotalLength;
        }
        else
        {
            if (!Ipv6Header.TryCreate(ip, out var ipv6))
            {
                return DropReason.InnerHeaderMalformed;
            }

            headerLength = Ipv6Header.Length;
            packetLength = Ipv6Header.Length + ipv6.PayloadLength;
        }

        packet.HandOffInner(ipStart, packetLength, isIpv4 ? PacketKind.NativeIpv4 : PacketKind.NativeIpv6, headerLength, vni.InstanceId);
        batch.Counters.Count(decapsulated);
        return DropReason.None;
    }

    // ---- L3: routed packets into an L3 VNI ----

    private void EncapsulateRouted(ref PacketDescriptor packet, L3Vni vni, ref BatchContext batch)
    {
        int l3 = packet.L3Offset - packet.DataOffset;
        if (l3 < 0 || l3 >= packet.Length)
        {
            return;
        }

        var ip = packet.Data[l3..];
        bool isIpv4 = packet.Kind == PacketKind.NativeIpv4;
        IpAddress destination;
        int packetLength;
        if (isIpv4)
        {
            if (!Ipv4Header.TryCreate(ip, out var ipv4))
            {
                return; // routing drops it under MalformedIpv4
            }

            destination = ipv4.Destination;
            packetLength = ipv4.TotalLength;
        }
        else
        {
            if (!Ipv6Header.TryCreate(ip, out var ipv6))
            {
                return;
            }

            destination = ipv6.Destination;
            packetLength = Ipv6Header.Length + ipv6.PayloadLength;
        }

        if (!TryRoute(vni, destination, out var route) || plane.LocalAddressSet.Contains(destination))
        {
            return; // not ours to tunnel: routing forwards or punts it
        }

        if (isIpv4)
        {
            Ipv4Header.TryCreate(ip, out var ipv4);
            if (!ipv4.TryDecrementTimeToLive())
            {
                SendTimeExceeded(ref packet, batch.Counters);
                return;
            }
        }
        else
        {
            Ipv6Header.TryCreate(ip, out var ipv6);
            if (ipv6.HopLimit <= 1)
            {
                SendTimeExceeded(ref packet, batch.Counters);
                return;
            }

            ipv6.HopLimit--;
        }

        ushort sourcePort = VxlanSourcePort.ForIp(ip, isIpv4);
        packet.TryAdjust(l3);
        packet.TrySetLength(packetLength);
        VxlanGpeNextProtocol gpe = NoGpe;
        if (vni.Gpe)
        {
            gpe = isIpv4 ? VxlanGpeNextProtocol.Ipv4 : VxlanGpeNextProtocol.Ipv6;
        }
        else
        {
            if (!packet.TryPrepend(EthernetHeader.Length, out var innerEthernet))
            {
                packet.Drop(DropReason.NoHeadroom, batch.Counters);
                return;
            }

            EthernetHeader.TryCreateForWrite(innerEthernet, out var ethernet);
            ethernet.Destination = route.Mac;
            ethernet.Source = vni.RouterMac;
            ethernet.EtherType = isIpv4 ? EtherType.Ipv4 : EtherType.Ipv6;
        }

        var reason = Encapsulate(ref packet, route.VtepIndex, sourcePort, vni.Gpe ? tables.GpeUdpPort : tables.UdpPort, vni.Vni, gpe, ref batch);
        if (reason != DropReason.None)
        {
            packet.Drop(reason, batch.Counters);
        }
    }

    /// <summary>Longest match among the VNI's routes (a short list from the configuration, scanned linearly).</summary>
    private static bool TryRoute(L3Vni vni, IpAddress destination, out L3VniRoute route)
    {
        var routes = vni.Routes;
        int best = -1;
        for (int i = 0; i < routes.Length; i++)
        {
            var prefix = routes[i].Prefix;
            if (prefix.Contains(vni.InstanceId, destination) && (best < 0 || prefix.PrefixLength > routes[best].Prefix.PrefixLength))
            {
                best = i;
            }
        }

        route = best >= 0 ? routes[best] : null!;
        return best >= 0;
    }

    // ---- FDB ----

    private static bool IsGroup(ulong mac) => ((mac >> 40) & 0x01) != 0;

    private bool TryFind(BridgeDomain domain, ulong mac, ref BatchContext batch, out MacTableEntry entry) =>
        domain.StaticMacs.TryGetValue(mac, out entry) || tables.Macs.TryLookup(domain.Index, mac, batch.Now, domain.AgingSeconds, out entry);

    private void Learn(BridgeDomain domain, ulong mac, MacTableEntry entry, ref BatchContext batch)
    {
        if (IsGroup(mac) || mac == 0)
        {
            return; // RFC 7348 section 4: learn unicast sources only
        }

        if (domain.StaticMacs.TryGetValue(mac, out var pinned))
        {
            if (!pinned.SamePlaceAs(entry))
            {
                batch.Counters.Count(ForwardingEvent.MacStaticConflict);
            }

            return;
        }

        switch (tables.Macs.Learn(domain.Index, mac, entry, domain.AgingSeconds))
        {
            case MacLearnResult.Learned:
                batch.Counters.Count(ForwardingEvent.MacLearned);
                break;
            case MacLearnResult.Moved:
                batch.Counters.Count(ForwardingEvent.MacMoved);
                break;
            case MacLearnResult.TableFull:
                batch.Counters.Count(ForwardingEvent.MacLearnTableFull);
                break;
        }
    }
}
