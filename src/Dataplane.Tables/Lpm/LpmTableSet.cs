using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace Dataplane.Tables.Lpm;

/// <summary>
/// The LPM tables of every routing instance (LISP instance ID, VXLAN VNI, VRF), keyed by a uint instance ID.
/// Tables are created on demand and per address family, because an IPv4 table is expensive: its DIR-24-8
/// first level is 2^24 x 4 B = 64 MiB whatever the number of routes, so a hundred IPv4 VRFs cost 6.4 GiB.
/// An IPv6 table starts at about 340 KiB (a 16-bit first level and 64 nodes) and widens its first level to 24 bits,
/// another 64 MiB, only once it holds 16K nodes (some tens of thousands of routes, 20 MiB already; see
/// <see cref="Ipv6LpmTable"/>), so many small IPv6 instances stay small. An instance that never gets an IPv4 route
/// never pays for one.
/// </summary>
/// <remarks>
/// Readers look tables up without a lock: the maps are copy-on-write snapshots, replaced whole by the
/// (locked) writer, so a reader sees the old or the new map. Look a table up once per batch, not per packet.
/// A removed table stays valid for readers that still hold it; the GC frees it after they let go.
/// </remarks>
public sealed class LpmTableSet
{
    // Frozen maps: built rarely (an instance appears or goes), read for every packet, where a frozen map's
    // lookup is cheaper than a Dictionary's.
    private FrozenDictionary<uint, Ipv4LpmTable> _ipv4 = FrozenDictionary<uint, Ipv4LpmTable>.Empty;
    private FrozenDictionary<uint, Ipv6LpmTable> _ipv6 = FrozenDictionary<uint, Ipv6LpmTable>.Empty;
    private readonly Lock _writer = new();

    public int Ipv4TableCount => Volatile.Read(ref _ipv4).Count;

    public int Ipv6TableCount => Volatile.Read(ref _ipv6).Count;

    public bool TryGetIpv4(uint instanceId, [NotNullWhen(true)] out Ipv4LpmTable? table) =>
        Volatile.Read(ref _ipv4).TryGetValue(instanceId, out table);

    public bool TryGetIpv6(uint instanceId, [NotNullWhen(true)] out Ipv6LpmTable? table) =>
        Volatile.Read(ref _ipv6).TryGetValue(instanceId, out table);

    /// <summary>The instance's IPv4 table, created (64 MiB) on first use.</summary>
    public Ipv4LpmTable GetOrCreateIpv4(uint instanceId) => GetOrCreate(ref _ipv4, instanceId, static () => new Ipv4LpmTable());

    /// <summary>The instance's IPv6 table, created on first use.</summary>
    public Ipv6LpmTable GetOrCreateIpv6(uint instanceId) => GetOrCreate(ref _ipv6, instanceId, static () => new Ipv6LpmTable());

    /// <summary>Drops both tables of an instance; true if it had any.</summary>
    public bool RemoveInstance(uint instanceId)
    {
        lock (_writer)
        {
            bool removed = Without(ref _ipv4, instanceId);
            return Without(ref _ipv6, instanceId) | removed;
        }
    }

    /// <summary>
    /// Frees the memory every table retired on removals. Call at a quiescent point: after every worker has
    /// finished the batch it was in when the removals were made.
    /// </summary>
    public void ReclaimRetired()
    {
        foreach (var table in Volatile.Read(ref _ipv4).Values)
        {
            table.ReclaimRetiredGroups();
        }

        foreach (var table in Volatile.Read(ref _ipv6).Values)
        {
            table.ReclaimRetiredNodes();
        }
    }

    private TTable GetOrCreate<TTable>(ref FrozenDictionary<uint, TTable> map, uint instanceId, Func<TTable> create)
    {
        if (Volatile.Read(ref map).TryGetValue(instanceId, out TTable? existing))
        {
            return existing;
        }

        lock (_writer)
        {
            if (map.TryGetValue(instanceId, out existing))
            {
                return existing;
            }

            var table = create();
            var copy = new Dictionary<uint, TTable>(map) { [instanceId] = table };
            Volatile.Write(ref map, copy.ToFrozenDictionary());
            return table;
        }
    }

    private static bool Without<TTable>(ref FrozenDictionary<uint, TTable> map, uint instanceId)
    {
        if (!map.ContainsKey(instanceId))
        {
            return false;
        }

        var copy = new Dictionary<uint, TTable>(map);
        copy.Remove(instanceId);
        Volatile.Write(ref map, copy.ToFrozenDictionary());
        return true;
    }
}
