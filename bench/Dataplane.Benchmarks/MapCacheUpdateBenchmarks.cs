using BenchmarkDotNet.Attributes;
using Dataplane.Tables.MapCache;
using Dataplane.Tables.Time;
using Dataplane.Wire.Addresses;

namespace Dataplane.Benchmarks;

/// <summary>
/// Map-cache writes while a reader looks up, on the control socket's path (<c>mapcache.add</c> / <c>mapcache.remove</c>
/// end in <see cref="MapCache.AddOrReplace"/> / <see cref="MapCache.Remove"/>): the cache is built as the LISP
/// feature builds it (<see cref="LpmMapCacheIndex"/> in front, deferred slot reuse) and holds 1M entries (/24s in
/// IPv4 or /48s in IPv6, instance 7, one RLOC each; for IPv6 also four /44s that keep the updated /48s' trie nodes
/// alive, see Setup). Each invocation publishes 1024 pre-built entries for new
/// prefixes, removes them, and reclaims the retired slots once (what the runtime does after a grace period; one
/// call per 2048 updates, counted in the figure); the figure is per update (one publish or one remove), not
/// including building the <see cref="MapCacheEntry"/> from JSON. A background reader thread (started in GlobalSetup,
/// pinned off this thread, stopped in GlobalCleanup) does what the ITR stage does per batch of 256 (take the view
/// and the instance's index once, then LPM lookup + slot read per destination) over 64K destinations; its
/// lookups/s over the run is printed in cleanup (a "// mapcache-reader" line in the BenchmarkDotNet log).
/// Target: 1M updates/s (1000 ns per update). Setup checks a published entry is found by a reader's lookup and
/// gone after its removal, and that 2048 updates allocate nothing (no table grows with the run).
/// </summary>
[MemoryDiagnoser]
public class MapCacheUpdateBenchmarks
{
    private const int Updates = 1024;
    private const int Entries = 1_000_000;
    private const uint Instance = 7;
    private MapCacheEntry[] _updates = [];
    private MapCache _cache = null!;
    private LpmMapCacheIndex _index = null!;
    private BackgroundReader _reader = null!;
    private int _entriesBefore;

    [Params("v4", "v6")]
    public string Family { get; set; } = "v4";

    [GlobalSetup]
    public void Setup()
    {
        var clock = new ManualClock(1_000_000_000);
        var random = new Random(91);
        _index = new LpmMapCacheIndex();
        _cache = new MapCache(_index, deferSlotReuse: true);
        bool v4 = Family == "v4";
        for (int i = 0; i < Entries; i++)
        {
            // 11.0.0.0/24 .. 26.66.63.0/24, or 2001:db8:1:0::/48-style /48s 2c00:i::/48.
            IpAddress address = v4 ? new Ipv4Address(0x0B00_0000u + ((uint)i << 8)) : new Ipv6Address(0x2C00_0000_0000_0000UL | ((ulong)i << 16), 0);
            _cache.AddOrReplace(MapCacheEntry.Create(EidPrefix.Create(Instance, address, v4 ? 24 : 48), [Rloc(i)], MapCacheEntry.InfiniteTtl, clock));
        }

        _updates = new MapCacheEntry[Updates];
        for (int k = 0; k < Updates; k++)
        {
            // 100.64.0.0/24 .. (shared address space), or 2001:db8:k::/48: outside the table.
            IpAddress address = v4 ? new Ipv4Address(0x6440_0000u + ((uint)k << 8)) : new Ipv6Address(0x2001_0db8_0000_0000UL | ((ulong)k << 16), 0);
            _updates[k] = MapCacheEntry.Create(EidPrefix.Create(Instance, address, v4 ? 24 : 48), [Rloc(k)], MapCacheEntry.InfiniteTtl, clock);
        }

        // IPv6: the updates' four /40s each keep a longer-lived /44 entry, so removing a /48 never empties (and retires)
        // the trie node it lives in; a retired node is only reused after a quiescent reclaim, which a running reader
        // forbids, so without the anchors the run would grow the node pool.
        for (int anchor = 0; anchor < (v4 ? 0 : Updates / 256); anchor++)
        {
            var address = new Ipv6Address(0x2001_0db8_0000_0000UL | ((ulong)anchor << 24) | 0xF0_0000UL, 0);
            _cache.AddOrReplace(MapCacheEntry.Create(EidPrefix.Create(Instance, address, 44), [Rloc(anchor)], MapCacheEntry.InfiniteTtl, clock));
        }

        _entriesBefore = _cache.Count;
        uint[] v4Destinations = new uint[LookupDestinations.Count];
        UInt128[] v6Destinations = new UInt128[LookupDestinations.Count];
        for (int i = 0; i < LookupDestinations.Count; i++)
        {
            int target = random.Next(Entries);
            v4Destinations[i] = 0x0B00_0000u + ((uint)target << 8) + (uint)random.Next(256);
            v6Destinations[i] = new UInt128(0x2C00_0000_0000_0000UL | ((ulong)target << 16) | (uint)random.Next(1 << 16), (ulong)random.NextInt64());
        }

        CheckVisible(v4);
        _reader = v4
            ? new BackgroundReader("mapcache-reader", v4Destinations.Length, _ => ReadV4(v4Destinations))
            : new BackgroundReader("mapcache-reader", v6Destinations.Length, _ => ReadV6(v6Destinations));
        _reader.Start();
    }

    [GlobalCleanup]
    public void Cleanup() => Console.WriteLine(_reader.Stop($"{Family} map-cache updates into 1M entries"));

    [Benchmark(OperationsPerInvoke = 2 * Updates)]
    public void AddThenRemove()
    {
        var updates = _updates;
        for (int k = 0; k < updates.Length; k++)
        {
            _cache.AddOrReplace(updates[k]);
        }

        for (int k = 0; k < updates.Length; k++)
        {
            _cache.Remove(updates[k].Prefix);
        }

        _cache.ReclaimRetiredSlots();
    }

    private static Locator Rloc(int i) => new(new Ipv4Address(0xC633_6400u + (uint)(i % 250) + 1), 1, 100);

    private void CheckVisible(bool v4)
    {
        _cache.AddOrReplace(_updates[0]);
        bool added = Found(_updates[0]);
        AddThenRemove();
        if (!added || Found(_updates[0]) || _cache.Count != _entriesBefore)
        {
            throw new InvalidOperationException("a published entry was not found by a lookup, or still found after its removal: the benchmark would not measure updates");
        }

        long fewest = long.MaxValue;
        for (int run = 0; run < 3; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            AddThenRemove();
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        if (fewest > 0)
        {
            throw new InvalidOperationException($"{fewest} bytes allocated by 2048 updates: a table grows with every add/remove pair (retired LPM nodes or slots never reused)");
        }

        bool Found(MapCacheEntry entry)
        {
            var instance = _index.Instance(Instance);
            bool hit = v4 ? instance.TryLookup(entry.Prefix.Address.AsV4(), out uint slot) : instance.TryLookup(entry.Prefix.Address.AsV6(), out slot);
            return hit && ReferenceEquals(_cache.View[slot], entry);
        }
    }

    private long ReadV4(uint[] destinations)
    {
        long found = 0;
        for (int start = 0; start < destinations.Length; start += 256)
        {
            var view = _cache.View;
            var instance = _index.Instance(Instance);
            for (int i = start; i < start + 256; i++)
            {
                found += instance.TryLookup(new Ipv4Address(destinations[i]), out uint slot) && view[slot] is not null ? 1 : 0;
            }
        }

        return found;
    }

    private long ReadV6(UInt128[] destinations)
    {
        long found = 0;
        for (int start = 0; start < destinations.Length; start += 256)
        {
            var view = _cache.View;
            var instance = _index.Instance(Instance);
            for (int i = start; i < start + 256; i++)
            {
                found += instance.TryLookup(new Ipv6Address(destinations[i]), out uint slot) && view[slot] is not null ? 1 : 0;
            }
        }

        return found;
    }
}
