using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Dataplane.Tables;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Tof;

/// <summary>
/// A fixed-size, lock-free hash table of learned state that every worker reads and writes: open addressing over a
/// power-of-two array of references, each key confined to a window of <see cref="ProbeWindow"/> slots. Readers scan
/// the window with plain volatile reads; writers claim an empty slot with one compare-and-swap and remove by
/// swapping the entry out, so no thread ever waits for another (the "never block a worker"). Two workers
/// learning the same key at the same instant may both claim a slot; the one farther from the window start is then
/// removed by whichever of them sees the other (see <see cref="KeepFirstOfKey"/>). The array never grows: a full window refuses the learn.
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

    public bool TryGet(TKey key, out TEntry entry) => TryGet(key, Home(key), out entry);

    /// <summary>Finds the entry of <paramref name="key"/>, whose window starts at <paramref name="home"/> (<see cref="Home"/>, computed ahead to prefetch).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGet(TKey key, int home, out TEntry entry)
    {
        ref var first = ref MemoryMarshal.GetArrayDataReference(slots);
        for (int i = 0; i < ProbeWindow; i++)
        {
            var candidate = Volatile.Read(ref Unsafe.Add(ref first, (home + i) & mask));
            if (candidate is not null && KeyEquals(candidate.Key, key))
            {
                entry = candidate;
                return true;
            }
        }

        entry = null!;
        return false;
    }

    /// <summary>Asks the CPU for the first line of the window that starts at <paramref name="home"/> (a hint: nothing is read).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(int home) => CachePrefetch.Line(in Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(slots), home));

    /// <summary>
    /// Asks the CPU for the entry in the window's first slot, once <see cref="Prefetch"/> has brought the slot in: the
    /// entry a lookup most likely compares first (a hint: the entry may move or go, nothing relies on it).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PrefetchEntry(int home) => CachePrefetch.Object(Volatile.Read(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(slots), home)));

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
                present = KeepFirstOfKey(start, i, entry);
                return ReferenceEquals(present, entry) ? TofLearnResult.Added : TofLearnResult.Existing;
            }
        }

        present = null!;
        return TofLearnResult.Full;
    }

    /// <summary>
    /// Another writer may have added the same key at the same instant, in another slot. After its compare-and-swap
    /// each writer scans the window again and removes every entry of its key but the one nearest the window start:
    /// of two racing writers at least one sees the other (each CAS precedes its own scan), so no duplicate survives,
    /// and the nearest is never removed, so the key is never lost. Returns the entry that stays.
    /// </summary>
    private TEntry KeepFirstOfKey(int start, int claimed, TEntry entry)
    {
        var key = entry.Key;
        TEntry? first = null;
        for (int i = 0; i < ProbeWindow; i++)
        {
            ref var slot = ref slots[(start + i) & mask];
            var candidate = Volatile.Read(ref slot);
            if (candidate is null || !candidate.Key.Equals(key))
            {
                continue;
            }

            if (first is null)
            {
                first = candidate;
            }
            else if (ReferenceEquals(Interlocked.CompareExchange(ref slot, null, candidate), candidate))
            {
                Interlocked.Decrement(ref count);
            }
        }

        // Our own entry was removed by a racing writer's scan before ours: the one nearest the start stays.
        return first ?? (TryGet(key, out var kept) ? kept : entry);
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
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Home(TKey key) => (int)((KeyHash(key) * 0x9E3779B1u) >> 8) & mask;

    // A UE address compares as its 32 bits (what its Equals does, without the call through the default comparer).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool KeyEquals(TKey a, TKey b) =>
        typeof(TKey) == typeof(Ipv4Address) ? Unsafe.As<TKey, Ipv4Address>(ref a).Value == Unsafe.As<TKey, Ipv4Address>(ref b).Value : a.Equals(b);

    // A UE address hashes as itself (what its GetHashCode gives, without the call through the default comparer); an
    // IPv6 UE's /64 as its prefix bits folded to 32, so that prefixes differing anywhere spread.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint KeyHash(TKey key)
    {
        if (typeof(TKey) == typeof(Ipv4Address))
        {
            return Unsafe.As<TKey, Ipv4Address>(ref key).Value;
        }

        if (typeof(TKey) == typeof(Ipv6Address))
        {
            var address = Unsafe.As<TKey, Ipv6Address>(ref key);
            ulong folded = (address.High * 0x9E3779B97F4A7C15UL) ^ address.Low;
            return (uint)(folded ^ (folded >> 32));
        }

        return (uint)key.GetHashCode();
    }
}
