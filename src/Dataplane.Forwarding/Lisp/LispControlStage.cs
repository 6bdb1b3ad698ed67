using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Stages;
using Dataplane.Tables.MapCache;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Headers;

namespace Dataplane.Forwarding.Lisp;

/// <summary>
/// LISP control (UDP 4342) in the data path, for every LISP role and the map-server: a message sent to one of our
/// addresses (an RLOC or a port address) is punted to the control plane (LispControlPunted). The classifier already
/// makes any other one (transit, or what our own control plane injects) a native packet; one that reaches this stage
/// all the same (a batch classified by port alone) is turned back into a native packet for routing (LispControlRouted).
/// </summary>
public sealed class LispControlStage(ForwardingPlane plane, LispTables? tables) : IBatchStage
{
    public string Name => "lisp-control";

    public PacketKinds Accepts => PacketKinds.LispControl;

    public void Run(Span<PacketDescriptor> packets, ReadOnlySpan<ushort> vector, WorkerCounters counters)
    {
        var database = tables?.LocalDatabase;
        var local = plane.LocalAddressSet;
        foreach (ushort i in vector)
        {
            Handle(ref packets[i], database, local, counters);
        }
    }

    private static void Handle(ref PacketDescriptor packet, LocalDatabase? database, Routing.LocalAddressSet local, WorkerCounters counters)
    {
        var buffer = packet.BufferSpan;
        int frameEnd = packet.DataOffset + packet.Length;
        int l3 = packet.L3Offset;
        if (l3 >= frameEnd)
        {
            packet.Drop(DropReason.MalformedUdp, counters);
            return;
        }

        var outer = buffer[l3..frameEnd];
        IpAddress destination;
        PacketKind native;
        if ((outer[0] >> 4) == 4 && Ipv4Header.TryCreate(outer, out var ipv4))
        {
            destination = ipv4.Destination;
            native = PacketKind.NativeIpv4;
        }
        else if (Ipv6Header.TryCreate(outer, out var ipv6))
        {
            destination = ipv6.Destination;
            native = PacketKind.NativeIpv6;
        }
        else
        {
            packet.Drop(DropReason.MalformedUdp, counters);
            return;
        }

        if (database?.IsLocalRloc(destination) == true || local.Contains(destination))
        {
            // Map-Requests, Map-Replies, Map-Notifies, RLOC probes: the control plane consumes them from the punt queue.
            packet.Punt();
            counters.Count(ForwardingEvent.LispControlPunted);
            return;
        }

        // Not for us: a transit router forwards it like any other UDP datagram.
        packet.Kind = native;
        counters.Count(ForwardingEvent.LispControlRouted);
    }
}

/// <summary>
/// Adds <see cref="LispControlStage"/> before the LISP data stages, and makes our RLOCs tunnel endpoints: LISP data and
/// control sent to an RLOC that is not a port address are still ours.
/// </summary>
public sealed class LispControlFeature(LispTables? tables) : IForwardingFeature, ITunnelEndpointFeature
{
    public int Order => StageOrder.LispControl;

    public IBatchStage CreateStage(ForwardingPlane plane) => new LispControlStage(plane, tables);

    public void AddTunnelEndpoints(TunnelEndpointsBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (tables is not null)
        {
            endpoints.AddRlocs(tables.LocalDatabase);
        }
    }

    public void ReclaimRetired()
    {
    }
}
