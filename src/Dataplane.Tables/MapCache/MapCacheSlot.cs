using System.Runtime.CompilerServices;

namespace Dataplane.Tables.MapCache;

/// <summary>
/// One element of the map-cache's slot array: the entry, and its <see cref="MapCacheForwardingWord"/> beside it, so
/// the fast path's word sits in the cache line the LPM's slot number leads to (16 bytes: four slots per line).
/// Each field is published with its own atomic write; a reader uses one or the other, never a mix of the two.
/// </summary>
public struct MapCacheSlot
{
    private MapCacheEntry? entry;
    private ulong forwardingWord;

    public readonly MapCacheEntry? Entry => Volatile.Read(ref Unsafe.AsRef(in entry));

    public readonly ulong ForwardingWord => Volatile.Read(ref Unsafe.AsRef(in forwardingWord));

    internal void Publish(MapCacheEntry value)
    {
        // The word first: a reader that still gets the old entry decides by the old entry; one that gets the new word
        // forwards by the new mapping. Either is a whole mapping.
        Volatile.Write(ref forwardingWord, value.ForwardingWord);
        Volatile.Write(ref entry, value);
    }

    internal void Clear()
    {
        Volatile.Write(ref forwardingWord, MapCacheForwardingWord.None);
        Volatile.Write(ref entry, null);
    }
}
