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
