using Dataplane.Tables.Lpm;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tables.MapCache;

/// <summary>
/// Puts the LPM tables (one IPv4 DIR-24-8 and one IPv6 trie per instance ID, created on first use) in front of a
/// <see cref="MapCache"/>: the writer side implements <see cref="IMapCacheIndex"/>, the reader side is the hot-path
/// lookup from (instance ID, destination) to the slot whose entry the stage reads from the cache's view.
/// </summary>
public sealed class LpmMapCacheIndex : IMapCacheIndex
{
    private readonly LpmTableSet _tables = new();

    public void Insert(EidPrefix prefix, uint slot)
    {
        if (prefix.Address.IsV4)
        {
            _tables.GetOrCreateIpv4(prefix.InstanceId).AddOrReplace(prefix.Address.AsV4(), prefix.PrefixLength, slot);
        }
        else
        {
            _tables.GetOrCreateIpv6(prefix.InstanceId).AddOrReplace(prefix.Address.AsV6(), prefix.PrefixLength, slot);
        }
    }

    public void Remove(EidPrefix prefix)
    {
        if (prefix.Address.IsV4)
        {
            if (_tables.TryGetIpv4(prefix.InstanceId, out var table))
            {
                table.Remove(prefix.Address.AsV4(), prefix.PrefixLength);
            }
        }
        else if (_tables.TryGetIpv6(prefix.InstanceId, out var table))
        {
            table.Remove(prefix.Address.AsV6(), prefix.PrefixLength);
        }
    }

    /// <summary>The map-cache slot of the longest prefix covering <paramref name="destination"/> in the instance.</summary>
    public bool TryLookup(uint instanceId, Ipv4Address destination, out uint slot)
    {
        slot = 0;
        return _tables.TryGetIpv4(instanceId, out var table) && table.TryLookup(destination, out slot);
    }

    /// <inheritdoc cref="TryLookup(uint, Ipv4Address, out uint)"/>
    public bool TryLookup(uint instanceId, Ipv6Address destination, out uint slot)
    {
        slot = 0;
        return _tables.TryGetIpv6(instanceId, out var table) && table.TryLookup(destination, out slot);
    }

    /// <summary>The instance's tables, looked up once: what a stage holds for a batch instead of probing per packet.</summary>
    public MapCacheInstanceIndex Instance(uint instanceId)
    {
        _tables.TryGetIpv4(instanceId, out var ipv4);
        _tables.TryGetIpv6(instanceId, out var ipv6);
        return new MapCacheInstanceIndex(instanceId, ipv4, ipv6);
    }

    /// <summary>
    /// Keeps <paramref name="current"/> on <paramref name="instanceId"/>'s tables: a probe only when the instance
    /// differs from the one held (a batch is usually one instance, so one probe per batch).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void Select(ref MapCacheInstanceIndex current, uint instanceId)
    {
        if (!current.IsValid || current.InstanceId != instanceId)
        {
            current = Instance(instanceId);
        }
    }

    /// <summary>True when a map-cache prefix was ever inserted in the instance (its LPM tables exist).</summary>
    public bool HasInstance(uint instanceId) => _tables.TryGetIpv4(instanceId, out _) || _tables.TryGetIpv6(instanceId, out _);

    /// <summary>Frees LPM memory retired by removals; call at a quiescent point (no worker inside a lookup).</summary>
    public void ReclaimRetired() => _tables.ReclaimRetired();
}
