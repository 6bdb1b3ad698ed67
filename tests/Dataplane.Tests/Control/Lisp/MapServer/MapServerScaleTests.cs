using Dataplane.Control.Lisp;
using Dataplane.Forwarding.Configuration;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.LispControl;

namespace Dataplane.Tests.Control.Lisp.MapServer;

/// <summary>
/// The map-server with many sites and many registrations: the site of a record found by longest match chooses what
/// the former scan of every site prefix chose, registrations expire on time and a bounded number per tick, and a
/// registration costs well under 1 KiB of heap.
/// </summary>
[Collection(nameof(MemoryMeasuringCollection))]
public sealed class MapServerScaleTests
{
    [Fact]
    public void TheSiteOfAPrefixIsTheOneTheScanOfEverySitePrefixChose()
    {
        var random = new Random(11);
        var sites = new List<SiteConfig>();
        for (int i = 0; i < 3000; i++)
        {
            // Nested and repeated prefixes on purpose: /8../24 inside 10/8, some listed by two sites.
            var prefixes = Enumerable.Range(0, 1 + random.Next(3)).Select(_ => RandomPrefix(random).ToString()).ToList();
            sites.Add(new SiteConfig { Name = $"site-{i}", Key = "k", EidPrefixes = prefixes, AcceptMoreSpecifics = random.Next(4) != 0 });
        }

        var server = new MapServerUnderTest(new MappingSystemConfig { Sites = sites });
        var parsed = sites.Select(s => (s.Name, s.AcceptMoreSpecifics, Prefixes: s.EidPrefixes.Select(EidPrefix.Parse).ToArray())).ToArray();
        for (int i = 0; i < 20_000; i++)
        {
            var asked = i % 3 == 0 ? EidPrefix.Parse(sites[random.Next(sites.Count)].EidPrefixes[0]) : RandomPrefix(random, longest: 32);
            Assert.Equal(ScanChoice(parsed, asked), server.Server.SiteNameFor(asked));
        }
    }

    /// <summary>What the map-server did before it had an index: every prefix of every site, the most specific covering one, first wins a tie.</summary>
    private static string? ScanChoice((string Name, bool AcceptMoreSpecifics, EidPrefix[] Prefixes)[] sites, EidPrefix prefix)
    {
        (string Name, bool AcceptMoreSpecifics)? best = null;
        EidPrefix bestPrefix = default;
        foreach (var site in sites)
        {
            foreach (var allowed in site.Prefixes)
            {
                if (allowed.Covers(prefix) && (best is null || allowed.PrefixLength > bestPrefix.PrefixLength))
                {
                    best = (site.Name, site.AcceptMoreSpecifics);
                    bestPrefix = allowed;
                }
            }
        }

        return best is { } b && (bestPrefix == prefix || b.AcceptMoreSpecifics) ? b.Name : null;
    }

    private static EidPrefix RandomPrefix(Random random, int longest = 24)
    {
        int length = random.Next(8, longest + 1);
        uint address = 0x0A00_0000u | (uint)random.Next(1 << 12) << 12 | (uint)random.Next(1 << 12);
        return MapServerUnderTest.V4(address, length, instance: (uint)random.Next(2));
    }

    [Fact]
    public void RegistrationsExpireAtTheirTtlAndAtMostABoundedNumberPerTick()
    {
        var server = new MapServerUnderTest(new MappingSystemConfig
        {
            Sites = [new SiteConfig { Name = "big", Key = "key", EidPrefixes = ["10.0.0.0/8"] }],
            RegistrationTtlMinutes = 3,
        });
        int count = MappingSystem.ExpiriesPerTick * 2 + 500;
        for (int i = 0; i < count; i += 100)
        {
            server.Deliver(server.Register("key", [.. Enumerable.Range(i, Math.Min(100, count - i)).Select(n => MapServerUnderTest.Record(MapServerUnderTest.V4(0x0A00_0000u + (uint)n, 32)))]));
        }

        Assert.Equal(count, server.Server.Registrations.Count);
        long registeredAt = server.Now;

        // One of them refreshed two minutes later lives on.
        server.Now = registeredAt + 120_000;
        server.Deliver(server.Register("key", [MapServerUnderTest.Record(MapServerUnderTest.V4(0x0A00_0007u, 32))]));

        server.Now = registeredAt + 180_000 - 1;
        server.Tick();
        Assert.Equal(count, server.Server.Registrations.Count);

        server.Now = registeredAt + 180_000;
        server.Tick();
        Assert.Equal(count - MappingSystem.ExpiriesPerTick, server.Server.Registrations.Count); // bounded work per tick
        server.Tick();
        server.Tick();
        Assert.Single(server.Server.Registrations);
        Assert.Equal(count - 1, server[LispControlEvent.RegistrationExpired]);
        Assert.True(server.Server.TryFind(MapServerUnderTest.V4(0x0A00_0007u, 32), out _));

        server.Now = registeredAt + 300_000;
        server.Tick();
        Assert.Empty(server.Server.Registrations);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ARegistrationCostsUnderOneKibibyteOfHeap(int mix)
    {
        // 200k IPv4 prefixes: one locator each (mix 1), or every other one with two (mix 2, a multihomed half).
        const int count = 200_000;
        var server = new MapServerUnderTest(new MappingSystemConfig
        {
            Sites = [new SiteConfig { Name = "big", Key = "key", EidPrefixes = ["10.0.0.0/8", "[7]10.0.0.0/8"] }],
        });
        long before = HeapAfterFullCollection();
        for (int i = 0; i < count; i += 50)
        {
            var records = Enumerable.Range(i, 50).Select(n =>
                MapServerUnderTest.Record(MapServerUnderTest.V4(0x0A00_0000u + ((uint)n << 4), 28, instance: (uint)(n % 2) * 7), locators: mix == 2 && n % 2 == 1 ? 2 : 1)).ToList();
            server.Deliver(server.Register("key", records, wantMapNotify: false));
        }

        Assert.Equal(count, server.Server.Registrations.Count);
        long after = HeapAfterFullCollection();
        double perRegistration = (after - before) / (double)count;
        Assert.True(perRegistration < 1024, $"{perRegistration:F0} bytes per registration");
        Assert.True(perRegistration > 64, $"{perRegistration:F0} bytes per registration: the measurement did not see the table");
        GC.KeepAlive(server);
    }

    private static long HeapAfterFullCollection()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
