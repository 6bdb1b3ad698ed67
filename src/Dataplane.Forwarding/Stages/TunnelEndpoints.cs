using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using Dataplane.Tables.MapCache;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Stages;

/// <summary>
/// Where this node terminates tunnels: the classifier asks it once a UDP destination port has named a tunnel (LISP
/// 4341 / 4342, VXLAN 4789, VXLAN-GPE 4790, GTP-U 2152, GTP-C 2123). A datagram on such a port is a tunnel packet only
/// when it is addressed to one of our endpoints; anything else on those ports is transit, plain IP that is routed,
/// encapsulated or bridged like any other packet.
/// <para>
/// The endpoints are the port addresses (they hold every VTEP and GTP-U local address and the map-server's, since the
/// configuration requires those to be port addresses) and the LISP RLOCs, which need not be port addresses and may be
/// replaced at run time (read from the <see cref="LocalDatabase"/> at each test, so a change is seen at once). A port
/// may be marked to classify some kinds by port alone: a bump in the wire (the TOF on S1-U / N3) must see GTP-U that
/// is addressed to others.
/// </para>
/// <para>
/// Immutable, built once with the plane. The IPv4 test is a scan of a few plain integers, no hashing (a box has a
/// handful of addresses, as in <see cref="Routing.LocalAddressSet"/>), after the per-port exception (one compare when
/// there is none); the RLOCs are looked at, out of line, only when the port addresses did not match.
/// </para>
/// </summary>
public sealed class TunnelEndpoints
{
    private readonly uint[] ipv4;
    private readonly FrozenSet<IpAddress> addresses;
    private readonly LocalDatabase[] rlocs;
    private readonly ushort[] kindsByPortAlone;
    private readonly bool everyDestination;

    public TunnelEndpoints(IEnumerable<IpAddress> addresses, IEnumerable<LocalDatabase> rlocs, IReadOnlyDictionary<ushort, PacketKinds> kindsByPortAlone)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        ArgumentNullException.ThrowIfNull(rlocs);
        ArgumentNullException.ThrowIfNull(kindsByPortAlone);
        this.addresses = addresses.ToFrozenSet();
        ipv4 = [.. this.addresses.Where(a => a.IsV4).Select(a => a.AsV4().Value)];
        this.rlocs = [.. rlocs.Distinct()];
        this.kindsByPortAlone = new ushort[kindsByPortAlone.Count == 0 ? 0 : kindsByPortAlone.Keys.Max() + 1];
        foreach (var (port, kinds) in kindsByPortAlone)
        {
            this.kindsByPortAlone[port] = (ushort)kinds;
        }
    }

    private TunnelEndpoints()
    {
        ipv4 = [];
        addresses = FrozenSet<IpAddress>.Empty;
        rlocs = [];
        kindsByPortAlone = [];
        everyDestination = true;
    }

    /// <summary>
    /// Every destination is ours: tunnels are told by their UDP port alone. For a stage tested on its own, whose
    /// own checks (the RLOC, the VTEP address, the local GTP-U address) then decide.
    /// </summary>
    public static TunnelEndpoints ByPortAlone { get; } = new();

    /// <summary>The port addresses only, no RLOC beyond them, no port exception.</summary>
    public static TunnelEndpoints OfAddresses(IEnumerable<IpAddress> addresses) =>
        new(addresses, [], new Dictionary<ushort, PacketKinds>());

    /// <summary>True when a tunnel packet of <paramref name="kind"/> to this IPv4 address, received on <paramref name="ingress"/>, is ours to terminate.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Terminates(ushort ingress, PacketKind kind, uint ipv4Destination)
    {
        // The port exception first: on a TOF's S1 port nearly every packet is GTP-U to others, and a plane without
        // exceptions pays one compare against an empty array for it.
        if (IsClassifiedByPortAlone(ingress, kind))
        {
            return true;
        }

        foreach (uint local in ipv4)
        {
            if (local == ipv4Destination)
            {
                return true;
            }
        }

        return TerminatesBeyondPortAddresses(ipv4Destination);
    }

    /// <summary>The same test for a destination of either family (the general path, IPv6 included).</summary>
    public bool Terminates(ushort ingress, PacketKind kind, in IpAddress destination)
    {
        if (destination.IsV4)
        {
            return Terminates(ingress, kind, destination.AsV4().Value);
        }

        if (everyDestination || addresses.Contains(destination) || IsClassifiedByPortAlone(ingress, kind))
        {
            return true;
        }

        foreach (var database in rlocs)
        {
            if (database.IsLocalRloc(destination))
            {
                return true;
            }
        }

        return false;
    }

    // Out of line: transit traffic on a tunnel port, or an RLOC that is not a port address.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TerminatesBeyondPortAddresses(uint ipv4Destination)
    {
        if (everyDestination)
        {
            return true;
        }

        foreach (var database in rlocs)
        {
            foreach (uint rloc in database.Ipv4Rlocs)
            {
                if (rloc == ipv4Destination)
                {
                    return true;
                }
            }
        }

        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsClassifiedByPortAlone(ushort ingress, PacketKind kind) =>
        ingress < kindsByPortAlone.Length && (kindsByPortAlone[ingress] & (1 << (int)kind)) != 0;
}
