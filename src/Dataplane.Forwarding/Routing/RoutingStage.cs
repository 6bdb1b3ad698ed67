using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Neighbours;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Icmp;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Stages;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Headers;

namespace Dataplane.Forwarding.Routing;

/// <summary>
/// The last stage: forwards native IPv4/IPv6 packets that no tunnel stage took, by the FIB of their instance.
/// Packets to one of our own addresses are punted (they are for the control plane / host stack). Otherwise:
/// TTL/hop limit 1 or less is not forwarded (RFC 1812 section 5.3.1) and a destination without a route cannot be:
/// each becomes the ICMP error that says so (Time Exceeded; Destination Unreachable, net unreachable / no route),
/// built in the packet's own buffer from the ingress port's address and routed back here at once
/// (<see cref="IcmpErrorSender"/>: rules, rate limit, counters); when no error may go out the packet is dropped
/// (TtlExpired, NoRoute). The TTL is decremented with an RFC 1624 incremental checksum update; a packet larger than
/// the egress MTU is dropped (OverMtu; we do not fragment); the Ethernet header is written fresh from the neighbour
/// table (VLAN tags of the ingress frame are not carried over), in place when the packet still has its L2 header,
/// in the headroom when a decapsulation stage stripped it.
/// </summary>
public sealed class RoutingStage(ForwardingPlane plane) : IBatchStage
{
    private readonly NeighbourSolicitor solicitor = new(plane.Options.Clock);
    private readonly IcmpErrorSender errors = IcmpErrorSender.ForStage(plane);

    public string Name => "routing";

    public PacketKinds Accepts => PacketKinds.NativeIp;

    public void Run(Span<PacketDescriptor> packets, ReadOnlySpan<ushort> vector, WorkerCounters counters)
    {
        var fib = plane.Fib;
        var ports = plane.Ports;
        var local = plane.LocalAddressSet;
        var neighbours = plane.Neighbours.Snapshot;

        // The instance's tables are looked up when the instance changes, not per packet: a batch is usually all
        // one instance (one ingress port, or one tunnel).
        var instance = default(FibInstance);
        var resolver = default(UnderlayResolver);
        foreach (ushort i in vector)
        {
            ref var packet = ref packets[i];
            if (!instance.IsValid || instance.InstanceId != packet.InstanceId)
            {
                instance = fib.Instance(packet.InstanceId);
                resolver = UnderlayResolver.For(instance, neighbours, ports);
            }

            var reason = packet.Kind == PacketKind.NativeIpv4
                ? RouteIpv4(ref packet, local, ref resolver)
                : RouteIpv6(ref packet, in instance, ports, local, neighbours);
            if (reason == DropReason.NoNeighbour && TrySolicit(ref packet, in instance, ports))
            {
                counters.Count(ForwardingEvent.NeighbourRequestSent);
                continue;
            }

            if (reason is DropReason.TtlExpired or DropReason.NoRoute)
            {
                SendErrorOrDrop(ref packet, reason, local, ref resolver, in instance, ports, neighbours, counters);
            }
            else if (reason != DropReason.None)
            {
                packet.Drop(reason, counters);
            }
            else if (packet.Disposition == PacketDisposition.Transmit)
            {
                counters.Count(ForwardingEvent.Routed);
            }
        }
    }

    /// <summary>
    /// The packet cannot be forwarded: it becomes the ICMP error about it, which is routed back toward its source now
    /// (this is the last stage), or, when no error may go out, it is dropped under <paramref name="reason"/>. An error
    /// that cannot be routed is dropped under its own reason; no error is ever sent about it (it is one).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void SendErrorOrDrop(ref PacketDescriptor packet, DropReason reason, LocalAddressSet local, ref UnderlayResolver resolver,
        in FibInstance instance, PortTable ports, FrozenDictionary<IpAddress, Neighbour> neighbours, WorkerCounters counters)
    {
        var kind = reason == DropReason.TtlExpired ? IcmpErrorKind.TimeExceeded : IcmpErrorKind.NoRoute;
        if (!errors.TrySend(ref packet, kind, counters))
        {
            packet.Drop(reason, counters);
            return;
        }

        var errorReason = packet.Kind == PacketKind.NativeIpv4
            ? RouteIpv4(ref packet, local, ref resolver)
            : RouteIpv6(ref packet, in instance, ports, local, neighbours);
        if (errorReason == DropReason.NoNeighbour && TrySolicit(ref packet, in instance, ports))
        {
            counters.Count(ForwardingEvent.NeighbourRequestSent);
        }
        else if (errorReason != DropReason.None)
        {
            packet.Drop(errorReason, counters);
        }
        else if (packet.Disposition == PacketDisposition.Transmit)
        {
            counters.Count(ForwardingEvent.Routed);
        }
    }

    private static DropReason RouteIpv4(ref PacketDescriptor packet, LocalAddressSet local, ref UnderlayResolver resolver)
    {
        int l3 = packet.L3Offset - packet.DataOffset;
        if (l3 < 0 || l3 >= packet.Length)
        {
            return DropReason.InnerHeaderMalformed;
        }

        var ip = packet.Data[l3..];
        if (!Ipv4Header.TryCreate(ip, out var ipv4))
        {
            return DropReason.MalformedIpv4;
        }

        var destination = ipv4.Destination;
        if (local.Contains(destination))
        {
            packet.Punt();
            return DropReason.None;
        }

        // Decapsulated traffic goes to a few site hosts: the resolver remembers the last one's adjacency.
        var unresolved = resolver.Resolve(destination, out var adjacency);
        if (unresolved != DropReason.None)
        {
            return unresolved;
        }

        if (ipv4.TotalLength > adjacency.Mtu)
        {
            return DropReason.OverMtu;
        }

        if (!ipv4.TryDecrementTimeToLive())
        {
            return DropReason.TtlExpired;
        }

        return Transmit(ref packet, l3, adjacency, EtherType.Ipv4);
    }

    private static DropReason RouteIpv6(ref PacketDescriptor packet, in FibInstance fib, PortTable ports, LocalAddressSet local,
        FrozenDictionary<IpAddress, Neighbour> neighbours)
    {
        int l3 = packet.L3Offset - packet.DataOffset;
        if (l3 < 0 || l3 >= packet.Length)
        {
            return DropReason.InnerHeaderMalformed;
        }

        var ip = packet.Data[l3..];
        if (!Ipv6Header.TryCreate(ip, out var ipv6))
        {
            return DropReason.MalformedIpv6;
        }

        IpAddress destination = ipv6.Destination;
        if (local.Contains(destination))
        {
            packet.Punt();
            return DropReason.None;
        }

        var resolved = fib.TryResolve(destination, neighbours, ports, out var adjacency);
        if (resolved != ResolveResult.Resolved)
        {
            return resolved.AsDropReason();
        }

        if (Ipv6Header.Length + ipv6.PayloadLength > adjacency.Mtu)
        {
            return DropReason.OverMtu;
        }

        if (ipv6.HopLimit <= 1)
        {
            return DropReason.TtlExpired;
        }

        ipv6.HopLimit--;
        return Transmit(ref packet, l3, adjacency, EtherType.Ipv6);
    }

    /// <summary>No neighbour for the next hop: turn the packet into an ARP request / neighbour solicitation for it.</summary>
    private bool TrySolicit(ref PacketDescriptor packet, in FibInstance fib, PortTable ports)
    {
        var ip = packet.BufferSpan[packet.L3Offset..(packet.DataOffset + packet.Length)];
        IpAddress destination;
        if (packet.Kind == PacketKind.NativeIpv4)
        {
            Ipv4Header.TryCreate(ip, out var ipv4);
            destination = ipv4.Destination;
        }
        else
        {
            Ipv6Header.TryCreate(ip, out var ipv6);
            destination = ipv6.Destination;
        }

        return fib.TryFindNextHop(destination, ports, out var nextHop, out var port) && solicitor.TrySolicit(ref packet, nextHop, port);
    }

    private static DropReason Transmit(ref PacketDescriptor packet, int l3, in Adjacency adjacency, ushort etherType)
    {
        if (!TryWriteEthernet(ref packet, l3, adjacency, etherType))
        {
            return DropReason.NoHeadroom;
        }

        packet.Transmit(adjacency.Port);
        return DropReason.None;
    }

    /// <summary>Makes the frame start with exactly one untagged Ethernet header in front of the IP header, and fills it.</summary>
    internal static bool TryWriteEthernet(ref PacketDescriptor packet, int l3, in Adjacency adjacency, ushort etherType)
    {
        int extra = l3 - EthernetHeader.Length;
        if (extra > 0)
        {
            packet.TryAdjust(extra);
        }
        else if (extra < 0 && !packet.TryPrepend(-extra, out _))
        {
            return false;
        }

        EthernetHeader.TryCreateForWrite(packet.Data, out var ethernet);
        ethernet.Destination = adjacency.DestinationMac;
        ethernet.Source = adjacency.SourceMac;
        ethernet.EtherType = etherType;
        packet.L2Offset = (ushort)packet.DataOffset;
        return true;
    }
}
