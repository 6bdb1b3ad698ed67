using Dataplane.Wire.Addresses;

namespace Dataplane.Tables.MapCache;

/// <summary>
/// The longest-prefix-match structure in front of the map-cache (the IPv4 DIR-24-8 and IPv6 trie, per
/// instance ID). It maps an EID prefix to the <see cref="MapCache"/> slot that holds its entry; the slot is the
/// <c>uint</c> value the LPM stores. <see cref="MapCache"/> calls it on the writer side only, in an order that keeps
/// readers safe: the entry is in its slot before the prefix is inserted, and the prefix is removed before its slot
/// is cleared. Replacing an entry does not touch the index (same prefix, same slot).
/// </summary>
public interface IMapCacheIndex
{
    void Insert(EidPrefix prefix, uint slot);

    void Remove(EidPrefix prefix);
}
