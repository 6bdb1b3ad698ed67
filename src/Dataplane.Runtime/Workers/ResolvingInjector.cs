using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Routing;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Headers;

namespace Dataplane.Runtime.Workers;

/// <summary>
/// The control plane's way into the <see cref="InjectionPort"/>, for packets toward a next hop whose MAC is not known
/// yet. The worker turns such a packet into the ARP / ND request for the next hop (glean), so without this the first
/// control message to a new peer would be lost: a Map-Reply, an SMR or a forwarded Map-Request, each costing the
/// peer a retransmission interval (Open Overlay Router waits 2 s). Such a packet is kept here and injected once more
/// when the neighbour is learned, for at most <see cref="HoldMilliseconds"/>; packets toward resolved next hops (and
/// toward no route at all) are not kept.
/// </summary>
/// <remarks>
/// Used on the control thread only: the LISP control plane sends from its timers, its punt handler and the calls the
/// control socket hands it, all there, and <see cref="OnTick"/> runs there; so it takes no lock. Bounded: at most
/// <see cref="PendingLimit"/> packets are kept. Should the neighbour be learned between the check and the worker's
/// turn, the peer gets the message twice; control messages carry nonces, so the second is dropped as unmatched or
/// replayed.
/// </remarks>
public sealed class ResolvingInjector(ForwardingPlane plane, InjectionPort injection) : IControlPlaneService
{
    /// <summary>How long a packet waits for its next hop to be resolved: several ARP attempts (4 a second per next hop).</summary>
    public const long HoldMilliseconds = 1000;

    /// <summary>Packets kept at most; beyond, a packet toward an unresolved next hop is only gleaned, as before.</summary>
    public const int PendingLimit = 256;

    private readonly List<Held> held = [];

    /// <summary>Packets injected a second time once their next hop was learned.</summary>
    public long Resent { get; private set; }

    /// <summary>Packets kept, waiting for their next hop.</summary>
    public int Pending => held.Count;

    /// <summary>Injects a bare IP packet for worker 0 and keeps it when its next hop is not resolved; false when the port refused it.</summary>
    public bool TryInject(byte[] ipPacket)
    {
        if (!injection.TryInject(ipPacket))
        {
            return false;
        }

        if (held.Count < PendingLimit && TryReadDestination(ipPacket, out var destination)
            && UnderlayResolver.ForBatch(plane).Resolve(destination, out _) == DropReason.NoNeighbour)
        {
            held.Add(new Held(ipPacket, destination, Environment.TickCount64 + HoldMilliseconds));
        }

        return true;
    }

    public void OnPunt(in PacketDescriptor packet)
    {
    }

    public void OnTick(long nowMilliseconds)
    {
        if (held.Count == 0)
        {
            return;
        }

        var resolver = UnderlayResolver.ForBatch(plane);
        held.RemoveAll(packet =>
        {
            if (resolver.Resolve(packet.Destination, out _) == DropReason.None)
            {
                if (injection.TryInject(packet.IpPacket))
                {
                    Resent++;
                }

                return true;
            }

            return nowMilliseconds >= packet.GiveUpAt;
        });
    }

    /// <summary>The destination of a bare IPv4 or IPv6 packet, through the checked header views.</summary>
    private static bool TryReadDestination(byte[] ipPacket, out IpAddress destination)
    {
        destination = default;
        if (ipPacket.Length > 0 && ipPacket[0] >> 4 == 4 && Ipv4Header.TryCreate(ipPacket, out var ipv4))
        {
            destination = ipv4.Destination;
            return true;
        }

        if (ipPacket.Length > 0 && ipPacket[0] >> 4 == 6 && Ipv6Header.TryCreate(ipPacket, out var ipv6))
        {
            destination = ipv6.Destination;
            return true;
        }

        return false;
    }

    private readonly record struct Held(byte[] IpPacket, IpAddress Destination, long GiveUpAt);
}
