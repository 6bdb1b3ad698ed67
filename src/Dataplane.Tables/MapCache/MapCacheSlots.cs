using Dataplane.Tables.Lpm;

namespace Dataplane.Tables.MapCache;

/// <summary>
/// The map-cache's slot arrays, published together as one reference: per slot, the entry, and apart from it its
/// <see cref="MapCacheForwardingWord"/>. The words are what the encapsulating fast path reads for almost every packet,
/// at random over a million slots, so they sit in their own array of 8-byte words (eight slots per cache line) on 2 MiB
/// pages where Linux allows (<see cref="HugePageArray"/>): the read misses the cache but not also the TLB. The entries
/// are references, which the runtime does not let us pin, so they stay in an ordinary array read only off the fast
/// path. Each slot's word and entry are published with their own atomic write; a reader uses one or the other, never
/// a mix of the two.
/// </summary>
internal sealed class MapCacheSlots
{
    public MapCacheSlots(int capacity)
    {
        Words = HugePageArray.AllocateZeroed<ulong>(capacity);
        Entries = new MapCacheEntry?[capacity];
    }

    public ulong[] Words { get; }

    public MapCacheEntry?[] Entries { get; }

    public int Length => Entries.Length;

    public MapCacheEntry? Entry(uint slot) => Volatile.Read(ref Entries[slot]);

    public void Publish(uint slot, MapCacheEntry value)
    {
        // The word first: a reader that still gets the old entry decides by the old entry; one that gets the new word
        // forwards by the new mapping. Either is a whole mapping.
        Volatile.Write(ref Words[slot], value.ForwardingWord);
        Volatile.Write(ref Entries[slot], value);
    }

    public void Clear(uint slot)
    {
        Volatile.Write(ref Words[slot], MapCacheForwardingWord.None);
        Volatile.Write(ref Entries[slot], null);
    }

    /// <summary>A copy twice as large, for a writer to publish in place of this one.</summary>
    public MapCacheSlots Grown()
    {
        var grown = new MapCacheSlots(Length * 2);
        Array.Copy(Words, grown.Words, Length);
        Array.Copy(Entries, grown.Entries, Length);
        return grown;
    }
}
