using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Stages;
using Dataplane.Tables;
using Dataplane.Tables.Lpm;
using Dataplane.Tables.MapCache;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Lisp;

/// <summary>
/// Looks up a batch's map-cache destinations ahead of the encapsulation stage, warming the caches as it goes. With a
/// million EID prefixes and destinations spread over them, every IPv4 lookup is a chain of dependent misses (the
/// DIR-24-8 first-level entry, the slot's forwarding word, the entry when the word does not do), each a cache and TLB
/// miss: taken one packet at a time they stall in series (the throughput harness measured ~1.2 us per packet).
/// Issued a step at a time for the whole batch, each step's misses overlap: pass 1 prefetches every first-level entry,
/// pass 2 looks the destinations up (those entries have arrived) and prefetches the forwarding words, passes 3 and 4
/// prefetch the entries the words do not cover (the reference, then the object). The stage then takes the slots
/// pass 2 found (<see cref="TryGetLookup"/>) instead of looking up again. IPv6 destinations walk a multibit trie, each
/// level's entry depending on the one above: their walks run interleaved across the batch
/// (<see cref="Ipv6LpmTable.LookupBatchInterleaved"/>), so the misses of a level overlap. One per worker (it holds
/// per-batch scratch).
/// </summary>
internal sealed class MapCacheBatchLookup
{
    // What slots[] holds for a packet the passes did not look up, and for one they looked up and found nothing.
    private const uint NotCandidate = uint.MaxValue;
    private const uint Missed = uint.MaxValue - 1;

    // Below this many packets the passes cost more than the overlap saves (a small batch stalls little anyway).
    private const int MinimumBatch = 16;

    private readonly uint[] destinations = new uint[PacketBatch.MaxCapacity];
    private readonly uint[] slots = new uint[PacketBatch.MaxCapacity];
    private readonly uint[] entrySlots = new uint[PacketBatch.MaxCapacity];
    private readonly UInt128[] v6Destinations = new UInt128[PacketBatch.MaxCapacity];
    private readonly int[] v6Packets = new int[PacketBatch.MaxCapacity];
    private readonly uint[] v6Slots = new uint[PacketBatch.MaxCapacity];

    // How many of the vector's first packets slots[] speaks for (0 when the batch was too small to prefetch).
    private int lookedUp;

    /// <summary>Looks up (and prefetches the lookup chain of) every packet of <paramref name="vector"/> (native IP) the stage would look up.</summary>
    public void LookUp(Span<PacketDescriptor> packets, ReadOnlySpan<ushort> vector, LpmMapCacheIndex index, MapCacheView mapCache, bool servesNative, bool servesTunnel)
    {
        int count = Math.Min(vector.Length, slots.Length);
        lookedUp = 0;
        if (count < MinimumBatch)
        {
            return;
        }

        // Pass 1: IPv4 first-level entries prefetched; IPv6 destinations gathered (those of the first IPv6 packet's
        // instance: a batch is usually one instance, and the others simply go unprefetched).
        var instance = default(MapCacheInstanceIndex);
        int v6Count = 0;
        uint v6Instance = 0;
        for (int i = 0; i < count; i++)
        {
            ref var packet = ref packets[vector[i]];
            slots[i] = NotCandidate;
            if (!IsCandidate(ref packet, servesNative, servesTunnel))
            {
                continue;
            }

            if (packet.Kind == PacketKind.NativeIpv6)
            {
                if ((v6Count == 0 || packet.InstanceId == v6Instance) && TryReadDestination(ref packet, out UInt128 v6Destination))
                {
                    v6Instance = packet.InstanceId;
                    v6Destinations[v6Count] = v6Destination;
                    v6Packets[v6Count++] = i;
                }

                continue;
            }

            if (!TryReadDestination(ref packet, out uint destination))
            {
                continue;
            }

            index.Select(ref instance, packet.InstanceId);
            instance.Prefetch(new Ipv4Address(destination));
            destinations[i] = destination;
            slots[i] = 0;
        }

        // IPv6: the trie walks, interleaved across the batch; then the slots they lead to.
        if (v6Count > 0)
        {
            index.Select(ref instance, v6Instance);
            instance.LookupBatchInterleaved(v6Destinations.AsSpan(0, v6Count), v6Slots);
            for (int j = 0; j < v6Count; j++)
            {
                if (v6Slots[j] != Ipv6LpmTable.NoValue)
                {
                    mapCache.PrefetchSlot(v6Slots[j]);
                }
            }
        }

        // Pass 2: IPv4 lookups (their first-level entries have arrived), slots prefetched.
        for (int i = 0; i < count; i++)
        {
            if (slots[i] == NotCandidate)
            {
                continue;
            }

            index.Select(ref instance, packets[vector[i]].InstanceId);
            if (instance.TryLookup(new Ipv4Address(destinations[i]), out uint slot))
            {
                slots[i] = slot;
                mapCache.PrefetchSlot(slot);
            }
            else
            {
                slots[i] = Missed;
            }
        }

        for (int j = 0; j < v6Count; j++)
        {
            slots[v6Packets[j]] = v6Slots[j] == Ipv6LpmTable.NoValue ? Missed : v6Slots[j];
        }

        // Passes 3 and 4: the entries, in two steps (the reference, then the object it leads to). One with a
        // forwarding word is not read at all (MapCacheForwardingWord); the rest are.
        int entryCount = 0;
        for (int i = 0; i < count; i++)
        {
            if (slots[i] < Missed && mapCache.ForwardingWord(slots[i]) == MapCacheForwardingWord.None)
            {
                mapCache.PrefetchEntryReference(slots[i]);
                entrySlots[entryCount++] = slots[i];
            }
        }

        for (int j = 0; j < entryCount; j++)
        {
            mapCache.PrefetchEntry(entrySlots[j]);
        }

        lookedUp = count;
    }

    /// <summary>
    /// The map-cache lookup the passes made for the <paramref name="position"/>-th packet of the vector, so the stage
    /// does not repeat it: false when they did not look that packet up (the stage does); else whether a slot was found,
    /// and which. The passes ran at the start of this batch, against the tables the stage reads for it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGetLookup(int position, out bool found, out uint slot)
    {
        uint value = (uint)position < (uint)lookedUp ? slots[position] : NotCandidate;
        found = value < Missed;
        slot = found ? value : 0;
        return value != NotCandidate;
    }

    private static bool IsCandidate(ref PacketDescriptor packet, bool servesNative, bool servesTunnel) =>
        ((packet.Flags & PacketFlags.FromLispTunnel) != 0 ? servesTunnel : servesNative);

    private static bool TryReadDestination(ref PacketDescriptor packet, out UInt128 destination)
    {
        int l3 = packet.L3Offset - packet.DataOffset;
        var data = packet.Data;
        if (l3 < 0 || l3 + 40 > data.Length)
        {
            destination = 0;
            return false;
        }

        destination = BinaryPrimitives.ReadUInt128BigEndian(data[(l3 + 24)..]);
        return true;
    }

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
}
