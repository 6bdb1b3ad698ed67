using Dataplane.Tables.Lpm;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Tables;

/// <summary>
/// The interleaved batch walk of the IPv6 trie against a longest-prefix match computed here by brute force over the
/// routes (mask and compare, longest wins), and against the single walk.
/// </summary>
public sealed class Ipv6LpmInterleavedLookupTests
{
    [Fact]
    public void Interleaved_walks_find_the_longest_match_of_every_address()
    {
        var random = new Random(6);
        var table = new Ipv6LpmTable();
        var routes = new List<(UInt128 Prefix, int Length, uint Value)>();
        UInt128 site = (UInt128)0x2001_0db8_0000_0000UL << 64;
        for (int i = 0; i < 3000; i++)
        {
            // Prefixes of every length under a few /32s, so the walks share upper levels and part ways at many depths.
            int length = i < 3 ? i * 16 : random.Next(16, 129);
            UInt128 prefix = (site | ((UInt128)(ulong)random.Next(4) << 80) | Random128(random) >> 48) & Mask(length);
            uint value = (uint)i;
            if (table.AddOrReplace(new Ipv6Address(prefix), length, value))
            {
                routes.Add((prefix, length, value));
            }
            else
            {
                int at = routes.FindIndex(route => route.Prefix == prefix && route.Length == length);
                routes[at] = (prefix, length, value);
            }
        }

        for (int round = 0; round < 20; round++)
        {
            var addresses = new UInt128[Ipv6LpmTable.MaxInterleaved];
            for (int i = 0; i < addresses.Length; i++)
            {
                var (prefix, length, _) = routes[random.Next(routes.Count)];
                addresses[i] = i % 5 == 0 ? Random128(random) : prefix | (Random128(random) & ~Mask(length)); // inside a route, or anywhere
            }

            var values = new uint[addresses.Length];
            int found = table.LookupBatchInterleaved(addresses, values);

            int expectedFound = 0;
            for (int i = 0; i < addresses.Length; i++)
            {
                uint expected = BruteForce(routes, addresses[i]);
                expectedFound += expected == Ipv6LpmTable.NoValue ? 0 : 1;
                Assert.Equal(expected, values[i]);
                Assert.Equal(table.TryLookup(new Ipv6Address(addresses[i]), out uint single) ? single : Ipv6LpmTable.NoValue, values[i]);
            }

            Assert.Equal(expectedFound, found);
        }
    }

    // The batch walk steps every walk while more than a quarter go on, then only a list of those: batches where a
    // few walks go to /128 while the rest end at the first level or at /48, of every length the unrolled passes
    // split unevenly (1, 3, 5, 7 ...), must give what the brute force gives.
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 1)]
    [InlineData(5, 2)]
    [InlineData(7, 7)]
    [InlineData(64, 3)]
    [InlineData(255, 20)]
    [InlineData(256, 0)]
    [InlineData(256, 64)]
    [InlineData(256, 65)]
    [InlineData(256, 256)]
    public void Batches_where_few_or_all_walks_go_deep_match_the_reference(int batch, int deep)
    {
        var random = new Random(batch * 1000 + deep);
        var table = new Ipv6LpmTable();
        var routes = new List<(UInt128 Prefix, int Length, uint Value)>();
        void Add(UInt128 prefix, int length)
        {
            prefix &= Mask(length);
            uint value = (uint)routes.Count;
            if (table.TryAdd(new Ipv6Address(prefix), length, value))
            {
                routes.Add((prefix, length, value));
            }
        }

        UInt128 site = (UInt128)0x2001_0db8_0000_0000UL << 64;
        Add((UInt128)0x2000UL << 112, 8); // 2000::/8 ends walks at the first level
        var hosts = new List<UInt128>();
        var sites = new List<UInt128>();
        for (int i = 0; i < 64; i++)
        {
            UInt128 host = site | ((UInt128)(ulong)random.Next(1 << 16) << 80) | (Random128(random) & ~Mask(48));
            Add(host, 128); // a walk through every level
            hosts.Add(host);
            UInt128 siteRoute = site | ((UInt128)(ulong)random.Next(1 << 16) << 80);
            Add(siteRoute, 48);
            sites.Add(siteRoute);
        }

        var addresses = new UInt128[batch];
        for (int i = 0; i < batch; i++)
        {
            addresses[i] = i < deep
                ? hosts[random.Next(hosts.Count)]
                : (i - deep) % 2 == 0 ? ((UInt128)0x20ffUL << 112) | (Random128(random) & ~Mask(16)) : sites[random.Next(sites.Count)] | (Random128(random) & ~Mask(48));
        }

        random.Shuffle(addresses); // the deep walks anywhere in the batch, not only first
        var values = new uint[batch];
        int found = table.LookupBatchInterleaved(addresses, values);

        for (int i = 0; i < batch; i++)
        {
            Assert.Equal(BruteForce(routes, addresses[i]), values[i]);
        }

        Assert.Equal(batch, found); // every address is under 2000::/8 at least
        Assert.Equal((batch - deep + 1) / 2, values.Count(value => routes[(int)value].Length == 8));
        Assert.Equal(deep, values.Count(value => routes[(int)value].Length == 128));
    }

    [Fact]
    public void An_empty_table_misses_everything_and_a_batch_over_the_limit_is_refused()
    {
        var table = new Ipv6LpmTable();
        var values = new uint[3];
        Assert.Equal(0, table.LookupBatchInterleaved([1, 2, 3], values));
        Assert.All(values, value => Assert.Equal(Ipv6LpmTable.NoValue, value));
        Assert.Throws<ArgumentOutOfRangeException>(() => table.LookupBatchInterleaved(new UInt128[Ipv6LpmTable.MaxInterleaved + 1], new uint[Ipv6LpmTable.MaxInterleaved + 1]));
    }

    private static uint BruteForce(List<(UInt128 Prefix, int Length, uint Value)> routes, UInt128 address)
    {
        int best = -1;
        uint value = Ipv6LpmTable.NoValue;
        foreach (var (prefix, length, routeValue) in routes)
        {
            if ((address & Mask(length)) == prefix && length > best)
            {
                best = length;
                value = routeValue;
            }
        }

        return value;
    }

    private static UInt128 Mask(int length) => length == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - length);

    private static UInt128 Random128(Random random) => new((ulong)random.NextInt64() ^ ((ulong)random.Next() << 63), (ulong)random.NextInt64() ^ ((ulong)random.Next() << 63));
}
