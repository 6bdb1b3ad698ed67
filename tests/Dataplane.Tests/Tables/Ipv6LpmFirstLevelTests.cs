using Dataplane.Tables.Lpm;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Tables;

/// <summary>
/// The IPv6 trie's direct first level (16 or 24 bits, widened from 16 to 24 as the table grows) against a longest
/// prefix match computed here by brute force over the routes: prefixes shorter than, equal to and longer than the
/// first level, removals that must bring the covering prefix back, the widening itself, and the batch walks.
/// </summary>
public sealed class Ipv6LpmFirstLevelTests
{
    private static readonly UInt128 Site = (UInt128)0x2001_0db8_85a3_0000UL << 64;

    [Theory]
    [InlineData(16)]
    [InlineData(24)]
    public void Nested_prefixes_around_the_first_level_resolve_and_removals_restore_the_covering_one(int firstLevelBits)
    {
        var table = new Ipv6LpmTable(firstLevelBits: firstLevelBits, widenAtNodes: int.MaxValue);
        var routes = new Routes();
        // Every length that sits on or next to a stride boundary of either layout, all on one path.
        int[] lengths = [0, 1, 7, 8, 9, 15, 16, 17, 23, 24, 25, 31, 32, 33, 40, 47, 48, 49, 56, 63, 64, 65, 120, 127, 128];
        foreach (int length in lengths)
        {
            routes.Add(table, Site & Mask(length), length, (uint)(1000 + length));
        }

        // Addresses that leave the path at each bit: the one just above the bit decides the match.
        var probes = new List<UInt128> { Site };
        for (int bit = 0; bit < 128; bit++)
        {
            probes.Add(Site ^ (UInt128.One << (127 - bit)));
        }

        Assert.Equal(firstLevelBits, table.FirstLevelBits);
        routes.Verify(table, probes);

        var random = new Random(firstLevelBits);
        foreach (int length in lengths.OrderBy(_ => random.Next()))
        {
            Assert.True(table.Remove(new Ipv6Address(Site & Mask(length)), length));
            routes.Remove(Site & Mask(length), length);
            routes.Verify(table, probes);
        }

        Assert.Equal(0, table.Count);
        Assert.Equal(0, table.NodesInUse); // every path collapsed back into the first level
    }

    [Fact]
    public void A_24_bit_first_level_spreads_short_prefixes_and_keeps_their_lengths_apart()
    {
        var table = new Ipv6LpmTable(firstLevelBits: 24);
        var routes = new Routes();
        routes.Add(table, (UInt128)0x2000UL << 112, 3, 3);
        routes.Add(table, (UInt128)0x2001UL << 112, 16, 16);
        routes.Add(table, (UInt128)0x2001_0dUL << 104, 24, 24);
        routes.Add(table, (UInt128)0x2001_0d00UL << 96, 20, 20); // shorter than the /24 inside it: must not overwrite it
        var probes = new List<UInt128>();
        var random = new Random(24);
        for (int i = 0; i < 2000; i++)
        {
            probes.Add(((UInt128)0x2000_0000UL << 96) | (Random128(random) >> 4)); // all over 2000::/4
        }

        routes.Verify(table, probes);
        Assert.True(table.Remove(new Ipv6Address((UInt128)0x2001_0dUL << 104), 24));
        routes.Remove((UInt128)0x2001_0dUL << 104, 24);
        routes.Verify(table, probes); // the /20 shows through where the /24 was
        Assert.False(table.AddOrReplace(new Ipv6Address((UInt128)0x2001UL << 112), 16, 160));
        routes.Add(table, (UInt128)0x2001UL << 112, 16, 160);
        routes.Verify(table, probes);
    }

    [Fact]
    public void Widening_keeps_every_route_and_later_changes_work_on_the_wide_level()
    {
        var random = new Random(16);
        var table = new Ipv6LpmTable(initialNodes: 2, widenAtNodes: 40);
        var routes = new Routes();
        var probes = new List<UInt128>();
        for (int i = 0; i < 400; i++)
        {
            int length = RandomLength(random);
            UInt128 prefix = RandomUnderSite(random) & Mask(length);
            routes.Add(table, prefix, length, (uint)random.Next((int)Ipv6LpmTable.MaxValue));
            probes.Add(prefix | (Random128(random) & ~Mask(length)));
            probes.Add(RandomUnderSite(random));
            if (i == 2)
            {
                Assert.Equal(16, table.FirstLevelBits); // still narrow: few nodes so far
                routes.Verify(table, probes);
            }
        }

        Assert.Equal(24, table.FirstLevelBits);
        Assert.True(table.NodesRetired > 0, "the level-1 nodes folded into the wide level are retired, not reused at once");
        routes.Verify(table, probes);

        // Removes and replaces after the widening, some of them of prefixes added before it.
        var existing = routes.All.ToList();
        for (int i = 0; i < existing.Count; i += 2)
        {
            Assert.True(table.Remove(new Ipv6Address(existing[i].Prefix), existing[i].Length));
            routes.Remove(existing[i].Prefix, existing[i].Length);
        }

        for (int i = 1; i < existing.Count; i += 4)
        {
            routes.Add(table, existing[i].Prefix, existing[i].Length, (uint)i);
        }

        table.ReclaimRetiredNodes();
        Assert.Equal(0, table.NodesRetired);
        routes.Verify(table, probes);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(24)]
    public void Batch_walks_equal_single_walks_and_the_reference_for_random_prefixes(int firstLevelBits)
    {
        var random = new Random(firstLevelBits * 7);
        var table = new Ipv6LpmTable(firstLevelBits: firstLevelBits, widenAtNodes: int.MaxValue);
        var routes = new Routes();
        for (int i = 0; i < 1500; i++)
        {
            int length = RandomLength(random);
            UInt128 prefix = (i % 3 == 0 ? Random128(random) : RandomUnderSite(random)) & Mask(length);
            routes.Add(table, prefix, length, (uint)i);
        }

        var all = routes.All.ToList();
        for (int round = 0; round < 12; round++)
        {
            // Odd sizes too: the batch walk steps four walks per iteration and the rest one by one.
            int count = round == 0 ? Ipv6LpmTable.MaxInterleaved : random.Next(0, Ipv6LpmTable.MaxInterleaved + 1);
            var addresses = new UInt128[count];
            for (int i = 0; i < count; i++)
            {
                var (prefix, length, _) = all[random.Next(all.Count)];
                addresses[i] = (i % 4) switch
                {
                    0 => Random128(random),
                    1 => RandomUnderSite(random),
                    _ => prefix | (Random128(random) & ~Mask(length)),
                };
            }

            var interleaved = new uint[count];
            var batch = new uint[count];
            int foundInterleaved = table.LookupBatchInterleaved(addresses, interleaved);
            int foundBatch = table.LookupBatch(addresses, batch);
            int expectedFound = 0;
            for (int i = 0; i < count; i++)
            {
                uint expected = routes.Match(addresses[i]);
                expectedFound += expected == Ipv6LpmTable.NoValue ? 0 : 1;
                Assert.Equal(expected, interleaved[i]);
                Assert.Equal(expected, batch[i]);
                Assert.Equal(expected, table.TryLookup(new Ipv6Address(addresses[i]), out uint single) ? single : Ipv6LpmTable.NoValue);
            }

            Assert.Equal(expectedFound, foundInterleaved);
            Assert.Equal(expectedFound, foundBatch);
        }
    }

    [Fact]
    public void Readers_keep_finding_their_routes_while_the_first_level_widens()
    {
        var table = new Ipv6LpmTable(initialNodes: 1, widenAtNodes: 2000);
        var stable = new List<(UInt128 Address, uint Value)>();
        var random = new Random(5);
        for (int i = 0; i < 64; i++)
        {
            UInt128 prefix = RandomUnderSite(random) & Mask(48);
            if (table.TryAdd(new Ipv6Address(prefix), 48, (uint)(i + 1)))
            {
                stable.Add((prefix | 0x1234, (uint)(i + 1)));
            }
        }

        long wrong = 0;
        long lookups = 0;
        using var done = new ManualResetEventSlim();
        var reader = new Thread(() =>
        {
            var values = new uint[stable.Count];
            var addresses = stable.Select(s => s.Address).ToArray();
            while (!done.IsSet)
            {
                table.LookupBatchInterleaved(addresses, values);
                for (int i = 0; i < stable.Count; i++)
                {
                    bool single = table.TryLookup(new Ipv6Address(addresses[i]), out uint value);
                    if (values[i] != stable[i].Value || !single || value != stable[i].Value)
                    {
                        Interlocked.Increment(ref wrong);
                    }
                }

                lookups += stable.Count;
            }
        })
        { IsBackground = true };
        reader.Start();

        // Unrelated /64s elsewhere, each on a path of its own: enough nodes to widen, and the pool grows meanwhile.
        var writer = new Random(6);
        while (table.FirstLevelBits < 24)
        {
            UInt128 prefix = (((UInt128)0x3000_0000UL << 96) | (Random128(writer) >> 4)) & Mask(64);
            table.TryAdd(new Ipv6Address(prefix), 64, 7);
        }

        for (int i = 0; i < 2000; i++)
        {
            UInt128 prefix = (((UInt128)0x3000_0000UL << 96) | (Random128(writer) >> 4)) & Mask(64);
            table.TryAdd(new Ipv6Address(prefix), 64, 7);
        }

        Thread.Sleep(50);
        done.Set();
        reader.Join();
        Assert.Equal(0, Interlocked.Read(ref wrong));
        Assert.True(lookups > 0);
    }

    private static int RandomLength(Random random) => random.Next(10) switch
    {
        0 => random.Next(0, 17),
        1 => random.Next(17, 25),
        2 => random.Next(25, 33),
        < 8 => random.Next(33, 65),
        _ => random.Next(65, 129),
    };

    // Under one /24 with some spread below it, so routes share first-level entries and nodes.
    private static UInt128 RandomUnderSite(Random random) => Site | ((UInt128)(ulong)random.Next(8) << 100) | (Random128(random) >> 36);

    private static UInt128 Mask(int length) => length == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - length);

    private static UInt128 Random128(Random random) =>
        new((ulong)random.NextInt64() ^ ((ulong)random.Next() << 63), (ulong)random.NextInt64() ^ ((ulong)random.Next() << 63));

    /// <summary>The reference: the routes as a plain map, matched by masking the address with every length.</summary>
    private sealed class Routes
    {
        private readonly Dictionary<(UInt128 Prefix, int Length), uint> _routes = [];

        public IEnumerable<(UInt128 Prefix, int Length, uint Value)> All => _routes.Select(r => (r.Key.Prefix, r.Key.Length, r.Value));

        public void Add(Ipv6LpmTable table, UInt128 prefix, int length, uint value)
        {
            prefix &= Mask(length);
            bool isNew = !_routes.ContainsKey((prefix, length));
            Assert.Equal(isNew, table.AddOrReplace(new Ipv6Address(prefix), length, value));
            _routes[(prefix, length)] = value;
        }

        public void Remove(UInt128 prefix, int length) => _routes.Remove((prefix, length));

        public uint Match(UInt128 address)
        {
            for (int length = 128; length >= 0; length--)
            {
                if (_routes.TryGetValue((address & Mask(length), length), out uint value))
                {
                    return value;
                }
            }

            return Ipv6LpmTable.NoValue;
        }

        public void Verify(Ipv6LpmTable table, List<UInt128> probes)
        {
            foreach (UInt128 address in probes)
            {
                uint expected = Match(address);
                Assert.Equal(expected, table.TryLookup(new Ipv6Address(address), out uint value) ? value : Ipv6LpmTable.NoValue);
            }

            for (int start = 0; start < probes.Count; start += Ipv6LpmTable.MaxInterleaved)
            {
                var addresses = probes.GetRange(start, Math.Min(Ipv6LpmTable.MaxInterleaved, probes.Count - start)).ToArray();
                var values = new uint[addresses.Length];
                table.LookupBatchInterleaved(addresses, values);
                for (int i = 0; i < addresses.Length; i++)
                {
                    Assert.Equal(Match(addresses[i]), values[i]);
                }
            }
        }
    }
}
