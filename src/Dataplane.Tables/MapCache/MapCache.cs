using Dataplane.Wire.Addresses;

namespace Dataplane.Tables.MapCache;

/// <summary>
/// The ITR map-cache: immutable <see cref="MapCacheEntry"/> objects in a slot array. The slot number is what an
/// LPM (<see cref="IMapCacheIndex"/>) stores as its value, so a lookup is LPM -> uint -> array index.
/// <para>
/// Readers take <see cref="View"/> once per batch and never lock. Writers (control plane, expiry sweep) are
/// serialised by a lock among themselves, build a new entry and publish it with one reference write, so a reader
/// sees the old entry or the new one. Growing the array publishes a copy; a reader still holding the old array
/// for the rest of its batch sees the entries as they were.
/// </para>
/// <para>
/// Freed slots are reused first-in first-out, which keeps a just-freed slot idle as long as possible: a reader
/// that got a slot number from the LPM just before a removal will, in practice, find the old entry or null.
/// The strict guarantee is the deferred mode (<c>deferSlotReuse</c>), which the daemon uses: a freed slot is only
/// retired, and <see cref="ReclaimRetiredSlots"/> makes it reusable once the owner has seen every worker pass its
/// quiescent point. Without it, a cautious reader can check <see cref="EidPrefix.Contains"/> on the entry it got.
/// </para>
/// </summary>
public sealed class MapCache
{
    private readonly Lock writeLock = new();
    private readonly Dictionary<EidPrefix, uint> slotOf = [];
    private readonly Queue<uint> freeSlots = new();
    private readonly List<uint>? retiredSlots;
    private readonly IMapCacheIndex? index;
    private MapCacheSlots slots;
    private uint highWater;
    private long version;

    public MapCache(IMapCacheIndex? index = null, int initialCapacity = 256, bool deferSlotReuse = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(initialCapacity);
        this.index = index;
        retiredSlots = deferSlotReuse ? [] : null;
        slots = new MapCacheSlots(initialCapacity);
    }

    /// <summary>Bumped after every publish (add, replace, remove); lets a worker or a test notice that something changed.</summary>
    public long Version => Volatile.Read(ref version);

    public int Count
    {
        get
        {
            lock (writeLock)
            {
                return slotOf.Count;
            }
        }
    }

    /// <summary>The reader's snapshot: read once per batch.</summary>
    public MapCacheView View => new(Volatile.Read(ref slots));

    /// <summary>Publishes <paramref name="entry"/> under its prefix, replacing any entry for the same prefix in place (same slot). Returns the slot.</summary>
    public uint AddOrReplace(MapCacheEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (writeLock)
        {
            return PublishLocked(entry);
        }
    }

    /// <summary>
    /// Publishes <paramref name="entry"/> unless the cache already holds the same prefix with a map-version at
    /// least as new (RFC 9302), so a late, reordered Map-Reply cannot roll a mapping back. Returns whether it was published.
    /// </summary>
    public bool AddOrReplaceIfNewer(MapCacheEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (writeLock)
        {
            if (slotOf.TryGetValue(entry.Prefix, out uint existing) && !MapVersioning.IsNewer(entry.MapVersion, slots.Entry(existing)!.MapVersion))
            {
                return false;
            }

            PublishLocked(entry);
            return true;
        }
    }

    public bool Remove(EidPrefix prefix)
    {
        lock (writeLock)
        {
            return RemoveLocked(prefix);
        }
    }

    public bool TryGet(EidPrefix prefix, out MapCacheEntry entry)
    {
        lock (writeLock)
        {
            if (slotOf.TryGetValue(prefix, out uint slot))
            {
                entry = slots.Entry(slot)!;
                return true;
            }
        }

        entry = null!;
        return false;
    }

    public bool TryGetSlot(EidPrefix prefix, out uint slot)
    {
        lock (writeLock)
        {
            return slotOf.TryGetValue(prefix, out slot);
        }
    }

    /// <summary>
    /// Longest match by a linear scan. For the control plane and tests until the LPM sits in front; never the hot path.
    /// </summary>
    public MapCacheEntry? FindLongestMatch(uint instanceId, IpAddress eid)
    {
        var view = View;
        MapCacheEntry? best = null;
        for (uint slot = 0; slot < (uint)view.Length; slot++)
        {
            var entry = view[slot];
            if (entry is not null && entry.Prefix.Contains(instanceId, eid) && (best is null || entry.Prefix.PrefixLength > best.Prefix.PrefixLength))
            {
                best = entry;
            }
        }

        return best;
    }

    /// <summary>Removes every entry expired at <paramref name="now"/> (ticks of the clock the entries were built with). Returns how many.</summary>
    public int Sweep(long now, ICollection<EidPrefix>? expired = null)
    {
        lock (writeLock)
        {
            int removed = 0;
            for (uint slot = 0; slot < highWater; slot++)
            {
                var entry = slots.Entry(slot);
                if (entry is not null && entry.IsExpired(now) && RemoveLocked(entry.Prefix))
                {
                    expired?.Add(entry.Prefix);
                    removed++;
                }
            }

            return removed;
        }
    }

    /// <summary>
    /// With deferred reuse: makes the slots retired so far reusable. Call only after a grace period, when no reader
    /// can still hold a slot number it read before those removals. Returns how many slots were reclaimed.
    /// </summary>
    public int ReclaimRetiredSlots()
    {
        lock (writeLock)
        {
            if (retiredSlots is null)
            {
                return 0;
            }

            foreach (uint slot in retiredSlots)
            {
                freeSlots.Enqueue(slot);
            }

            int count = retiredSlots.Count;
            retiredSlots.Clear();
            return count;
        }
    }

    private uint PublishLocked(MapCacheEntry entry)
    {
        if (slotOf.TryGetValue(entry.Prefix, out uint existing))
        {
            slots.Publish(existing, entry);
            Interlocked.Increment(ref version);
            return existing;
        }

        // Fill the slot before the LPM can lead a reader to it.
        uint slot = TakeSlot();
        slots.Publish(slot, entry);
        slotOf.Add(entry.Prefix, slot);
        index?.Insert(entry.Prefix, slot);
        Interlocked.Increment(ref version);
        return slot;
    }

    private bool RemoveLocked(EidPrefix prefix)
    {
        if (!slotOf.Remove(prefix, out uint slot))
        {
            return false;
        }

        // Unhook the prefix from the LPM before clearing the slot, so new lookups stop arriving here first; a reader
        // already past the LPM finds the old entry or null, which it treats as a miss.
        index?.Remove(prefix);
        slots.Clear(slot);
        if (retiredSlots is null)
        {
            freeSlots.Enqueue(slot);
        }
        else
        {
            retiredSlots.Add(slot);
        }

        Interlocked.Increment(ref version);
        return true;
    }

    private uint TakeSlot()
    {
        if (freeSlots.TryDequeue(out uint slot))
        {
            return slot;
        }

        if (highWater == slots.Length)
        {
            Volatile.Write(ref slots, slots.Grown());
        }

        return highWater++;
    }
}
