using System.Runtime.CompilerServices;
using Dataplane.Tables.Lpm;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tables.MapCache;

/// <summary>
/// One instance's map-cache LPM tables as a batch sees them, from <see cref="LpmMapCacheIndex.Instance(uint)"/>:
/// the per-instance table lookup (a frozen-dictionary probe) is paid once per batch, or when the packet's instance
/// changes, instead of once per packet. A table created after the view was taken is seen by the next batch.
/// </summary>
public readonly struct MapCacheInstanceIndex
{
    private readonly Ipv4LpmTable? ipv4;
    private readonly Ipv6LpmTable? ipv6;

    internal MapCacheInstanceIndex(uint instanceId, Ipv4LpmTable? ipv4, Ipv6LpmTable? ipv6)
    {
        InstanceId = instanceId;
        this.ipv4 = ipv4;
        this.ipv6 = ipv6;
        IsValid = true;
    }

    public uint InstanceId { get; }

    /// <summary>False for default(MapCacheInstanceIndex): no view taken yet.</summary>
    public bool IsValid { get; }

    /// <inheritdoc cref="LpmMapCacheIndex.TryLookup(uint, Ipv4Address, out uint)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryLookup(Ipv4Address destination, out uint slot)
    {
        slot = 0;
        return ipv4 is not null && ipv4.TryLookup(destination, out slot);
    }

    /// <inheritdoc cref="LpmMapCacheIndex.TryLookup(uint, Ipv6Address, out uint)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryLookup(Ipv6Address destination, out uint slot)
    {
        slot = 0;
        return ipv6 is not null && ipv6.TryLookup(destination, out slot);
    }

    /// <summary>Prefetches what <see cref="TryLookup(Ipv4Address, out uint)"/> will read first (<see cref="CachePrefetch"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(Ipv4Address destination) => ipv4?.PrefetchLookup(destination);

    /// <summary>
    /// The IPv6 lookups of a batch, walked interleaved (<see cref="Ipv6LpmTable.LookupBatchInterleaved"/>): slots, or
    /// <see cref="Ipv6LpmTable.NoValue"/>. What a prefetching pass uses to bring a batch's trie paths into the cache.
    /// </summary>
    public void LookupBatchInterleaved(ReadOnlySpan<UInt128> destinations, Span<uint> slots)
    {
        if (ipv6 is null)
        {
            slots[..destinations.Length].Fill(Ipv6LpmTable.NoValue);
            return;
        }

        ipv6.LookupBatchInterleaved(destinations, slots);
    }
}
