using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Dataplane.Tables.MapCache;

/// <summary>
/// What a reader (a worker) holds for one batch: the slot arrays as they were when the batch started. Taking it is
/// one volatile read; indexing it is lock-free. Entries are immutable, so each slot read yields a whole entry.
/// </summary>
public readonly struct MapCacheView
{
    private readonly ulong[]? words;
    private readonly MapCacheEntry?[]? entries;

    internal MapCacheView(MapCacheSlots slots)
    {
        words = slots.Words;
        entries = slots.Entries;
    }

    public int Length => entries?.Length ?? 0;

    /// <summary>The entry in <paramref name="slot"/> (the value the LPM returned), or null if the slot is empty or out of range.</summary>
    public MapCacheEntry? this[uint slot]
    {
        get
        {
            var array = entries;
            return array is not null && slot < (uint)array.Length ? Volatile.Read(ref array[slot]) : null;
        }
    }

    /// <summary>
    /// The slot's <see cref="MapCacheForwardingWord"/> (<see cref="MapCacheForwardingWord.None"/> if the slot is empty
    /// or out of range): the encapsulating fast path, which does not touch the entry.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ForwardingWord(uint slot)
    {
        var array = words;
        return array is not null && slot < (uint)array.Length
            ? Volatile.Read(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(array), (nint)slot))
            : MapCacheForwardingWord.None;
    }

    /// <summary>Prefetches the slot's forwarding word (<see cref="CachePrefetch"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PrefetchSlot(uint slot)
    {
        var array = words;
        if (array is not null && slot < (uint)array.Length)
        {
            CachePrefetch.Line(in Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(array), (nint)slot));
        }
    }

    /// <summary>Prefetches the line holding the slot's entry reference (what <see cref="PrefetchEntry"/> then reads).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PrefetchEntryReference(uint slot)
    {
        var array = entries;
        if (array is not null && slot < (uint)array.Length)
        {
            CachePrefetch.Line(in array[slot]);
        }
    }

    /// <summary>Prefetches the slot's entry (its reference should be in cache by now, see <see cref="PrefetchEntryReference"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PrefetchEntry(uint slot) => CachePrefetch.Object(this[slot]);
}
