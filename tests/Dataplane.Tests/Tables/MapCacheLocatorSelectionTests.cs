using Dataplane.Forwarding.Hashing;
using Dataplane.Tables.MapCache;
using Dataplane.Tables.Time;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Tables;

public class MapCacheLocatorSelectionTests
{
    private static readonly EidPrefix Prefix = EidPrefix.Parse("10.0.0.0/8");

    private static Locator L(string address, byte priority, byte weight, bool up = true) => new(IpAddress.Parse(address), priority, weight, up);

    private static MapCacheEntry Entry(params Locator[] locators) => MapCacheEntry.Create(Prefix, locators, 60, new ManualClock());

    // Deterministic stream of distinct random 5-tuples, hashed the way the ITR will hash them.
    private static IEnumerable<uint> RandomFlowHashes(int count, int seed = 12345)
    {
        var random = new Random(seed);
        var seen = new HashSet<(uint, uint, int, int)>();
        while (seen.Count < count)
        {
            var tuple = ((uint)random.Next(), (uint)random.Next(), random.Next(1024, 65536), random.Next(1, 65536));
            if (seen.Add(tuple))
            {
                yield return FlowHash.Hash(new Ipv4Address(tuple.Item1), new Ipv4Address(tuple.Item2), 6, (ushort)tuple.Item3, (ushort)tuple.Item4);
            }
        }
    }

    [Fact]
    public void Lowest_priority_wins()
    {
        var entry = Entry(L("192.0.2.1", 2, 100), L("192.0.2.2", 1, 100), L("192.0.2.3", 3, 100));
        foreach (uint hash in RandomFlowHashes(1000))
        {
            Assert.Equal(1, entry.Selector.Select(hash));
        }
    }

    [Fact]
    public void Priority_255_is_never_chosen()
    {
        var entry = Entry(L("192.0.2.1", 255, 100), L("192.0.2.2", 200, 1));
        Assert.All(RandomFlowHashes(1000), hash => Assert.Equal(1, entry.Selector.Select(hash)));

        var unusable = Entry(L("192.0.2.1", 255, 100), L("2001:db8::1", 255, 0));
        Assert.Equal(0, unusable.Selector.UsableCount);
        Assert.Equal(-1, unusable.Selector.Select(42));
        Assert.False(unusable.TrySelectRloc(42, out _));
    }

    [Fact]
    public void Down_locators_are_skipped_and_a_state_change_publishes_a_new_entry()
    {
        var entry = Entry(L("192.0.2.1", 1, 50), L("192.0.2.2", 1, 50), L("192.0.2.3", 2, 100));
        var down = entry.WithLocatorState(0, isUp: false);

        Assert.NotSame(entry, down);
        Assert.True(entry.Locators[0].IsUp);
        Assert.All(RandomFlowHashes(1000), hash => Assert.Equal(1, down.Selector.Select(hash)));

        // Both best locators down: the next priority takes over.
        var bothDown = down.WithLocatorState(1, isUp: false);
        Assert.All(RandomFlowHashes(100), hash => Assert.Equal(2, bothDown.Selector.Select(hash)));

        var allDown = bothDown.WithLocatorState(2, isUp: false);
        Assert.Equal(-1, allDown.Selector.Select(7));
        Assert.Equal(-1, allDown.Selector.SelectBySourcePort(7));
    }

    [Fact]
    public void A_degraded_locator_yields_to_a_healthy_one_of_its_priority_never_to_a_worse_priority()
    {
        var entry = Entry(L("192.0.2.1", 1, 50), L("192.0.2.2", 1, 50), L("192.0.2.3", 2, 100));
        var degraded = entry.WithLocatorHealth(0, isUp: true, isDegraded: true);

        Assert.True(degraded.Locators[0].IsDegraded);
        Assert.Equal(1, degraded.Selector.UsableCount);
        Assert.All(RandomFlowHashes(1000), hash => Assert.Equal(1, degraded.Selector.Select(hash)));
        Assert.Equal(IpAddress.Parse("192.0.2.2"), degraded.SingleUsableRloc);

        // Every best-priority locator degraded: the weights split them as if none were, priority 2 still unused.
        var both = degraded.WithLocatorHealth(1, isUp: true, isDegraded: true);
        Assert.Equal(2, both.Selector.UsableCount);
        var seen = RandomFlowHashes(1000).Select(both.Selector.Select).ToHashSet();
        Assert.Equal([0, 1], seen.Order());

        // A degraded best priority still beats a healthy worse one: priorities are the ETR's policy.
        var priorities = Entry(L("192.0.2.1", 1, 100), L("192.0.2.3", 2, 100)).WithLocatorHealth(0, isUp: true, isDegraded: true);
        Assert.All(RandomFlowHashes(100), hash => Assert.Equal(0, priorities.Selector.Select(hash)));
    }

    [Fact]
    public void Weights_70_30_split_100k_flows_within_3_percent()
    {
        var entry = Entry(L("192.0.2.1", 1, 70), L("192.0.2.2", 1, 30), L("192.0.2.3", 2, 100));
        var counts = new int[3];
        foreach (uint hash in RandomFlowHashes(100_000))
        {
            counts[entry.Selector.Select(hash)]++;
        }

        Assert.InRange(counts[0] / 100_000.0, 0.67, 0.73);
        Assert.InRange(counts[1] / 100_000.0, 0.27, 0.33);
        Assert.Equal(0, counts[2]);
    }

    [Fact]
    public void The_same_flow_always_gets_the_same_rloc()
    {
        var entry = Entry(L("192.0.2.1", 1, 25), L("192.0.2.2", 1, 25), L("2001:db8::3", 1, 50));
        var rebuilt = Entry(L("192.0.2.1", 1, 25), L("192.0.2.2", 1, 25), L("2001:db8::3", 1, 50));
        foreach (uint hash in RandomFlowHashes(1000))
        {
            Assert.True(entry.TrySelectRloc(hash, out var first));
            for (int i = 0; i < 5; i++)
            {
                Assert.True(entry.TrySelectRloc(hash, out var again));
                Assert.Equal(first, again);
            }

            Assert.True(rebuilt.TrySelectRloc(hash, out var fromRebuilt));
            Assert.Equal(first, fromRebuilt);
        }
    }

    [Fact]
    public void All_zero_weights_share_equally()
    {
        var entry = Entry(L("192.0.2.1", 1, 0), L("192.0.2.2", 1, 0), L("192.0.2.3", 1, 0), L("192.0.2.4", 1, 0));
        var counts = new int[4];
        foreach (uint hash in RandomFlowHashes(100_000))
        {
            counts[entry.Selector.Select(hash)]++;
        }

        Assert.All(counts, c => Assert.InRange(c / 100_000.0, 0.22, 0.28));
    }

    [Fact]
    public void A_zero_weight_next_to_non_zero_weights_gets_no_share()
    {
        var entry = Entry(L("192.0.2.1", 1, 0), L("192.0.2.2", 1, 100));
        Assert.All(RandomFlowHashes(1000), hash => Assert.Equal(1, entry.Selector.Select(hash)));
    }

    [Fact]
    public void Source_port_mode_picks_port_mod_n_over_the_usable_best_set()
    {
        // Usable best set (priority 1, up) in locator order: indices 1, 3, 4. Index 0 is down, 2 is worse, 5 is 255.
        var entry = Entry(
            L("192.0.2.1", 1, 10, up: false),
            L("192.0.2.2", 1, 90),
            L("192.0.2.3", 2, 100),
            L("192.0.2.4", 1, 0),
            L("192.0.2.5", 1, 5),
            L("192.0.2.6", 255, 100));
        byte[] usable = [1, 3, 4];
        Assert.Equal(usable, entry.Selector.BestIndices.ToArray());
        for (int port = 0; port <= ushort.MaxValue; port += 97)
        {
            Assert.Equal((int)usable[port % 3], entry.Selector.SelectBySourcePort((ushort)port));
        }
    }

    [Fact]
    public void A_single_usable_locator_takes_everything()
    {
        var entry = Entry(L("2001:db8::1", 7, 0));
        Assert.All(RandomFlowHashes(100), hash => Assert.Equal(0, entry.Selector.Select(hash)));
        Assert.Equal(0, entry.Selector.SelectBySourcePort(12345));
    }

    [Fact]
    public void Default_selector_selects_nothing()
    {
        LocatorSelector selector = default;
        Assert.Equal(-1, selector.Select(1));
        Assert.Equal(-1, selector.SelectBySourcePort(1));
    }

    [Fact]
    public void Hot_path_selection_allocates_nothing()
    {
        var entry = Entry(L("192.0.2.1", 1, 70), L("192.0.2.2", 1, 30));
        var single = Entry(L("192.0.2.9", 1, 70));
        var cache = new MapCache();
        uint slot = cache.AddOrReplace(entry);

        long sink = Run(cache, slot, single, 10_000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        sink += Run(cache, slot, single, 1_000_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.NotEqual(0, sink);

        static long Run(MapCache cache, uint slot, MapCacheEntry single, int count)
        {
            long total = 0;
            var view = cache.View;
            for (int i = 0; i < count; i++)
            {
                uint hash = FlowHash.Hash(new Ipv4Address((uint)i), new Ipv4Address(0x0A000001), 17, (ushort)i, 4341);
                var entry = view[slot]!;
                total += entry.Selector.Select(hash) + single.Selector.Select(hash) + entry.Selector.SelectBySourcePort((ushort)i);
                if (entry.TrySelectRloc(hash, out var rloc))
                {
                    total += (long)(ulong)rloc.Value;
                }

                total += FlowHash.SourcePort(hash);
            }

            return total;
        }
    }
}
