using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Routing;

/// <summary>
/// What every encapsulating stage needs per batch to put an outer header on the wire: the underlay (instance 0) FIB
/// tables, the neighbour snapshot and the ports, taken once per batch, and the adjacency of the last outer
/// destination resolved, because tunnelled traffic comes in runs toward one RLOC / VTEP / GTP-U peer. A FIB or
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

    /// <summary>A resolver for one batch.</summary>
    public static UnderlayResolver ForBatch(ForwardingPlane plane) => new()
    {
        underlay = plane.Fib.Instance(0),
        neighbours = plane.Neighbours.Snapshot,
        ports = plane.Ports,
    };

    /// <summary>The adjacency toward an outer destination, or why there is none (NoRoute / NoNeighbour).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public DropReason Resolve(IpAddress destination, out Adjacency adjacency)
    {
        if (!hasLast || destination != last)
        {
            var resolved = destination.IsV4
                ? underlay.TryResolve(destination.AsV4(), neighbours, ports, out lastAdjacency)
                : underlay.TryResolve(destination, neighbours, ports, out lastAdjacency);
            lastResult = resolved.AsDropReason();
            last = destination;
            hasLast = true;
        }

        adjacency = lastAdjacency;
        return lastResult;
    }

    /// <summary>Where an outer destination that resolved to NoNeighbour would go (<see cref="FibInstance.TryFindNextHop"/>).</summary>
    public readonly bool TryFindNextHop(IpAddress destination, out IpAddress nextHop, [NotNullWhen(true)] out PortInfo? port) =>
        underlay.TryFindNextHop(destination, ports, out nextHop, out port);
}
