using System.Collections.Frozen;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Stages;
using Dataplane.Tables.MapCache;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Headers;

namespace Dataplane.Forwarding.Routing;

/// <summary>
/// The last stage: forwards native IPv4/IPv6 packets that no tunnel stage took, by the FIB of their instance.
/// Packets to one of our own addresses are punted (they are for the control plane / host stack). Otherwise:
/// TTL/hop limit 1 or less is dropped (TtlExpired); the TTL is decremented with an RFC 1624 incremental
/// checksum update; a packet larger than the egress MTU is dropped (OverMtu; we do not fragment); the Ethernet
/// header is written fresh from the neighbour table (VLAN tags of the ingress frame are not carried over), in
/// place when the packet still has its L2 header, in the headroom when a decapsulation stage stripped it.
/// </summary>
public sealed class RoutingStage(ForwardingPlane plane) : IBatchStage
{
    public string Name => "routing";

    public void Run(Span<PacketDescriptor> packets, WorkerCounters counters)
    {
        var fib = plane.Fib;
        var ports = plane.Ports;
        var local = plane.LocalAddresses;
        var neighbours = plane.Neighbours.Snapshot;
        for (int i = 0; i < packets.Length; i++)
        {
            ref var packet = ref packets[i];
            if (!packet.IsPending() || (PacketKind)packet.Kind is not (PacketKind.NativeIpv4 or PacketKind.NativeIpv6))
            {
                continue;
            }

            var reason = Route(ref packet, fib, ports, local, neighbours);
            if (reason != DropReason.None)
            {
                packet.Drop(reason, counters);
            }
            else if (packet.Disposition == PacketDisposition.Transmit)
            {
                counters.Count(ForwardingEvent.Routed);
            }
        }
    }

    private static DropReason Route(ref PacketDescriptor packet, Fib fib, PortTable ports, FrozenSet<IpAddress> local,
        FrozenDictionary<IpAddress, Neighbour> neighbours)
    {
        int l3 = packet.L3Offset - packet.DataOffset;
        if (l3 < 0 || l3 >= packet.Length)
        {
            return DropReason.InnerHeaderMalformed;
        }

        var ip = packet.Data[l3..];
        IpAddress destination;
        int packetLength;
        ushort etherType;
        if ((PacketKind)packet.Kind == PacketKind.NativeIpv4)
        {
            if (!Ipv4Header.TryCreate(ip, out var ipv4))
            {
                return DropReason.MalformedIpv4;
            }

            destination = ipv4.Destination;
            packetLength = ipv4.TotalLength;
            etherType = EtherType.Ipv4;
        }
        else
        {
            if (!Ipv6Header.TryCreate(ip, out var ipv6))
            {
                return DropReason.MalformedIpv6;
            }

            destination = ipv6.Destination;
            packetLength = Ipv6Header.Length + ipv6.PayloadLength;
            etherType = EtherType.Ipv6;
        }

        if (local.Contains(destination))
        {
            packet.Punt();
            return DropReason.None;
        }

        var resolved = fib.TryResolve(packet.InstanceId, destination, neighbours, ports, out var adjacency);
        if (resolved != ResolveResult.Resolved)
        {
            return resolved == ResolveResult.NoRoute ? DropReason.NoRoute : DropReason.NoNeighbour;
        }

        if (packetLength > adjacency.Mtu)
        {
            return DropReason.OverMtu;
        }

        if (etherType == EtherType.Ipv4)
        {
            Ipv4Header.TryCreate(ip, out var ipv4);
            if (!ipv4.TryDecrementTimeToLive())
            {
                return DropReason.TtlExpired;
            }
        }
        else
        {
            Ipv6Header.TryCreate(ip, out var ipv6);
            if (ipv6.HopLimit <= 1)
            {
                return DropReason.TtlExpired;
            }

            ipv6.HopLimit--;
        }

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
