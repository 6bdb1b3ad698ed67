using Dataplane.Forwarding.Buffers;

namespace Dataplane.Forwarding.Pipeline;

/// <summary>
/// The bounded hand-off from a worker to the control plane: LISP control messages, cache misses, anything a stage
/// punts. One producer (the worker) and one consumer (the control thread, or the replay loop); a power-of-two ring
/// of descriptors with volatile head and tail, so neither side locks. When it is full the worker drops the packet
/// under <c>PuntQueueFull</c> instead of waiting: the control plane being slow must never stall forwarding.
/// A descriptor in the queue owns its buffer; the consumer frees it.
/// </summary>
public sealed class PuntQueue
{
    private readonly PacketDescriptor[] ring;
    private readonly int mask;
    private long head; // next to dequeue; written by the consumer
    private long tail; // next to enqueue; written by the producer
    private int highWater; // most packets ever waiting; written by the producer

    public PuntQueue(int capacity = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        int size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity);
        ring = new PacketDescriptor[size];
        mask = size - 1;
        Capacity = capacity;
    }

    /// <summary>Most packets the queue holds; a configured bound, not rounded.</summary>
    public int Capacity { get; }

    public int Count => (int)(Volatile.Read(ref tail) - Volatile.Read(ref head));

    /// <summary>The most packets that were ever waiting at once (the producer's view, at each enqueue).</summary>
    public int HighWater => Volatile.Read(ref highWater);

    /// <summary>Producer side: false when the queue holds <see cref="Capacity"/> packets.</summary>
    public bool TryEnqueue(in PacketDescriptor packet)
    {
        long t = tail;
        if (t - Volatile.Read(ref head) >= Capacity)
        {
            return false;
        }

        ring[t & mask] = packet;
        Volatile.Write(ref tail, t + 1);
        int depth = (int)(t + 1 - Volatile.Read(ref head));
        if (depth > highWater)
        {
            Volatile.Write(ref highWater, depth);
        }

        return true;
    }

    /// <summary>Consumer side: false when empty.</summary>
    public bool TryDequeue(out PacketDescriptor packet)
    {
        long h = head;
        if (h == Volatile.Read(ref tail))
        {
            packet = default;
            return false;
        }

        packet = ring[h & mask];
        ring[h & mask] = default;
        Volatile.Write(ref head, h + 1);
        return true;
    }
}
