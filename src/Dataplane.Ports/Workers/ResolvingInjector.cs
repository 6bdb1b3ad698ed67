using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Routing;
using Dataplane.Tables.MapCache;
using Dataplane.Wire.Addresses;

namespace Dataplane.Ports.Workers;

/// <summary>
/// The control plane's way into the <see cref="InjectionPort"/>, for packets toward a next hop whose MAC is not known
/// yet. The worker turns such a packet into the ARP / ND request for the next hop (glean), so without this the first
/// control message to a new peer would be lost: a Map-Reply, an SMR or a forwarded Map-Request, each costing the
/// peer a retransmission interval (Open Overlay Router waits 2 s). Such a packet is kept here and injected once more
/// when the neighbour is learned, for at most <see cref="HoldMilliseconds"/>; packets toward resolved next hops (and
/// toward no route at all) are not kept.
/// </summary>
/// <remarks>
/// Called on the control thread (the LISP control plane sends from its timers and its punt handler there, and
/// <see cref="OnTick"/> runs there), and bounded: at most <see cref="PendingLimit"/> packets are kept. Should the
/// neighbour be learned between the check and the worker's turn, the peer gets the message twice; control messages
/// carry nonces, so the second is dropped as unmatched or replayed.
/// </remarks>
public sealed class ResolvingInjector(ForwardingPlane plane, InjectionPort injection) : IControlPlaneService
{
    /// <summary>How long a packet waits for its next hop to be resolved: several ARP attempts (4 a second per next hop).</summary>
    public const long HoldMilliseconds = 1000;

    /// <summary>Packets kept at most; beyond, a packet toward an unresolved next hop is only gleaned, as before.</summary>
    public const int PendingLimit = 256;

    private readonly List<Held> held = [];
    private readonly Lock gate = new();
    private long resent;

    /// <summary>Packets injected a second time once their next hop was learned.</summary>
    public long Resent => Interlocked.Read(ref resent);

    public int Pending
    {
        get
        {
            lock (gate)
            {
                return held.Count;
            }
        }
    }

    /// <summary>Injects a bare IP packet for worker 0 and keeps it when its next hop is not resolved; false when the port refused it.</summary>
    public bool TryInject(byte[] ipPacket)
    {
        if (!injection.TryInject(ipPacket))
        {
            return false;
        }

        if (TryReadDestination(ipPacket, out var destination) && Resolve(destination) == DropReason.NoNeighbour)
        {
            lock (gate)
            {
                if (held.Count < PendingLimit)
                {
                    held.Add(new Held(ipPacket, destination, Environment.TickCount64 + HoldMilliseconds));
                }
            }
        }

        return true;
    }

    public void OnPunt(in PacketDescriptor packet)
    {
    }

    public void OnTick(long nowMilliseconds)
    {
        lock (gate)
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
                        Interlocked.Increment(ref resent);
                    }

                    return true;
                }

                return nowMilliseconds >= packet.GiveUpAt;
            });
        }
    }

    private DropReason Resolve(IpAddress destination) => UnderlayResolver.ForBatch(plane).Resolve(destination, out _);

    /// <summary>The destination of a bare IPv4 or IPv6 packet; false when it is too short to have one.</summary>
    private static bool TryReadDestination(ReadOnlySpan<byte> ipPacket, out IpAddress destination)
    {
        destination = default;
        if (ipPacket.Length >= 20 && ipPacket[0] >> 4 == 4)
        {
            destination = Ipv4Address.Read(ipPacket[16..20]);
            return true;
        }

        if (ipPacket.Length >= 40 && ipPacket[0] >> 4 == 6)
        {
            destination = Ipv6Address.Read(ipPacket[24..40]);
            return true;
        }

        return false;
    }

    private readonly record struct Held(byte[] IpPacket, IpAddress Destination, long GiveUpAt);
}
