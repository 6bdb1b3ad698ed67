using System.Buffers.Binary;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Stages;
using Dataplane.Tables;
using Dataplane.Tables.MapCache;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Lisp;

/// <summary>
/// Warms the caches for a batch's map-cache lookups before the encapsulation stage walks it. With a million EID
/// prefixes and destinations spread over them, every IPv4 lookup is a chain of three dependent misses (the DIR-24-8
/// first-level entry, the map-cache slot, the entry object when the slot's forwarding word does not do), each a cache and TLB miss: taken one packet at a time
/// they stall in series (the throughput harness measured ~1.2 us per packet). Issued a step at a time for the whole
/// batch, each step's misses overlap: pass 1 prefetches every first-level entry, pass 2 looks the destinations up
/// (those entries have arrived) and prefetches the slots, pass 3 prefetches the entries the forwarding words do not cover. The stage then repeats the
/// lookup on warm lines; the repeat costs a few nanoseconds, and keeps the per-packet path exactly as it was.
/// IPv6 destinations are left out: their trie walk depends on each node's contents, so there is no address to
/// prefetch ahead of it. One per worker (it holds per-batch scratch).
/// </summary>
internal sealed class MapCachePrefetcher
{
    private const uint NotCandidate = uint.MaxValue;

    // Below this many packets the passes cost more than the overlap saves (a small batch stalls little anyway).
    private const int MinimumBatch = 16;

    private readonly uint[] destinations = new uint[PacketBatch.MaxCapacity];
    private readonly uint[] slots = new uint[PacketBatch.MaxCapacity];

    /// <summary>Prefetches the lookup chain of every pending native IPv4 packet the stage would look up.</summary>
    public void Prefetch(Span<PacketDescriptor> packets, LpmMapCacheIndex index, MapCacheView mapCache, bool servesNative, bool servesTunnel)
    {
        int count = Math.Min(packets.Length, slots.Length);
        if (count < MinimumBatch)
        {
            return;
        }

        var instance = default(MapCacheInstanceIndex);
        for (int i = 0; i < count; i++)
        {
            ref var packet = ref packets[i];
            slots[i] = NotCandidate;
            if (!IsCandidate(ref packet, servesNative, servesTunnel) || !TryReadDestination(ref packet, out uint destination))
            {
                continue;
            }

            SelectInstance(ref instance, index, packet.InstanceId);
            instance.Prefetch(new Ipv4Address(destination));
            destinations[i] = destination;
            slots[i] = 0;
        }

        for (int i = 0; i < count; i++)
        {
            if (slots[i] == NotCandidate)
            {
                continue;
            }

            SelectInstance(ref instance, index, packets[i].InstanceId);
            if (instance.TryLookup(new Ipv4Address(destinations[i]), out uint slot))
            {
                slots[i] = slot;
                mapCache.PrefetchSlot(slot);
            }
            else
            {
                slots[i] = NotCandidate;
            }
        }

        for (int i = 0; i < count; i++)
        {
            // An entry with a forwarding word is not read at all (MapCacheForwardingWord); the rest are.
            if (slots[i] != NotCandidate && mapCache.ForwardingWord(slots[i]) == MapCacheForwardingWord.None)
            {
                mapCache.PrefetchEntry(slots[i]);
            }
        }
    }

    private static bool IsCandidate(ref PacketDescriptor packet, bool servesNative, bool servesTunnel) =>
        packet.IsPending()
        && (PacketKind)packet.Kind == PacketKind.NativeIpv4
        && ((packet.Flags & PacketFlags.FromLispTunnel) != 0 ? servesTunnel : servesNative);

    private static bool TryReadDestination(ref PacketDescriptor packet, out uint destination)
    {
        int l3 = packet.L3Offset - packet.DataOffset;
        var data = packet.Data;
        if (l3 < 0 || l3 + 20 > data.Length)
        {
            destination = 0;
            return false;
        }

        destination = BinaryPrimitives.ReadUInt32BigEndian(data[(l3 + 16)..]);
        return true;
    }

    private static void SelectInstance(ref MapCacheInstanceIndex instance, LpmMapCacheIndex index, uint instanceId)
    {
        if (!instance.IsValid || instance.InstanceId != instanceId)
        {
            instance = index.Instance(instanceId);
        }
    }
}
