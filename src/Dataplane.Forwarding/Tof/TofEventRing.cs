namespace Dataplane.Forwarding.Tof;

/// <summary>
/// One worker's tunnel events on their way to the control thread: a bounded single-producer (the worker's stage),
/// single-consumer (<see cref="TofFeature.DrainEvents"/>) ring of structs. A full ring drops the event and counts it:
/// a worker never waits, and learning never depends on anyone reading.
/// </summary>
public sealed class TofEventRing
{
    private readonly TofTunnelEvent[] items;
    private readonly int mask;
    private long head;
    private long tail;
    private long lost;

    public TofEventRing(int capacity = 1024)
    {
        if (capacity < 1 || (capacity & (capacity - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "a power of two");
        }

        items = new TofTunnelEvent[capacity];
        mask = capacity - 1;
    }

    /// <summary>Events dropped because the ring was full.</summary>
    public long Lost => Volatile.Read(ref lost);

    /// <summary>Producer (the worker) only.</summary>
    public void Write(in TofTunnelEvent tunnelEvent)
    {
        long at = tail;
        if (at - Volatile.Read(ref head) >= items.Length)
        {
            Volatile.Write(ref lost, lost + 1);
            return;
        }

        items[at & mask] = tunnelEvent;
        Volatile.Write(ref tail, at + 1); // publishes the item written above
    }

    /// <summary>Consumer (the control thread) only.</summary>
    public bool TryRead(out TofTunnelEvent tunnelEvent)
    {
        long at = head;
        if (at >= Volatile.Read(ref tail))
        {
            tunnelEvent = default;
            return false;
        }

        tunnelEvent = items[at & mask];
        Volatile.Write(ref head, at + 1);
        return true;
    }
}
