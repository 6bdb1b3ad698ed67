using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using Dataplane.Tables.Lpm;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Routing;

/// <summary>
/// The forwarding table for native (non-tunnelled) packets and for the underlay: per instance ID (VRF), an IPv4 and
/// an IPv6 LPM whose values index an immutable <see cref="Route"/> array. Instance 0 is the underlay, where RLOCs,
/// VTEPs and tunnel peers are reached. Readers use the lock-free LPMs and one volatile read of the route array;
/// writers are serialised and publish copy-on-write, like the map-cache.
/// </summary>
public sealed class Fib(NeighbourTable neighbours)
{
    private readonly Lock writeLock = new();
    private readonly LpmTableSet tables = new();
    private readonly Dictionary<EidPrefix, uint> slotOf = [];
    private readonly Queue<uint> freeSlots = new();
    private Route?[] routes = new Route?[16];
    private uint highWater;

    public int Count
    {
        get
        {
            lock (writeLock)
            {
                return slotOf.Count;
            }
        }
    }

    public void AddOrReplace(Route route)
    {
        ArgumentNullException.ThrowIfNull(route);
        if (route.NextHop is { } nextHop)
        {
            route = route with { Binding = neighbours.Bind(nextHop) };
        }

        lock (writeLock)
        {
            if (!slotOf.TryGetValue(route.Prefix, out uint slot))
            {
                slot = freeSlots.Count > 0 ? freeSlots.Dequeue() : highWater++;
                if (slot >= routes.Length)
                {
                    var grown = new Route?[routes.Length * 2];
                    routes.CopyTo(grown, 0);
                    Volatile.Write(ref routes, grown);
                }

                slotOf[route.Prefix] = slot;
            }

            // Publish the route before the LPM points at the slot, so a reader that finds the slot finds the route.
            Volatile.Write(ref routes[slot], route);
            var prefix = route.Prefix;
            if (prefix.Address.IsV4)
            {
                tables.GetOrCreateIpv4(prefix.InstanceId).AddOrReplace(prefix.Address.AsV4(), prefix.PrefixLength, slot);
            }
            else
            {
                tables.GetOrCreateIpv6(prefix.InstanceId).AddOrReplace(prefix.Address.AsV6(), prefix.PrefixLength, slot);
            }
        }
    }

    public bool Remove(EidPrefix prefix)
    {
        lock (writeLock)
        {
            if (!slotOf.Remove(prefix, out uint slot))
            {
                return false;
            }

            if (prefix.Address.IsV4)
            {
                tables.GetOrCreateIpv4(prefix.InstanceId).Remove(prefix.Address.AsV4(), prefix.PrefixLength);
            }
            else
            {
                tables.GetOrCreateIpv6(prefix.InstanceId).Remove(prefix.Address.AsV6(), prefix.PrefixLength);
            }

            Volatile.Write(ref routes[slot], null);
            freeSlots.Enqueue(slot);
            return true;
        }
    }

    /// <summary>True when a route was ever added in the instance (its LPM tables exist): the instance is one this box forwards in.</summary>
    public bool HasInstance(uint instanceId) => tables.TryGetIpv4(instanceId, out _) || tables.TryGetIpv6(instanceId, out _);

    /// <summary>The longest-prefix route for an IPv4 destination in an instance.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryLookup(uint instanceId, Ipv4Address destination, out Route? route)
    {
        route = null;
        return tables.TryGetIpv4(instanceId, out var table) && table.TryLookup(destination, out uint slot) && TryRoute(slot, out route);
    }

    /// <summary>The longest-prefix route for an IPv6 destination in an instance.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryLookup(uint instanceId, Ipv6Address destination, out Route? route)
    {
        route = null;
        return tables.TryGetIpv6(instanceId, out var table) && table.TryLookup(destination, out uint slot) && TryRoute(slot, out route);
    }

    public bool TryLookup(uint instanceId, IpAddress destination, out Route? route) =>
        destination.IsV4 ? TryLookup(instanceId, destination.AsV4(), out route) : TryLookup(instanceId, destination.AsV6(), out route);

    /// <summary>
    /// Route lookup plus neighbour lookup: the port and MACs to send a packet for <paramref name="destination"/>.
    /// Callers pass the neighbour snapshot and port table they took for the batch; the snapshot is only consulted
    /// for connected routes (a gateway route reads its <see cref="NextHopBinding"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ResolveResult TryResolve(uint instanceId, IpAddress destination, FrozenDictionary<IpAddress, Neighbour> neighbours, PortTable ports, out Adjacency adjacency) =>
        Resolve(TryLookup(instanceId, destination, out var route), route, destination, neighbours, ports, out adjacency);

    /// <summary>The instance's tables, looked up once: what a stage holds for a batch instead of probing per packet.</summary>
    public FibInstance Instance(uint instanceId)
    {
        tables.TryGetIpv4(instanceId, out var ipv4);
        tables.TryGetIpv6(instanceId, out var ipv6);
        return new FibInstance(this, instanceId, ipv4, ipv6);
    }

    /// <summary>The neighbour half of a resolve, shared by <see cref="TryResolve"/> and <see cref="FibInstance"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ResolveResult Resolve(bool found, Route? route, IpAddress destination, FrozenDictionary<IpAddress, Neighbour> neighbours, PortTable ports, out Adjacency adjacency)
    {
        adjacency = default;
        if (!found || !ports.TryGet(route!.Port, out var port))
        {
            return ResolveResult.NoRoute;
        }

        Neighbour neighbour;
        bool resolved = route.Binding is { } binding ? binding.TryGet(out neighbour) : neighbours.TryGetValue(destination, out neighbour);
        if (!resolved)
        {
            return ResolveResult.NoNeighbour;
        }

        adjacency = new Adjacency(port.Id, port.Mac, neighbour.Mac, port.Mtu);
        return ResolveResult.Resolved;
    }

    /// <summary>Frees LPM memory retired by removals; call at a quiescent point (no worker inside a lookup).</summary>
    public void ReclaimRetired()
    {
        lock (writeLock)
        {
            tables.ReclaimRetired();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool TryRoute(uint slot, out Route? route)
    {
        var array = Volatile.Read(ref routes);
        route = slot < (uint)array.Length ? Volatile.Read(ref array[slot]) : null;
        return route is not null;
    }
}
