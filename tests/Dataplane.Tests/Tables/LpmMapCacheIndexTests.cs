using Dataplane.Tables.MapCache;
using Dataplane.Tables.Time;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Tables;

public class LpmMapCacheIndexTests
{
    [Fact]
    public void Lpm_lookups_find_the_entry_a_linear_longest_match_finds_across_instances_and_families()
    {
        var random = new Random(9301);
        var clock = new ManualClock();
        var index = new LpmMapCacheIndex();
        var cache = new MapCache(index);
        Locator[] locators = [new(Ipv4Address.Parse("192.0.2.1"), 1, 100)];
        var prefixes = new List<EidPrefix>();
        for (int i = 0; i < 400; i++)
        {
            uint instanceId = (uint)random.Next(2) * 7; // instances 0 and 7
            var prefix = random.Next(2) == 0
                ? EidPrefix.Create(instanceId, new Ipv4Address(0x0A000000u | (uint)random.Next(1 << 16) << 8), random.Next(8, 33))
                : EidPrefix.Create(instanceId, new Ipv6Address(0x20010DB8_00000000UL | (ulong)random.Next(1 << 16) << 16, 0), random.Next(16, 65));
            cache.AddOrReplace(MapCacheEntry.Create(prefix, locators, ttlMinutes: 1440, clock));
            prefixes.Add(prefix);
        }

        foreach (var removed in prefixes.Where((_, i) => i % 5 == 0))
        {
            cache.Remove(removed);
        }

        int found = 0;
        var view = cache.View;
        for (int probe = 0; probe < 4000; probe++)
        {
            var near = prefixes[random.Next(prefixes.Count)];
            uint instanceId = probe % 3 == 0 ? 3u : near.InstanceId; // instance 3 has no table at all
            IpAddress destination;
            bool hit;
            uint slot;
            if (near.Address.IsV4)
            {
                var address = new Ipv4Address(near.Address.AsV4().Value | (uint)random.Next(256));
                destination = address;
                hit = index.TryLookup(instanceId, address, out slot);
            }
            else
            {
                var address = new Ipv6Address(near.Address.AsV6().High | (uint)random.Next(1 << 16), (ulong)random.NextInt64());
                destination = address;
                hit = index.TryLookup(instanceId, address, out slot);
            }

            var expected = cache.FindLongestMatch(instanceId, destination);
            Assert.Equal(expected is not null, hit);
            if (hit)
            {
                Assert.Same(expected, view[slot]);
                found++;
            }
        }

        Assert.True(found > 1000, $"only {found} probes hit an entry");
    }
}
