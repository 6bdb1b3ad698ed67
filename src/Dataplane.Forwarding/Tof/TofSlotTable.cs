using System.Numerics;

namespace Dataplane.Forwarding.Tof;

/// <summary>
/// A fixed-size, lock-free hash table of learned state that every worker reads and writes: open addressing over a
/// power-of-two array of references, each key confined to a window of <see cref="ProbeWindow"/> slots. Readers scan
/// the window with plain volatile reads; writers claim an empty slot with one compare-and-swap and remove by
/// swapping the entry out, so no thread ever waits for another (the "never block a worker"). Two workers
/// learning the same key at the same instant may both claim a slot; lookups then find the first, and the other is
/// purged when idle: a harmless duplicate rather than a lock. The array never grows: a full window refuses the learn.
/// </summary>
public sealed class TofSlotTable<TKey, TEntry>
    where TKey : struct, IEquatable<TKey>
    where TEntry : class, ITofKeyed<TKey>
{
    /// <summary>Slots a key may live in, from its hash onwards.</summary>
    public const int ProbeWindow = 16;

    private readonly TEntry?[] slots;
    private readonly int mask;
    private int count;

    public TofSlotTable(int capacity)
    {
        if (capacity < ProbeWindow || !BitOperations.IsPow2(capacity))
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"a power of two, at least {ProbeWindow}");
        }

        slots = new TEntry?[capacity];
        mask = capacity - 1;
    }

    public int Capacity => slots.Length;

    /// <summary>Entries in the table (a moment's view while writers run).</summary>
    public int Count => Volatile.Read(ref count);

    public bool TryGet(TKey key, out TEntry entry)
    {
        int start = Home(key);
        for (int i = 0; i < ProbeWindow; i++)
        {
            var candidate = Volatile.Read(ref slots[(start + i) & mask]);
            if (candidate is not null && candidate.Key.Equals(key))
            {
                entry = candidate;
                return true;
            }
        }

        entry = null!;
        return false;
    }

    /// <summary>Adds <paramref name="entry"/> unless its key is there; <paramref name="present"/> is whichever entry the table holds afterwards.</summary>
    public TofLearnResult TryAdd(TEntry entry, out TEntry present)
    {
        var key = entry.Key;
        if (TryGet(key, out present))
        {
            return TofLearnResult.Existing;
        }

        int start = Home(key);
        for (int i = 0; i < ProbeWindow; i++)
        {
            ref var slot = ref slots[(start + i) & mask];
            if (Volatile.Read(ref slot) is null && Interlocked.CompareExchange(ref slot, entry, null) is null)
            {
                Interlocked.Increment(ref count);
                present = entry;
                return TofLearnResult.Added;
            }
        }

        present = null!;
        return TofLearnResult.Full;
    }

    /// <summary>Removes this very entry (not another one with its key); false when it is gone already.</summary>
    public bool TryRemove(TEntry entry)
    {
        int start = Home(entry.Key);
        for (int i = 0; i < ProbeWindow; i++)
        {
            ref var slot = ref slots[(start + i) & mask];
            if (ReferenceEquals(Volatile.Read(ref slot), entry) && ReferenceEquals(Interlocked.CompareExchange(ref slot, null, entry), entry))
            {
                Interlocked.Decrement(ref count);
                return true;
            }
        }

        return false;
    }

    /// <summary>The entry in one slot, or null: for scans by something other than the key (End Marker, Error Indication), which are rare.</summary>
    public TEntry? EntryAt(int slot) => Volatile.Read(ref slots[slot & mask]);

    /// <summary>The entries, in slot order, for the control thread (listing, purging); not for the hot path.</summary>
    public List<TEntry> Snapshot()
    {
        var entries = new List<TEntry>(Count);
        for (int i = 0; i < slots.Length; i++)
        {
            if (Volatile.Read(ref slots[i]) is { } entry)
            {
                entries.Add(entry);
            }
        }

        return entries;
    }

    /// <summary>Slot index where the key's window starts; the hash's high bits are mixed in so sequential UE addresses spread.</summary>
    private int Home(TKey key)
    {
        uint hash = (uint)key.GetHashCode() * 0x9E3779B1u;
        return (int)(hash >> 8) & mask;
    }
}
