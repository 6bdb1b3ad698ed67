using System.Numerics;
using Dataplane.Forwarding.Buffers;

namespace Dataplane.Forwarding.Egress;

/// <summary>
/// One class of a worker's egress scheduler: a bounded FIFO ring of descriptors (the frames stay in their buffers;
/// nothing is copied), its guarantee's token bucket, its weight's deficit, and its counters. Written only by the
/// worker that owns it; <see cref="Packets"/>, <see cref="Bytes"/>, <see cref="Drops"/> and <see cref="Depth"/> are
/// read by others whole (aligned 64- and 32-bit loads), perhaps a round behind.
/// </summary>
public sealed class EgressClassQueue
{
    private readonly PacketDescriptor[] ring;
    private readonly int mask;
    private readonly int limit;
    private int head;
    private int count;

    internal TokenBucket Guarantee;
    internal readonly bool HasGuarantee;
    internal readonly int Quantum;
    internal long Deficit;

    internal EgressClassQueue(EgressClassSettings settings, long burstBytes, long rateBitsPerSecond, long ticksPerSecond)
    {
        Name = settings.Name;
        limit = settings.QueuePackets;
        ring = new PacketDescriptor[BitOperations.RoundUpToPowerOf2((uint)limit)];
        mask = ring.Length - 1;
        HasGuarantee = settings.GuaranteedBitsPerSecond > 0;
        // The guarantee's bucket is as deep, in time, as the port's: a class may catch up a pause as the port may.
        long depth = HasGuarantee
            ? Math.Max(2 * EgressConfigCheck.MinBurstBytes, (long)((double)burstBytes * settings.GuaranteedBitsPerSecond / rateBitsPerSecond))
            : 0;
        Guarantee = new TokenBucket(settings.GuaranteedBitsPerSecond, depth, ticksPerSecond);
        Quantum = settings.Weight * QuantumBytesPerWeight;
        GuaranteedBitsPerSecond = settings.GuaranteedBitsPerSecond;
        Weight = settings.Weight;
    }

    /// <summary>Bytes a class may send per round robin turn for each unit of weight: one full-size Ethernet frame.</summary>
    public const int QuantumBytesPerWeight = 1518;

    public string Name { get; }

    public long GuaranteedBitsPerSecond { get; }

    public int Weight { get; }

    /// <summary>The most packets the class holds waiting.</summary>
    public int Capacity => limit;

    /// <summary>Packets waiting now.</summary>
    public int Depth => Volatile.Read(ref count);

    /// <summary>Packets sent (handed to the port).</summary>
    public long Packets;

    /// <summary>Bytes of the frames sent (without the configured overhead).</summary>
    public long Bytes;

    /// <summary>Packets refused because the queue was full (EgressQueueFull).</summary>
    public long Drops;

    internal bool IsEmpty => count == 0;

    internal ref PacketDescriptor Head => ref ring[head];

    internal bool TryEnqueue(in PacketDescriptor packet)
    {
        if (count == limit)
        {
            Drops++;
            return false;
        }

        ring[(head + count) & mask] = packet;
        count++;
        return true;
    }

    internal void Dequeue(out PacketDescriptor packet)
    {
        packet = ring[head];
        head = (head + 1) & mask;
        count--;
        Packets++;
        Bytes += packet.Length;
    }

    /// <summary>Takes a waiting packet out without counting it as sent (at shutdown, to free its buffer).</summary>
    internal bool TryDiscard(out PacketDescriptor packet)
    {
        if (count == 0)
        {
            packet = default;
            return false;
        }

        packet = ring[head];
        ring[head] = default;
        head = (head + 1) & mask;
        count--;
        return true;
    }
}
