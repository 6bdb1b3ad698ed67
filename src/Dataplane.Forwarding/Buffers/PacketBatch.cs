namespace Dataplane.Forwarding.Buffers;

/// <summary>
/// Up to <see cref="MaxCapacity"/> packet descriptors handled together: what a port's rx burst
/// fills and a stage walks. The array is allocated once; steady-state use allocates nothing.
/// Elements are reached by <c>ref</c> so stages edit descriptors in place.
/// </summary>
public sealed class PacketBatch
{
    /// <summary>Largest batch we use; bigger bursts stop paying for themselves and hurt latency.</summary>
    public const int MaxCapacity = 256;

    private readonly PacketDescriptor[] _packets;

    public PacketBatch(int capacity = MaxCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, MaxCapacity);
        _packets = new PacketDescriptor[capacity];
    }

    /// <summary>Descriptors the batch can hold.</summary>
    public int Capacity => _packets.Length;

    /// <summary>Descriptors in the batch.</summary>
    public int Count { get; private set; }

    /// <summary>True when no more descriptor fits.</summary>
    public bool IsFull => Count == _packets.Length;

    /// <summary>The descriptor at <paramref name="index"/>, by reference.</summary>
    public ref PacketDescriptor this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count)
            {
                ThrowIndex(index);
            }
            return ref _packets[index];
        }
    }

    /// <summary>The descriptors in the batch, for loops the JIT can keep free of bounds checks.</summary>
    public Span<PacketDescriptor> AsSpan() => _packets.AsSpan(0, Count);

    /// <summary>Appends a copy of <paramref name="packet"/>; false when the batch is full.</summary>
    public bool TryAdd(in PacketDescriptor packet)
    {
        if (Count == _packets.Length)
        {
            return false;
        }
        _packets[Count++] = packet;
        return true;
    }

    /// <summary>
    /// Claims the next <paramref name="count"/> descriptors for a port to attach in place, so a receive burst writes
    /// each descriptor once instead of building it aside and copying it in with <see cref="TryAdd"/>. They hold
    /// whatever they held before until the caller attaches every one of them. <paramref name="count"/> must fit.
    /// </summary>
    public Span<PacketDescriptor> Extend(int count)
    {
        var claimed = _packets.AsSpan(Count, count);
        Count += count;
        return claimed;
    }

    /// <summary>Keeps only the first <paramref name="count"/> descriptors: gives back what an <see cref="Extend"/> claimed and did not fill.</summary>
    public void Truncate(int count) => Count = Math.Clamp(count, 0, Count);

    /// <summary>Forgets every descriptor. Does not free buffers: that is the owner's job.</summary>
    public void Clear() => Count = 0;

    /// <summary>
    /// Removes the descriptors marked dropped (<see cref="PacketDescriptor.IsDropped"/>), keeping
    /// the order of the others, and appends the removed ones to <paramref name="dropped"/> so
    /// the caller can count them by reason and free their buffers. Returns how many were removed.
    /// <paramref name="dropped"/> must have room for them.
    /// </summary>
    public int RemoveDropped(PacketBatch dropped)
    {
        var count = Count;
        var droppedCount = 0;
        for (var i = 0; i < count; i++)
        {
            if (_packets[i].IsDropped)
            {
                droppedCount++;
            }
        }
        if (droppedCount == 0)
        {
            return 0;
        }
        // Check room before moving anything, so a failure leaves both batches as they were.
        if (dropped.Capacity - dropped.Count < droppedCount)
        {
            throw new ArgumentException("The dropped batch has no room for the dropped packets.", nameof(dropped));
        }
        var kept = 0;
        for (var i = 0; i < count; i++)
        {
            ref var packet = ref _packets[i];
            if (packet.IsDropped)
            {
                dropped._packets[dropped.Count++] = packet;
            }
            else
            {
                if (kept != i)
                {
                    _packets[kept] = packet;
                }
                kept++;
            }
        }
        Count = kept;
        return droppedCount;
    }

    private static void ThrowIndex(int index) =>
        throw new ArgumentOutOfRangeException(nameof(index), index, "Index is outside the batch.");
}
