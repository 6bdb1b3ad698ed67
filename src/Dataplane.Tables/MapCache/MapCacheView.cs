using System.Runtime.CompilerServices;

namespace Dataplane.Tables.MapCache;

/// <summary>
/// What a reader (a worker) holds for one batch: the slot array as it was when the batch started. Taking it is
/// one volatile read; indexing it is lock-free. Entries are immutable, so each slot read yields a whole entry.
/// </summary>
public readonly struct MapCacheView
{
    private readonly MapCacheSlot[]? slots;

    internal MapCacheView(MapCacheSlot[] slots) => this.slots = slots;

    public int Length => slots?.Length ?? 0;

    /// <summary>The entry in <paramref name="slot"/> (the value the LPM returned), or null if the slot is empty or out of range.</summary>
    public MapCacheEntry? this[uint slot]
    {
        get
        {
            var array = slots;
            return array is not null && slot < (uint)array.Length ? array[slot].Entry : null;
        }
    }

    /// <summary>
    /// The slot's <see cref="MapCacheForwardingWord"/> (<see cref="MapCacheForwardingWord.None"/> if the slot is empty
    /// or out of range): the encapsulating fast path, which does not touch the entry.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ForwardingWord(uint slot)
    {
        var array = slots;
        return array is not null && slot < (uint)array.Length ? array[slot].ForwardingWord : MapCacheForwardingWord.None;
    }

    /// <summary>Prefetches the slot (its entry reference and forwarding word, <see cref="CachePrefetch"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PrefetchSlot(uint slot)
    {
        var array = slots;
        if (array is not null && slot < (uint)array.Length)
        {
            CachePrefetch.Line(in array[slot]);
        }
    }

    /// <summary>Prefetches the entry in the slot (its reference must be in cache by now, see <see cref="PrefetchSlot"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PrefetchEntry(uint slot) => CachePrefetch.Object(this[slot]);
}
