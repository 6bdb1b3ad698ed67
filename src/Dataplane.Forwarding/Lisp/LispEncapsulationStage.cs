using System.Buffers.Binary;
using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Hashing;
using Dataplane.Forwarding.Icmp;
using Dataplane.Forwarding.Neighbours;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Routing;
using Dataplane.Forwarding.Stages;
using Dataplane.Tables.MapCache;
using Dataplane.Tables.Time;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Headers;

namespace Dataplane.Forwarding.Lisp;

/// <summary>
/// The ITR / PITR / RTR encapsulation stage (RFC 9300 sections 5 and 7). For each pending native IPv4/IPv6 packet
/// it serves (ITR: inner source is one of our EIDs; PITR: any source; RTR: packets flagged
/// <see cref="PacketFlags.FromLispTunnel"/>, which the ITR and PITR roles leave alone), it looks the destination
/// up in the map-cache and:
/// <list type="bullet">
/// <item>destination is one of our own EIDs: left pending, routed natively inside the site;</item>
/// <item>miss or expired entry: punted (the control plane sends a Map-Request), counted as an event;</item>
/// <item>negative entry: drop -> NegativeEntryDrop, native-forward / no-action -> left pending for routing,
/// send-map-request -> punted;</item>
/// <item>positive entry: a locator by flow hash (or inner source port), the outer source is our first RLOC of that
/// family, the underlay resolves it in instance 0, and the packet is encapsulated in place and transmitted; when the
/// RLOC's next hop has no MAC yet the packet becomes the ARP / ND request for it (glean).</item>
/// </list>
/// <para>
/// TTL: an ITR is a router (RFC 9300 section 3: "a router that ..."), so forwarding a packet into the tunnel is an
/// IP hop (RFC 1812 section 5.3.1): a TTL / hop limit of 1 or less becomes ICMP Time Exceeded from the ingress
/// port's address (so traceroute shows the ITR, as deployed xTRs do), or is dropped (TtlExpired) when no error may go
/// out, and the inner TTL is decremented before RFC 9300 section 5.3 copies it into the outer header. Section 5.3 also copies the DSCP and
/// ECN into the outer header (done by <see cref="LispEncapsulator"/>).
/// </para>
/// <para>
/// MTU (RFC 9300 section 7.2, stateful-ish: we know the egress port MTU): an IPv4 packet with DF set or any IPv6
/// packet that would not fit once encapsulated gets an ICMP fragmentation-needed / packet-too-big back, built in
/// place, rate-limited per worker; over the limit, or with <c>overMtu: "drop"</c>, it is dropped (OverMtu). An IPv4
/// packet with DF clear that does not fit is cut in two and each fragment encapsulated (section 7.1, the stateless
/// way: the ETR forwards two ordinary packets and the destination host reassembles, where fragmenting the outer
/// packet would leave the reassembly to the ETR); one that two fragments cannot carry is dropped (OverMtu).
/// </para>
/// </summary>
public sealed class LispEncapsulationStage : IBatchStage, IEmittingStage
{
    /// <summary>Packets whose lookups are prefetched together before they are handled (see <see cref="Run"/>).</summary>
    private const int PrefetchChunk = 32;

    private readonly ForwardingPlane plane;
    private readonly LispTables tables;
    private readonly IMonotonicClock clock;
    private readonly bool itr;
    private readonly bool pitr;
    private readonly bool rtr;
    private readonly bool chooseBySourcePort;
    private readonly bool icmpWhenOverMtu;
    private readonly LispNonceGenerator nonces;
    private readonly TokenBucket icmpBudget;
    private readonly IcmpErrorSender errors; // Time Exceeded, from the same budget as the too-big errors
    private readonly MapCacheBatchLookup lookups = new();
    private readonly NeighbourSolicitor solicitor;
    private readonly int expiryUnitShift;

    // ICMP error sources by ingress port (Unspecified = none configured on that port).
    private readonly IpAddress[] portIpv4Source;
    private readonly IpAddress[] portIpv6Source;

    public LispEncapsulationStage(ForwardingPlane plane, LispEncapsulationFeature feature)
    {
        ArgumentNullException.ThrowIfNull(plane);
        ArgumentNullException.ThrowIfNull(feature);
        this.plane = plane;
        tables = feature.Tables;
        clock = plane.Options.Clock;
        expiryUnitShift = MapCacheForwardingWord.UnitShift(clock.Frequency);
        itr = feature.IsItr;
        pitr = feature.IsPitr;
        rtr = feature.IsRtr;
        chooseBySourcePort = feature.Settings.ChooseBySourcePort;
        icmpWhenOverMtu = feature.Settings.IcmpWhenOverMtu;
        nonces = new LispNonceGenerator(plane.Options.NonceSeed);
        icmpBudget = new TokenBucket(clock, feature.Settings.IcmpRateLimitPerSecond);
        errors = new IcmpErrorSender(plane.Ports, icmpBudget);
        solicitor = new NeighbourSolicitor(clock);
        int portCount = plane.Ports.Count;
        portIpv4Source = new IpAddress[portCount];
        portIpv6Source = new IpAddress[portCount];
        foreach (var port in plane.Ports.All)
        {
            if (port.Id >= portCount)
            {
                continue;
            }

            portIpv4Source[port.Id] = FirstOfFamily(port.Addresses, IpFamily.V4);
            portIpv6Source[port.Id] = FirstOfFamily(port.Addresses, IpFamily.V6);
        }
    }

    // The worker's source of extra packets: the second fragment of an inner packet too big for the tunnel.
    private PacketEmitter? emitter;

    public string Name => "lisp-encapsulation";

    public void UseEmitter(PacketEmitter emitter) => this.emitter = emitter;

    public PacketKinds Accepts => PacketKinds.NativeIp;

    public void Run(Span<PacketDescriptor> packets, ReadOnlySpan<ushort> vector, WorkerCounters counters)
    {
        // Everything shared is read once per batch.
        var batch = new BatchState
        {
            Index = tables.Index,
            MapCache = tables.MapCache.View,
            LocalEids = tables.LocalDatabase.Eids,
            Now = clock.Now,
            Underlay = UnderlayResolver.ForBatch(plane),
        };
        batch.NowUnit = MapCacheForwardingWord.Unit(batch.Now, expiryUnitShift);
        FindLocalRlocs(tables.LocalDatabase.Rlocs, out batch.LocalRlocV4, out batch.LocalRlocV6);
        batch.LocalRlocV4Value = batch.LocalRlocV4.Family == IpFamily.V4 ? batch.LocalRlocV4.AsV4() : default;
        // A chunk at a time: its lookups and prefetches, then its packets, while what the prefetches brought is still
        // in the first-level cache. Over a whole vector of 256 the lines fetched first were evicted again (by the
        // packets, headers and tables of the others) before their packet's turn came.
        for (int start = 0; start < vector.Length; start += PrefetchChunk)
        {
            var chunk = vector.Slice(start, Math.Min(PrefetchChunk, vector.Length - start));
            lookups.LookUp(packets, chunk, batch.Index, batch.MapCache, servesNative: itr || pitr, servesTunnel: rtr);
            for (int position = 0; position < chunk.Length; position++)
            {
                ref var packet = ref packets[chunk[position]];
                bool fromTunnel = (packet.Flags & PacketFlags.FromLispTunnel) != 0;
                if (fromTunnel ? !rtr : !(itr || pitr))
                {
                    continue;
                }

                if (packet.Kind == PacketKind.NativeIpv4)
                {
                    HandleIpv4(ref packet, position, fromTunnel, ref batch, counters);
                }
                else
                {
                    HandleAnyFamily(ref packet, position, fromTunnel, ref batch, counters);
                }
            }
        }
    }

    /// <summary>
    /// <see cref="HandleAnyFamily"/> for an IPv4 inner packet: the same decisions in the same order, with the header
    /// fields read straight from the header view. The addresses stay 32-bit values through the local-EID tests, the
    /// lookup and the flow hash, instead of an <see cref="InnerPacket"/> carrying two 32-byte <see cref="IpAddress"/>
    /// values that the JIT copies through the stack at every use (perf: those copies were among the hottest
    /// instructions of the ITR loop).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // its own inlining budget: inlined into Run, the header reads and lookups it calls stop being inlined
    private void HandleIpv4(ref PacketDescriptor packet, int position, bool fromTunnel, ref BatchState batch, WorkerCounters counters)
    {
        int l3 = packet.L3Offset - packet.DataOffset;
        if (l3 < 0 || l3 >= packet.Length || !Ipv4Header.TryCreate(packet.Data[l3..], out var ip))
        {
            return; // left pending: routing drops it under the header's reason
        }

        var source = ip.Source;
        var destination = ip.Destination;
        uint iid = packet.InstanceId;
        var local = batch.LocalEids;
        if (!fromTunnel && !pitr && !local.Contains(iid, source))
        {
            return; // ITR only: not from our site, so not ours to encapsulate
        }

        if (local.Contains(iid, destination))
        {
            return; // inside the site: native routing
        }

        if (!lookups.TryGetLookup(position, out bool found, out uint slot))
        {
            batch.Index.Select(ref batch.Instance, iid);
            found = batch.Instance.TryLookup(destination, out slot);
        }

        // The common mapping (one usable IPv4 RLOC, not about to expire) comes whole from the slot's forwarding word;
        // only the others read the entry object, one more dependent miss at a million prefixes.
        if (!TryTakeMapping(ref packet, found, slot, ref batch, counters, out uint fastRloc, out var entry))
        {
            return;
        }

        byte protocol = ip.Protocol;
        InnerPacket.ReadPorts(protocol, ip.FragmentOffset == 0 ? ip.Payload : default, out ushort sourcePort, out ushort destinationPort);
        uint flowHash = FlowHash.Hash(source, destination, protocol, sourcePort, destinationPort);
        if (entry is null && batch.LocalRlocV4.Family == IpFamily.V4)
        {
            ForwardToIpv4Rloc(ref packet, ip.TimeToLive, ip.TotalLength, innerV4: true, fastRloc, iid, flowHash, fromTunnel, ref batch, counters);
            return;
        }

        if (!TryTakeRloc(ref packet, entry, fastRloc, flowHash, sourcePort, counters, out var rloc, out ushort translatedPort))
        {
            return;
        }

        var outerSource = rloc.IsV4 ? batch.LocalRlocV4 : batch.LocalRlocV6;
        if (outerSource.Family == IpFamily.Unspecified)
        {
            packet.Drop(DropReason.NoLocalRloc, counters);
            return;
        }

        var unresolved = batch.Underlay.Resolve(rloc, out var adjacency); // runs toward one RLOC resolve once
        if (unresolved != DropReason.None)
        {
            DropOrSolicit(ref packet, unresolved, in rloc, ref batch, counters);
            return;
        }

        if (ip.TimeToLive <= 1)
        {
            SendTimeExceeded(ref packet, ref batch, counters);
            return;
        }

        int tunnelOverhead = rloc.IsV4 ? LispEncapsulator.Ipv4TunnelOverhead : LispEncapsulator.Ipv6TunnelOverhead;
        if (ip.TotalLength + tunnelOverhead > adjacency.Mtu)
        {
            if (!TryFragmentIntoTunnel(ref packet, rloc, outerSource, in adjacency, adjacency.Mtu - tunnelOverhead, iid, flowHash, fromTunnel, counters, translatedPort))
            {
                HandleOverMtu(ref packet, adjacency.Mtu - tunnelOverhead, ref batch, counters);
            }

            return;
        }

        ip.TryDecrementTimeToLive(); // TTL > 1 checked above
        EncapsulateAndTransmit(ref packet, in rloc, in outerSource, in adjacency, iid, flowHash, fromTunnel, counters, translatedPort);
    }

    /// <summary>
    /// The common case, fused, for an inner packet of either family: the mapping's one IPv4 RLOC came from the
    /// forwarding word, so the RLOC, our outer source, the adjacency lookup and the outer header stay 32-bit values
    /// from here to the wire. The decisions and their order are those of the general path (resolve, TTL, MTU,
    /// encapsulate); perf showed the general path's 32-byte <see cref="IpAddress"/> copies, stored in parts and
    /// reloaded whole, stalling the loop. <paramref name="ttl"/> and <paramref name="innerLength"/> are the inner
    /// header's TTL / hop limit and its length by that header.
    /// </summary>
    private void ForwardToIpv4Rloc(ref PacketDescriptor packet, byte ttl, int innerLength, bool innerV4, uint rloc, uint iid, uint flowHash,
        bool fromTunnel, ref BatchState batch, WorkerCounters counters)
    {
        var unresolved = batch.Underlay.Resolve(new Ipv4Address(rloc), out var adjacency); // runs toward one RLOC resolve once
        if (unresolved != DropReason.None)
        {
            DropOrSolicit(ref packet, unresolved, new Ipv4Address(rloc), ref batch, counters);
            return;
        }

        if (ttl <= 1)
        {
            SendTimeExceeded(ref packet, ref batch, counters);
            return;
        }

        if (innerLength + LispEncapsulator.Ipv4TunnelOverhead > adjacency.Mtu)
        {
            if (!TryFragmentIntoTunnel(ref packet, new Ipv4Address(rloc), batch.LocalRlocV4, in adjacency, adjacency.Mtu - LispEncapsulator.Ipv4TunnelOverhead,
                    iid, flowHash, fromTunnel, counters))
            {
                HandleOverMtu(ref packet, adjacency.Mtu - LispEncapsulator.Ipv4TunnelOverhead, ref batch, counters);
            }

            return;
        }

        DecrementTimeToLive(ref packet, innerV4); // > 1 checked above
        if (!LispEncapsulator.TryEncapsulateOverIpv4(ref packet, new LispEncapsulation(
                adjacency.SourceMac, adjacency.DestinationMac, batch.LocalRlocV4Value, new Ipv4Address(rloc), iid, nonces.Next(),
                FlowHash.SourcePort(flowHash), DontFragment: true)))
        {
            packet.Drop(DropReason.NoHeadroom, counters);
            return;
        }

        Transmitted(ref packet, adjacency.Port, fromTunnel, counters);
    }

    /// <summary>The per-packet path for either family (IPv6 inner packets; IPv4 ones take <see cref="HandleIpv4"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // its own inlining budget, as HandleIpv4
    private void HandleAnyFamily(ref PacketDescriptor packet, int position, bool fromTunnel, ref BatchState batch, WorkerCounters counters)
    {
        if (!InnerPacket.TryRead(ref packet, out var inner))
        {
            return; // left pending: routing drops it under the header's reason
        }

        uint iid = packet.InstanceId;
        var local = batch.LocalEids;
        if (!fromTunnel && !pitr && !(inner.IsV4 ? local.Contains(iid, inner.Source.AsV4()) : local.Contains(iid, inner.Source.AsV6())))
        {
            return; // ITR only: not from our site, so not ours to encapsulate
        }

        if (inner.IsV4 ? local.Contains(iid, inner.Destination.AsV4()) : local.Contains(iid, inner.Destination.AsV6()))
        {
            return; // inside the site: native routing
        }

        if (!lookups.TryGetLookup(position, out bool found, out uint slot))
        {
            batch.Index.Select(ref batch.Instance, iid);
            found = inner.IsV4
                ? batch.Instance.TryLookup(inner.Destination.AsV4(), out slot)
                : batch.Instance.TryLookup(inner.Destination.AsV6(), out slot);
        }
        if (!TryTakeMapping(ref packet, found, slot, ref batch, counters, out uint fastRloc, out var entry))
        {
            return;
        }

        uint flowHash = inner.IsV4
            ? FlowHash.Hash(inner.Source.AsV4(), inner.Destination.AsV4(), inner.Protocol, inner.SourcePort, inner.DestinationPort)
            : FlowHash.Hash(inner.Source.AsV6(), inner.Destination.AsV6(), inner.Protocol, inner.SourcePort, inner.DestinationPort);
        if (entry is null && batch.LocalRlocV4.Family == IpFamily.V4)
        {
            ForwardToIpv4Rloc(ref packet, inner.TimeToLive, inner.Length, inner.IsV4, fastRloc, iid, flowHash, fromTunnel, ref batch, counters);
            return;
        }

        if (!TryTakeRloc(ref packet, entry, fastRloc, flowHash, inner.SourcePort, counters, out var rloc, out ushort translatedPort))
        {
            return;
        }

        var outerSource = rloc.IsV4 ? batch.LocalRlocV4 : batch.LocalRlocV6;
        if (outerSource.Family == IpFamily.Unspecified)
        {
            packet.Drop(DropReason.NoLocalRloc, counters);
            return;
        }

        var unresolved = batch.Underlay.Resolve(rloc, out var adjacency); // runs toward one RLOC resolve once
        if (unresolved != DropReason.None)
        {
            DropOrSolicit(ref packet, unresolved, in rloc, ref batch, counters);
            return;
        }

        if (inner.TimeToLive <= 1)
        {
            SendTimeExceeded(ref packet, ref batch, counters);
            return;
        }

        int tunnelOverhead = rloc.IsV4 ? LispEncapsulator.Ipv4TunnelOverhead : LispEncapsulator.Ipv6TunnelOverhead;
        if (inner.Length + tunnelOverhead > adjacency.Mtu)
        {
            if (!TryFragmentIntoTunnel(ref packet, rloc, outerSource, in adjacency, adjacency.Mtu - tunnelOverhead, iid, flowHash, fromTunnel, counters, translatedPort))
            {
                HandleOverMtu(ref packet, in inner, adjacency.Mtu - tunnelOverhead, ref batch, counters);
            }

            return;
        }

        DecrementTimeToLive(ref packet, inner.IsV4);
        EncapsulateAndTransmit(ref packet, in rloc, in outerSource, in adjacency, iid, flowHash, fromTunnel, counters, translatedPort);
    }

    /// <summary>
    /// The mapping of the slot the lookup found: the slot's forwarding word when it covers it (<paramref name="entry"/>
    /// null, the RLOC in <paramref name="fastRloc"/>), else the entry. False when the packet was punted: a miss, or an
    /// expired entry (the control plane sends a Map-Request).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryTakeMapping(ref PacketDescriptor packet, bool found, uint slot, ref BatchState batch, WorkerCounters counters, out uint fastRloc, out MapCacheEntry? entry)
    {
        entry = null;
        if (found && MapCacheForwardingWord.TryGetRloc(batch.MapCache.ForwardingWord(slot), batch.NowUnit, out fastRloc))
        {
            return true;
        }

        fastRloc = 0;
        entry = found ? batch.MapCache[slot] : null;
        if (entry is null)
        {
            packet.Punt();
            counters.Count(ForwardingEvent.MapCacheMissPunted);
            return false;
        }

        if (entry.IsExpired(batch.Now))
        {
            packet.Punt();
            counters.Count(ForwardingEvent.MapCacheExpiredPunted);
            return false;
        }

        return true;
    }

    /// <summary>
    /// The RLOC for the packet: the forwarding word's, the entry's single usable locator (the common mapping), or the
    /// choice among several (<see cref="TryChooseRloc"/>, out of line so the per-packet frames stay small). False when
    /// the packet has been decided (negative entry, no usable locator) or left pending.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryTakeRloc(ref PacketDescriptor packet, MapCacheEntry? entry, uint fastRloc, uint flowHash, ushort sourcePort, WorkerCounters counters,
        out IpAddress rloc, out ushort translatedPort)
    {
        translatedPort = 0;
        if (entry is null)
        {
            rloc = new Ipv4Address(fastRloc);
            return true;
        }

        rloc = entry.SingleUsableRloc;
        return rloc.Family != IpFamily.Unspecified || TryChooseRloc(ref packet, entry, flowHash, sourcePort, counters, out rloc, out translatedPort);
    }

    /// <summary>
    /// The last step of both per-packet paths: the outer headers, and the packet leaves toward the RLOC. A non-zero
    /// <paramref name="translatedPort"/> (an RTR's locator of an xTR behind a NAT) is the destination port, and the
    /// source port is 4342, the port the xTR's registrations through the NAT went to, so the NAT takes the packet
    /// as their answer (what Open Overlay Router's RTR does).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void EncapsulateAndTransmit(ref PacketDescriptor packet, in IpAddress rloc, in IpAddress outerSource, in Adjacency adjacency, uint iid,
        uint flowHash, bool fromTunnel, WorkerCounters counters, ushort translatedPort)
    {
        bool written = rloc.IsV4
            ? LispEncapsulator.TryEncapsulateOverIpv4(ref packet, translatedPort == 0
                ? new LispEncapsulation(adjacency.SourceMac, adjacency.DestinationMac, outerSource.AsV4(), rloc.AsV4(), iid, nonces.Next(),
                    FlowHash.SourcePort(flowHash), DontFragment: true)
                : new LispEncapsulation(adjacency.SourceMac, adjacency.DestinationMac, outerSource.AsV4(), rloc.AsV4(), iid, nonces.Next(),
                    Dataplane.Wire.Tunnels.TunnelPorts.LispControl, DontFragment: true, translatedPort))
            : LispEncapsulator.TryEncapsulateOverIpv6(ref packet, new LispIpv6Encapsulation(
                adjacency.SourceMac, adjacency.DestinationMac, outerSource.AsV6(), rloc.AsV6(), iid, nonces.Next(),
                FlowHash.SourcePort(flowHash)));
        if (!written)
        {
            packet.Drop(DropReason.NoHeadroom, counters);
            return;
        }

        Transmitted(ref packet, adjacency.Port, fromTunnel, counters);
    }

    /// <summary>An encapsulated packet leaves: a LISP data packet now, toward <paramref name="port"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transmitted(ref PacketDescriptor packet, ushort port, bool fromTunnel, WorkerCounters counters)
    {
        packet.Kind = PacketKind.LispData;
        packet.Flags = (byte)(packet.Flags & ~PacketFlags.FromLispTunnel);
        packet.Transmit(port);
        counters.Count(ForwardingEvent.LispEncapsulated);
        if (fromTunnel)
        {
            counters.Count(ForwardingEvent.LispReencapsulated);
        }
    }

    /// <summary>
    /// The entries without a single usable locator: a negative entry's action, or the weighted / source-port choice
    /// among several locators (<see cref="LocatorSelector"/>). False when the packet has been decided or left
    /// pending here.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryChooseRloc(ref PacketDescriptor packet, MapCacheEntry entry, uint flowHash, ushort sourcePort, WorkerCounters counters,
        out IpAddress rloc, out ushort translatedPort)
    {
        rloc = default;
        translatedPort = 0;
        if (entry.IsNegative)
        {
            switch (entry.Action)
            {
                case NegativeAction.Drop:
                    packet.Drop(DropReason.NegativeEntryDrop, counters);
                    break;
                case NegativeAction.SendMapRequest:
                    packet.Punt();
                    counters.Count(ForwardingEvent.NegativeEntryMapRequestPunted);
                    break;
                default:
                    counters.Count(ForwardingEvent.NegativeEntryNativelyForwarded);
                    break;
            }

            return false;
        }

        int chosen = chooseBySourcePort ? entry.Selector.SelectBySourcePort(sourcePort) : entry.Selector.Select(flowHash);
        if (chosen < 0)
        {
            packet.Drop(DropReason.NoUsableLocator, counters);
            return false;
        }

        ref readonly var locator = ref entry.Locators[chosen];
        rloc = locator.Address;
        translatedPort = locator.TranslatedPort;
        return true;
    }

    /// <summary>
    /// The RLOC's next hop has no MAC yet: the packet becomes the ARP request / Neighbor Solicitation for it, as the
    /// routing stage does (glean, rate-limited per next hop), so the first packets toward a newly resolved RLOC make
    /// the underlay resolve instead of waiting for unrelated traffic to do it. Rate-limited or unroutable: dropped.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void DropOrSolicit(ref PacketDescriptor packet, DropReason reason, in IpAddress rloc, ref BatchState batch, WorkerCounters counters)
    {
        if (reason == DropReason.NoNeighbour && batch.Underlay.TryFindNextHop(rloc, out var nextHop, out var port)
            && solicitor.TrySolicit(ref packet, nextHop, port))
        {
            counters.Count(ForwardingEvent.NeighbourRequestSent);
            return;
        }

        packet.Drop(reason, counters);
    }

    /// <summary>
    /// RFC 9300 section 7.1 for an IPv4 inner packet with DF clear that does not fit the tunnel: cut in two
    /// (<see cref="InnerFragmenter"/>), the second half in a buffer from the worker's <see cref="PacketEmitter"/>, and
    /// each half encapsulated toward the same RLOC. False for any other packet, or one that two fragments cannot carry
    /// (it goes on to <see cref="HandleOverMtu(ref PacketDescriptor, int, ref BatchState, WorkerCounters)"/>). With no
    /// buffer for the second half the packet is dropped as OverMtu (the missing copy counted as ReplicaNoBuffer).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryFragmentIntoTunnel(ref PacketDescriptor packet, IpAddress rloc, IpAddress outerSource, in Adjacency adjacency, int innerMtu,
        uint iid, uint flowHash, bool fromTunnel, WorkerCounters counters, ushort translatedPort = 0)
    {
        var inner = packet.Data[(packet.L3Offset - packet.DataOffset)..];
        if (emitter is null || inner.Length < 20 || (inner[0] >> 4) != 4 || (inner[6] & 0x40) != 0
            || !InnerFragmenter.CanSplit(inner, innerMtu, out int firstPayload, out int secondHeaderLength))
        {
            return false;
        }

        if (!emitter.TryAllocate(in packet, out var second))
        {
            packet.Drop(DropReason.OverMtu, counters);
            return true;
        }

        DecrementTimeToLive(ref packet, v4: true); // both halves carry the decremented TTL (checked > 1 before the MTU)
        if (!InnerFragmenter.TrySplit(ref packet, ref second, firstPayload, secondHeaderLength))
        {
            second.Drop(DropReason.ReplicaTooLarge, counters);
            emitter.Emit(in second);
            packet.Drop(DropReason.OverMtu, counters);
            return true;
        }

        counters.Count(ForwardingEvent.InnerPacketFragmented);
        EncapsulateAndTransmit(ref packet, in rloc, in outerSource, in adjacency, iid, flowHash, fromTunnel, counters, translatedPort);
        EncapsulateAndTransmit(ref second, in rloc, in outerSource, in adjacency, iid, flowHash, fromTunnel, counters, translatedPort);
        emitter.Emit(in second);
        return true;
    }

    /// <summary>The over-MTU case of <see cref="HandleIpv4"/>, rare, so the inner packet is read in full only here.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void HandleOverMtu(ref PacketDescriptor packet, int innerMtu, ref BatchState batch, WorkerCounters counters)
    {
        if (!InnerPacket.TryRead(ref packet, out var inner))
        {
            packet.Drop(DropReason.OverMtu, counters); // not reached: HandleIpv4 parsed the same header
            return;
        }

        HandleOverMtu(ref packet, in inner, innerMtu, ref batch, counters);
    }

    private void HandleOverMtu(ref PacketDescriptor packet, in InnerPacket inner, int innerMtu, ref BatchState batch, WorkerCounters counters)
    {
        // No ICMP error where the rules forbid one (about an ICMP error, a later fragment, a group address; RFC 1812
        // 4.3.2.7, RFC 4443 2.4 (e), which lets Packet Too Big answer a multicast packet), nor for a DF-clear IPv4 packet.
        if (!icmpWhenOverMtu || inner.IsIcmpError || (inner.IsV4 && !inner.DontFragment) || innerMtu <= 0
            || !IcmpErrorRules.MayReport(ref packet, toMulticastAllowed: !inner.IsV4))
        {
            packet.Drop(DropReason.OverMtu, counters);
            return;
        }

        var source = IcmpSource(packet.IngressPort, inner.IsV4, ref batch);
        if (source.Family == IpFamily.Unspecified || !icmpBudget.TryTake())
        {
            packet.Drop(DropReason.OverMtu, counters);
            return;
        }

        bool written = inner.IsV4
            ? IcmpErrorWriter.TryWriteFragmentationNeeded(ref packet, source.AsV4(), (ushort)Math.Min(innerMtu, ushort.MaxValue))
            : IcmpErrorWriter.TryWritePacketTooBig(ref packet, source.AsV6(), (uint)innerMtu);
        if (!written)
        {
            packet.Drop(DropReason.NoHeadroom, counters);
            return;
        }

        counters.Count(ForwardingEvent.IcmpTooBigSent); // left pending: the routing stage sends it back
    }

    /// <summary>
    /// The TTL / hop limit would reach 0 in the tunnel: the ITR is the hop that expired it, so the packet becomes ICMP
    /// Time Exceeded from the address of the port it came in on (the site-facing one, where traceroute sees the ITR),
    /// left pending for routing to send back into the site; dropped (TtlExpired) when no error may go out.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void SendTimeExceeded(ref PacketDescriptor packet, ref BatchState batch, WorkerCounters counters)
    {
        var source = IcmpSource(packet.IngressPort, packet.Kind == PacketKind.NativeIpv4, ref batch);
        if (!errors.TrySend(ref packet, IcmpErrorKind.TimeExceeded, source, counters))
        {
            packet.Drop(DropReason.TtlExpired, counters);
        }
    }

    private IpAddress IcmpSource(ushort ingressPort, bool v4, ref BatchState batch)
    {
        var byPort = v4 ? portIpv4Source : portIpv6Source;
        if (ingressPort < byPort.Length && byPort[ingressPort].Family != IpFamily.Unspecified)
        {
            return byPort[ingressPort];
        }

        return v4 ? batch.LocalRlocV4 : batch.LocalRlocV6;
    }

    private static void DecrementTimeToLive(ref PacketDescriptor packet, bool v4)
    {
        var ip = packet.Data[(packet.L3Offset - packet.DataOffset)..];
        if (v4)
        {
            Ipv4Header.TryCreate(ip, out var header);
            header.TryDecrementTimeToLive();
        }
        else
        {
            ip[7]--; // hop limit; no header checksum in IPv6
        }
    }

    private static void FindLocalRlocs(ReadOnlySpan<Locator> rlocs, out IpAddress v4, out IpAddress v6)
    {
        v4 = default;
        v6 = default;
        foreach (var rloc in rlocs)
        {
            if (rloc.Address.IsV4 && v4.Family == IpFamily.Unspecified)
            {
                v4 = rloc.Address;
            }
            else if (rloc.Address.IsV6 && v6.Family == IpFamily.Unspecified)
            {
                v6 = rloc.Address;
            }
        }
    }

    private static IpAddress FirstOfFamily(IReadOnlyList<IpAddress> addresses, IpFamily family)
    {
        foreach (var address in addresses)
        {
            if (address.Family == family)
            {
                return address;
            }
        }

        return default;
    }

    /// <summary>The tables and snapshots one batch works with.</summary>
    private struct BatchState
    {
        public LpmMapCacheIndex Index;

        // The map-cache tables of the instance the last packet was in (default = none taken yet).
        public MapCacheInstanceIndex Instance;
        public MapCacheView MapCache;
        public LocalEidSet LocalEids;
        public long Now;
        public uint NowUnit; // Now in MapCacheForwardingWord units

        // Instance 0, where RLOCs are reached, with the adjacency of the last RLOC.
        public UnderlayResolver Underlay;
        public IpAddress LocalRlocV4;
        public IpAddress LocalRlocV6;
        public Ipv4Address LocalRlocV4Value; // LocalRlocV4 as 32 bits, for the fused IPv4 path

    }
}
