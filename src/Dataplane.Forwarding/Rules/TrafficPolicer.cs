using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Dataplane.Forwarding.Rules;

/// <summary>
/// A rule's rate limit: a token bucket per rate (packets, bytes), one for the rule, or one per UE in a bounded
/// lock-free table. Shared by every worker; a bucket is one 64-bit word changed by compare-and-swap
/// (<see cref="TokenBucketRate.TryCharge"/>), so two workers together hold the configured rate. Time is the clock the
/// caller read once per batch, relative to the policer's creation, in 1/64 tick.
/// </summary>
public sealed class TrafficPolicer
{
    // Each word on a line of its own: the buckets are written by every worker.
    private const int LineLongs = 8;

    // A UE's slot is searched this far from its home before the UE is called an overflow.
    private const int ProbeWindow = 16;

    private readonly TokenBucketRate packets;
    private readonly TokenBucketRate bytes;
    private readonly long epoch;
    private readonly long[] ruleBuckets = new long[LineLongs * 3];

    // Per UE: the UE's key (0 = free) and its two bucket words, side by side: [key, packets, bytes, pad].
    private readonly long[]? ues;
    private readonly int ueMask;

    public TrafficPolicer(TrafficRateLimit limit, long frequency, long epoch, int uesPerRule)
    {
        ArgumentNullException.ThrowIfNull(limit);
        Limit = limit;
        this.epoch = epoch;
        if (limit.PacketsPerSecond > 0)
        {
            packets = new TokenBucketRate(limit.PacketsPerSecond, 1, limit.BurstPackets, frequency);
        }

        if (limit.BitsPerSecond > 0)
        {
            bytes = new TokenBucketRate(limit.BitsPerSecond, 8, limit.BurstBytes, frequency);
        }

        if (limit.Per == PolicerScope.Ue)
        {
            ues = new long[uesPerRule * 4];
            ueMask = uesPerRule - 1;
        }
    }

    public TrafficRateLimit Limit { get; }

    /// <summary>UEs that found no slot of their own and were policed by the shared overflow bucket.</summary>
    public long UeOverflows => Volatile.Read(ref ruleBuckets[LineLongs * 2]);

    /// <summary>Whether a packet of <paramref name="length"/> bytes conforms (and is charged); <paramref name="ue"/> is its UE's key (per-UE policers).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Admit(long now, int length, ulong ue)
    {
        long at = (now - epoch) << TokenBucketRate.Shift;
        if (ues is null)
        {
            return Charge(ref ruleBuckets[0], ref ruleBuckets[LineLongs], at, length);
        }

        int slot = FindUe(ue, at);
        if (slot < 0)
        {
            Interlocked.Increment(ref ruleBuckets[LineLongs * 2]);
            return Charge(ref ruleBuckets[0], ref ruleBuckets[LineLongs], at, length);
        }

        ref long entry = ref MemoryMarshal.GetArrayDataReference(ues);
        return Charge(ref Unsafe.Add(ref entry, slot + 1), ref Unsafe.Add(ref entry, slot + 2), at, length);
    }

    private bool Charge(ref long packetBucket, ref long byteBucket, long at, int length)
    {
        long packetCost = 0;
        if (packets.IsSet)
        {
            packetCost = packets.Cost(1);
            if (!TokenBucketRate.TryCharge(ref packetBucket, at, packetCost, packets.Depth))
            {
                return false;
            }
        }

        if (bytes.IsSet && !TokenBucketRate.TryCharge(ref byteBucket, at, bytes.Cost(length), bytes.Depth))
        {
            if (packetCost != 0)
            {
                TokenBucketRate.Refund(ref packetBucket, packetCost);
            }

            return false;
        }

        return true;
    }

    /// <summary>
    /// The UE's slot (index of its key word), found or taken within its probe window; a slot whose buckets are full
    /// again (idle for longer than a burst takes to refill) is taken over by a new UE. -1 when the window is busy.
    /// </summary>
    private int FindUe(ulong ue, long at)
    {
        long key = (long)(ue | 1UL << 63); // never 0
        ref long entry = ref MemoryMarshal.GetArrayDataReference(ues!);
        int home = (int)((ue * 0x9E3779B97F4A7C15UL) >> 40) & ueMask;
        int free = -1;
        for (int i = 0; i < ProbeWindow; i++)
        {
            int slot = ((home + i) & ueMask) * 4;
            long seen = Volatile.Read(ref Unsafe.Add(ref entry, slot));
            if (seen == key)
            {
                return slot;
            }

            if (free < 0 && (seen == 0 || IsIdle(ref Unsafe.Add(ref entry, slot), at)))
            {
                free = slot;
            }
        }

        if (free < 0)
        {
            return -1;
        }

        long previous = Volatile.Read(ref Unsafe.Add(ref entry, free));
        if (Interlocked.CompareExchange(ref Unsafe.Add(ref entry, free), key, previous) != previous)
        {
            return Volatile.Read(ref Unsafe.Add(ref entry, free)) == key ? free : -1; // another worker took it first
        }

        return free;
    }

    private bool IsIdle(ref long slot, long at) =>
        Volatile.Read(ref Unsafe.Add(ref slot, 1)) <= at - packets.Depth && Volatile.Read(ref Unsafe.Add(ref slot, 2)) <= at - bytes.Depth;
}
