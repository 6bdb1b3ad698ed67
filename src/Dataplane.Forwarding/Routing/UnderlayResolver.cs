using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Routing;

/// <summary>
/// What a stage needs per batch to put a packet on the wire: one instance's FIB tables (the underlay, instance 0, for
/// the encapsulating stages; the packet's own for routing), the neighbour snapshot and the ports, taken once per
/// batch, and the adjacency of the last destination resolved, because traffic comes in runs toward one RLOC / VTEP /
/// GTP-U peer / site host; and, for IPv4, the adjacency of the last route through a gateway, which is the same for
/// every destination behind it (decapsulated traffic to many data-network hosts through one gateway). A FIB or
/// neighbour change takes effect from the next batch, like every other per-batch read.
/// </summary>
public struct UnderlayResolver
{
    private FibInstance underlay;
    private FrozenDictionary<IpAddress, Neighbour> neighbours;
    private PortTable ports;
    private IpAddress last;
    private DropReason lastResult;
    private Adjacency lastAdjacency;
    private bool hasLast;

    // The last IPv4 destination apart, compared as 32 bits rather than as a 32-byte IpAddress.
    private uint lastV4;
    private DropReason lastV4Result;
    private Adjacency lastV4Adjacency;
    private bool hasLastV4;

    // Optionally, every IPv4 destination of the batch (per worker and stage); null: the last one only.
    private AdjacencyMemory? memory;

    // The last route with a next hop (its adjacency depends on the route alone, not on the destination).
    private Route? lastGateway;
    private DropReason lastGatewayResult;
    private Adjacency lastGatewayAdjacency;

    /// <summary>A resolver toward the underlay (instance 0) for one batch; <paramref name="memory"/> as in <see cref="For"/>.</summary>
    public static UnderlayResolver ForBatch(ForwardingPlane plane, AdjacencyMemory? memory = null) =>
        For(plane.Fib.Instance(0), plane.Neighbours.Snapshot, plane.Ports, memory);

    /// <summary>
    /// A resolver in <paramref name="instance"/>, with a batch's neighbour snapshot and ports; with
    /// <paramref name="memory"/>, it remembers every IPv4 destination of the batch, not only the last (the memory
    /// starts a new batch here).
    /// </summary>
    public static UnderlayResolver For(FibInstance instance, FrozenDictionary<IpAddress, Neighbour> neighbours, PortTable ports,
        AdjacencyMemory? memory = null)
    {
        memory?.BeginBatch();
        return new UnderlayResolver
        {
            underlay = instance,
            neighbours = neighbours,
            ports = ports,
            memory = memory,
        };
    }

    /// <summary>The adjacency toward a destination, or why there is none (NoRoute / NoNeighbour).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public DropReason Resolve(IpAddress destination, out Adjacency adjacency)
    {
        if (destination.IsV4)
        {
            return Resolve(destination.AsV4(), out adjacency);
        }

        if (!hasLast || destination != last)
        {
            lastResult = underlay.TryResolve(destination, neighbours, ports, out lastAdjacency).AsDropReason();
            last = destination;
            hasLast = true;
        }

        adjacency = lastAdjacency;
        return lastResult;
    }

    /// <summary>The adjacency toward an IPv4 destination, or why there is none (NoRoute / NoNeighbour).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public DropReason Resolve(Ipv4Address destination, out Adjacency adjacency)
    {
        if (!hasLastV4 || destination.Value != lastV4)
        {
            if (memory is null || !memory.TryGet(destination.Value, out lastV4Result, out lastV4Adjacency))
            {
                lastV4Result = ResolveIpv4(destination, out lastV4Adjacency);
                memory?.Put(destination.Value, lastV4Result, in lastV4Adjacency);
            }

            lastV4 = destination.Value;
            hasLastV4 = true;
        }

        adjacency = lastV4Adjacency;
        return lastV4Result;
    }

    // One call of the general resolve, as before, so the resolver inlines into its callers no bigger than it was.
    private DropReason ResolveIpv4(Ipv4Address destination, out Adjacency adjacency)
    {
        bool found = underlay.TryLookup(destination, out var route);
        bool gateway = found && route!.Binding is not null;
        if (gateway && ReferenceEquals(route, lastGateway))
        {
            adjacency = lastGatewayAdjacency;
            return lastGatewayResult;
        }

        var result = Fib.Resolve(found, route, destination, neighbours, ports, out adjacency).AsDropReason();
        if (gateway)
        {
            lastGateway = route;
            lastGatewayAdjacency = adjacency;
            lastGatewayResult = result;
        }

        return result;
    }

    /// <summary>Where an outer destination that resolved to NoNeighbour would go (<see cref="FibInstance.TryFindNextHop"/>).</summary>
    public readonly bool TryFindNextHop(IpAddress destination, out IpAddress nextHop, [NotNullWhen(true)] out PortInfo? port) =>
        underlay.TryFindNextHop(destination, ports, out nextHop, out port);
}
