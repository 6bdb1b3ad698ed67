using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Dataplane.Tables.Lpm;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Routing;

/// <summary>
/// One instance's FIB as a batch sees it: the instance's LPM tables looked up once (one frozen-dictionary probe per
/// family per batch instead of one per packet), the routes still read live through the <see cref="Fib"/> so a route
/// published during the batch is found exactly as <see cref="Fib.TryResolve"/> would find it. Take one with
/// <see cref="Fib.Instance(uint)"/> per batch (or when a packet's instance differs from the last one's).
/// </summary>
public readonly struct FibInstance
{
    private readonly Fib? fib;
    private readonly Ipv4LpmTable? ipv4;
    private readonly Ipv6LpmTable? ipv6;

    internal FibInstance(Fib fib, uint instanceId, Ipv4LpmTable? ipv4, Ipv6LpmTable? ipv6)
    {
        this.fib = fib;
        InstanceId = instanceId;
        this.ipv4 = ipv4;
        this.ipv6 = ipv6;
    }

    public uint InstanceId { get; }

    /// <summary>True when this view was taken from a FIB (default(FibInstance) is none).</summary>
    public bool IsValid => fib is not null;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryLookup(Ipv4Address destination, out Route? route)
    {
        route = null;
        return ipv4 is not null && ipv4.TryLookup(destination, out uint slot) && fib!.TryRoute(slot, out route);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryLookup(Ipv6Address destination, out Route? route)
    {
        route = null;
        return ipv6 is not null && ipv6.TryLookup(destination, out uint slot) && fib!.TryRoute(slot, out route);
    }

    /// <summary>Same result as <see cref="Fib.TryResolve"/> for this instance; the IPv4 path without the family dispatch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ResolveResult TryResolve(Ipv4Address destination, FrozenDictionary<IpAddress, Neighbour> neighbours, PortTable ports, out Adjacency adjacency) =>
        Fib.Resolve(TryLookup(destination, out var route), route, destination, neighbours, ports, out adjacency);

    /// <summary>
    /// Where <paramref name="destination"/> is routed when its next hop has no neighbour entry: the route's next hop and
    /// egress port, so the caller can ask for the next hop's MAC (glean). Off the fast path.
    /// </summary>
    public bool TryFindNextHop(IpAddress destination, PortTable ports, out IpAddress nextHop, [NotNullWhen(true)] out PortInfo? port)
    {
        nextHop = default;
        port = null;
        bool found = destination.IsV4 ? TryLookup(destination.AsV4(), out var route) : TryLookup(destination.AsV6(), out route);
        if (!found || route is null || !ports.TryGet(route.Port, out port))
        {
            return false;
        }

        nextHop = route.NextHopFor(destination);
        return true;
    }

    /// <summary>Same result as <see cref="Fib.TryResolve"/> for this instance.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ResolveResult TryResolve(IpAddress destination, FrozenDictionary<IpAddress, Neighbour> neighbours, PortTable ports, out Adjacency adjacency)
    {
        bool found = destination.IsV4 ? TryLookup(destination.AsV4(), out var route) : TryLookup(destination.AsV6(), out route);
        return Fib.Resolve(found, route, destination, neighbours, ports, out adjacency);
    }
}
