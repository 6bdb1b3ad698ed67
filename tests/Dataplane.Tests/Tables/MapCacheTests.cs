using Dataplane.Tables.MapCache;
using Dataplane.Tables.Time;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Tables;

public class MapCacheTests
{
    private sealed class RecordingIndex : IMapCacheIndex
    {
        public Dictionary<EidPrefix, uint> Routes { get; } = [];

        public List<string> Log { get; } = [];

        public void Insert(EidPrefix prefix, uint slot)
        {
            Routes[prefix] = slot;
            Log.Add($"+{prefix}@{slot}");
        }

        public void Remove(EidPrefix prefix)
        {
            Routes.Remove(prefix);
            Log.Add($"-{prefix}");
        }
    }

    private static MapCacheEntry Positive(string prefix, string rloc, uint ttl, IMonotonicClock clock, ushort version = 0) =>
        MapCacheEntry.Create(EidPrefix.Parse(prefix), [new Locator(IpAddress.Parse(rloc), 1, 100)], ttl, clock, version);

    [Fact]
    public void Replace_keeps_the_slot_publishes_the_new_entry_and_bumps_the_version()
    {
        var clock = new ManualClock();
        var index = new RecordingIndex();
        var cache = new MapCache(index);
        uint slot = cache.AddOrReplace(Positive("10.0.0.0/8", "192.0.2.1", 10, clock, version: 1));
        long afterAdd = cache.Version;
        var view = cache.View;

        var newer = Positive("10.0.0.0/8", "192.0.2.2", 10, clock, version: 2);
        Assert.Equal(slot, cache.AddOrReplace(newer));

        Assert.True(cache.Version > afterAdd);
        Assert.Same(newer, cache.View[slot]);
        Assert.Same(newer, view[slot]);
        Assert.Equal(2, cache.View[slot]!.MapVersion);
        Assert.Equal(1, cache.Count);
        Assert.Equal(["+10.0.0.0/8@" + slot], index.Log);
    }

    [Fact]
    public void Remove_unhooks_the_index_and_frees_the_slot()
    {
        var clock = new ManualClock();
        var index = new RecordingIndex();
        var cache = new MapCache(index);
        uint a = cache.AddOrReplace(Positive("10.0.0.0/8", "192.0.2.1", 10, clock));
        uint b = cache.AddOrReplace(Positive("[1]2001:db8::/32", "2001:db8:ffff::1", 10, clock));
        Assert.NotEqual(a, b);
        long before = cache.Version;

        Assert.True(cache.Remove(EidPrefix.Parse("10.0.0.0/8")));
        Assert.False(cache.Remove(EidPrefix.Parse("10.0.0.0/8")));
        Assert.True(cache.Version > before);
        Assert.Null(cache.View[a]);
        Assert.False(index.Routes.ContainsKey(EidPrefix.Parse("10.0.0.0/8")));
        Assert.Equal(b, index.Routes[EidPrefix.Parse("[1]2001:db8::/32")]);
        Assert.Equal(a, cache.AddOrReplace(Positive("11.0.0.0/8", "192.0.2.3", 10, clock)));
    }

    [Fact]
    public void Deferred_reuse_keeps_a_freed_slot_empty_until_reclaimed()
    {
        var clock = new ManualClock();
        var cache = new MapCache(deferSlotReuse: true);
        uint a = cache.AddOrReplace(Positive("10.0.0.0/8", "192.0.2.1", 10, clock));
        Assert.True(cache.Remove(EidPrefix.Parse("10.0.0.0/8")));

        uint b = cache.AddOrReplace(Positive("11.0.0.0/8", "192.0.2.1", 10, clock));
        Assert.NotEqual(a, b);
        Assert.Null(cache.View[a]);

        Assert.Equal(1, cache.ReclaimRetiredSlots());
        Assert.Equal(0, cache.ReclaimRetiredSlots());
        Assert.Equal(a, cache.AddOrReplace(Positive("12.0.0.0/8", "192.0.2.1", 10, clock)));
        Assert.Equal(0, new MapCache().ReclaimRetiredSlots());
    }

    [Fact]
    public void Sweep_removes_only_expired_entries()
    {
        var clock = new ManualClock();
        var index = new RecordingIndex();
        var cache = new MapCache(index);
        cache.AddOrReplace(Positive("10.0.0.0/8", "192.0.2.1", 1, clock));
        cache.AddOrReplace(Positive("11.0.0.0/8", "192.0.2.1", 5, clock));
        cache.AddOrReplace(MapCacheEntry.Negative(EidPrefix.Parse("12.0.0.0/8"), NegativeAction.SendMapRequest, 1, clock));

        Assert.Equal(0, cache.Sweep(clock.Now));
        clock.Advance(TimeSpan.FromMinutes(1));
        var expired = new List<EidPrefix>();
        Assert.Equal(2, cache.Sweep(clock.Now, expired));
        Assert.Equal([EidPrefix.Parse("10.0.0.0/8"), EidPrefix.Parse("12.0.0.0/8")], expired.OrderBy(p => p.ToString()));
        Assert.Equal(1, cache.Count);
        Assert.Equal([EidPrefix.Parse("11.0.0.0/8")], index.Routes.Keys);
        clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(1, cache.Sweep(clock.Now));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Growing_keeps_every_entry_reachable_and_old_views_stay_valid()
    {
        var clock = new ManualClock();
        var cache = new MapCache(initialCapacity: 2);
        var oldView = cache.View;
        var slots = new List<uint>();
        for (int i = 0; i < 100; i++)
        {
            slots.Add(cache.AddOrReplace(Positive($"10.{i}.0.0/16", "192.0.2.1", 10, clock)));
        }

        Assert.Equal(100, slots.Distinct().Count());
        var view = cache.View;
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(EidPrefix.Parse($"10.{i}.0.0/16"), view[slots[i]]!.Prefix);
        }

        Assert.Equal(2, oldView.Length);
        Assert.Null(view[uint.MaxValue]);
        Assert.Null(default(MapCacheView)[0]);
    }

    [Fact]
    public void Linear_longest_match_prefers_the_most_specific()
    {
        var clock = new ManualClock();
        var cache = new MapCache();
        cache.AddOrReplace(Positive("10.0.0.0/8", "192.0.2.1", 10, clock));
        cache.AddOrReplace(Positive("10.1.0.0/16", "192.0.2.2", 10, clock));
        cache.AddOrReplace(Positive("[3]10.1.2.0/24", "192.0.2.3", 10, clock));

        Assert.Equal(EidPrefix.Parse("10.1.0.0/16"), cache.FindLongestMatch(0, IpAddress.Parse("10.1.2.3"))!.Prefix);
        Assert.Equal(EidPrefix.Parse("[3]10.1.2.0/24"), cache.FindLongestMatch(3, IpAddress.Parse("10.1.2.3"))!.Prefix);
        Assert.Null(cache.FindLongestMatch(0, IpAddress.Parse("2001:db8::1")));
    }

    [Fact]
    public void Readers_never_see_a_torn_entry_while_a_writer_replaces_it()
    {
        var clock = new ManualClock();
        var cache = new MapCache();
        var prefix = EidPrefix.Parse("10.0.0.0/8");
        uint slot = cache.AddOrReplace(Positive("10.0.0.0/8", "192.0.2.0", 10, clock, 0));
        var writer = new Thread(() =>
        {
            for (ushort v = 1; v < 20_000; v++)
            {
                // The RLOC's last octet and the map-version move together; a reader checks they agree.
                var rloc = new Dataplane.Wire.Addresses.Ipv4Address(0xC0000200u | (uint)(v & 0xFF));
                cache.AddOrReplace(MapCacheEntry.Create(prefix, [new Locator(rloc, 1, 100)], 10, clock, (ushort)(v & 0xFF)));
            }
        });
        writer.Start();

        int reads = 0;
        while (writer.IsAlive || reads < 1000)
        {
            var entry = cache.View[slot]!;
            Assert.Equal(entry.MapVersion, (ushort)(entry.Locators[0].Address.Value & 0xFF));
            reads++;
        }

        writer.Join();
    }
}
