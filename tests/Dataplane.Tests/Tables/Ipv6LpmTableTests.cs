using System.Diagnostics;
using Dataplane.Tables.Lpm;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Tables;

public class Ipv6LpmTableTests
{
    private static Ipv6Address A(string text) => Ipv6Address.Parse(text);

    private static UInt128 Mask(int length) => length == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - length);

    [Fact]
    public void Default_route_host_route_and_empty()
    {
        var table = new Ipv6LpmTable();
        Assert.False(table.TryLookup(A("2001:db8::1"), out _));
        Assert.True(table.TryAdd(A("::"), 0, 1));
        Assert.True(table.TryAdd(A("2001:db8::1"), 128, 2));
        Assert.True(table.TryLookup(A("2001:db8::1"), out uint v) && v == 2);
        Assert.True(table.TryLookup(A("2001:db8::2"), out v) && v == 1);
        Assert.True(table.TryLookup(A("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), out v) && v == 1);
        Assert.True(table.Remove(A("2001:db8::1"), 128));
        Assert.Equal(0, table.NodesInUse); // the whole path collapsed
        Assert.True(table.TryLookup(A("2001:db8::1"), out v) && v == 1);
        Assert.True(table.Remove(A("::"), 0));
        Assert.False(table.TryLookup(A("2001:db8::1"), out _));
    }

    [Fact]
    public void Stride_boundaries_and_nested_removes()
    {
        var table = new Ipv6LpmTable();
        table.TryAdd(A("2001:db8::"), 32, 32);
        table.TryAdd(A("2001:db8:0:100::"), 56, 56);
        table.TryAdd(A("2001:db8:0:180::"), 57, 57);
        table.TryAdd(A("2001:db8::"), 16, 16); // host bits ignored: this is 2001::/16
        Assert.True(table.TryLookup(A("2001:db8:0:1ff::1"), out uint v) && v == 57);
        Assert.True(table.TryLookup(A("2001:db8:0:17f::1"), out v) && v == 56);
        Assert.True(table.TryLookup(A("2001:db8:0:200::1"), out v) && v == 32);
        Assert.True(table.TryLookup(A("2001:db9::1"), out v) && v == 16);
        Assert.True(table.Remove(A("2001:db8::"), 32));
        Assert.True(table.TryLookup(A("2001:db8:0:200::1"), out v) && v == 16);
        Assert.True(table.TryLookup(A("2001:db8:0:1ff::1"), out v) && v == 57);
        Assert.False(table.AddOrReplace(A("2001:db8:0:180::"), 57, 99));
        Assert.True(table.TryLookup(A("2001:db8:0:1ff::1"), out v) && v == 99);
        Assert.False(table.TryAdd(A("2001:db8:0:180::"), 57, 1));
    }

    [Fact]
    public void Matches_brute_force_reference_through_adds_replaces_and_removes()
    {
        var random = new Random(6);
        var table = new Ipv6LpmTable(initialNodes: 2);
        var reference = new Dictionary<(UInt128, int), uint>();
        UInt128[] bases = [A("2001:db8::").Value, A("2001:db8:1234:5678::").Value, A("fe80::").Value];

        UInt128 RandomPrefix(out int length)
        {
            // Short prefixes rewrite every node below them, so keep them rare to keep the test fast.
            length = random.Next(50) == 0 ? random.Next(0, 17) : random.Next(3) switch { 0 => random.Next(17, 129), 1 => random.Next(17, 65), _ => random.Next(100, 129) };
            var noise = new UInt128((ulong)random.NextInt64(), (ulong)random.NextInt64());
            // Keep the top of a shared base so prefixes nest, with random bits below a random depth.
            int keep = random.Next(0, 97);
            UInt128 address = (bases[random.Next(bases.Length)] & Mask(keep)) | (noise & ~Mask(keep));
            return address & Mask(length);
        }

        for (int i = 0; i < 3000; i++)
        {
            UInt128 prefix = RandomPrefix(out int length);
            uint value = (uint)random.Next((int)Ipv6LpmTable.MaxValue);
            Assert.Equal(!reference.ContainsKey((prefix, length)), table.AddOrReplace(new Ipv6Address(prefix), length, value));
            reference[(prefix, length)] = value;
        }

        Verify(table, reference, random);
        var keys = reference.Keys.ToList();
        for (int i = 0; i < 1500; i++)
        {
            var key = keys[random.Next(keys.Count)];
            Assert.Equal(reference.Remove(key), table.Remove(new Ipv6Address(key.Item1), key.Item2));
            if (i % 4 == 0)
            {
                UInt128 prefix = RandomPrefix(out int length);
                table.AddOrReplace(new Ipv6Address(prefix), length, (uint)i);
                reference[(prefix, length)] = (uint)i;
            }

            if (i % 300 == 0)
            {
                table.ReclaimRetiredNodes();
            }
        }

        Assert.Equal(reference.Count, table.Count);
        Verify(table, reference, random);
    }

    private static void Verify(Ipv6LpmTable table, Dictionary<(UInt128 Prefix, int Length), uint> reference, Random random)
    {
        var rules = reference.Select(r => (r.Key.Prefix, r.Key.Length, r.Value, Mask: Mask(r.Key.Length))).ToArray();
        var probes = new List<UInt128>();
        foreach (var (prefix, length, _, _) in rules.Take(1000))
        {
            UInt128 span = ~Mask(length);
            probes.Add(prefix);
            probes.Add(prefix | span);
            probes.Add(prefix | (new UInt128((ulong)random.NextInt64(), (ulong)random.NextInt64()) & span));
            probes.Add(prefix - 1);
            probes.Add((prefix | span) + 1);
        }

        for (int i = 0; i < 500; i++)
        {
            probes.Add(new UInt128((ulong)random.NextInt64(), (ulong)random.NextInt64()));
        }

        var values = new uint[probes.Count];
        int found = table.LookupBatch(probes.ToArray(), values);
        int expectedFound = 0;
        for (int p = 0; p < probes.Count; p++)
        {
            int best = -1;
            uint expected = 0;
            foreach (var (prefix, length, value, mask) in rules)
            {
                if (length > best && (probes[p] & mask) == prefix)
                {
                    best = length;
                    expected = value;
                }
            }

            bool hit = table.TryLookup(new Ipv6Address(probes[p]), out uint actual);
            Assert.Equal(best >= 0, hit);
            Assert.Equal(hit ? expected : Ipv6LpmTable.NoValue, values[p]);
            if (hit)
            {
                expectedFound++;
                Assert.Equal(expected, actual);
            }
        }

        Assert.Equal(expectedFound, found);
    }

    [Fact]
    public void Lookups_do_not_allocate()
    {
        var table = new Ipv6LpmTable();
        table.TryAdd(A("2001:db8::"), 32, 1);
        table.TryAdd(A("2001:db8::1"), 128, 2);
        UInt128 baseAddress = A("2001:db8::").Value;
        var batch = new UInt128[64];
        var values = new uint[64];
        for (int i = 0; i < batch.Length; i++)
        {
            batch[i] = baseAddress + (uint)i;
        }

        table.TryLookup(A("2001:db8::1"), out _);
        table.LookupBatch(batch, values);
        table.LookupBatchInterleaved(batch, values);
        uint sum = 0;
        // Warm up first so tiered compilation and on-stack replacement are done before measuring.
        for (int round = 0; round < 3; round++)
        {
            sum += Run();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        sum += Run();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.NotEqual(0u, sum);

        uint Run()
        {
            uint total = 0;
            for (uint i = 0; i < 1_000_000; i++)
            {
                table.TryLookup(new Ipv6Address(baseAddress + (i & 3)), out uint v);
                total += v;
            }

            for (int i = 0; i < 1000; i++)
            {
                table.LookupBatch(batch, values);
                table.LookupBatchInterleaved(batch, values);
            }

            return total;
        }
    }

    [Fact]
    public void Readers_never_see_a_torn_or_foreign_value_while_one_writer_churns()
    {
        var table = new Ipv6LpmTable(initialNodes: 1);
        UInt128 site = A("2001:db8::").Value;
        table.TryAdd(new Ipv6Address(site), 32, 1); // covering route: lookups under it never miss
        uint[] valid = [1, 2, 3, 4, 5];
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(1.5));
        long bad = 0;
        long lookups = 0;

        // Addresses vary only in a few bits at several depths, so writer prefixes overlap readers' paths.
        UInt128 Address(Random r) => site | ((UInt128)(uint)r.Next(16) << 88) | ((UInt128)(uint)r.Next(16) << 40) | (uint)r.Next(16);

        void Reader(int seed)
        {
            var random = new Random(seed);
            long n = 0;
            while (!stop.IsCancellationRequested)
            {
                for (int i = 0; i < 4096; i++)
                {
                    if (!table.TryLookup(new Ipv6Address(Address(random)), out uint v) || Array.IndexOf(valid, v) < 0)
                    {
                        Interlocked.Increment(ref bad);
                    }
                }

                n += 4096;
            }

            Interlocked.Add(ref lookups, n);
        }

        var readers = Enumerable.Range(0, 2).Select(s => new Thread(() => Reader(s)) { IsBackground = true }).ToArray();
        foreach (var reader in readers)
        {
            reader.Start();
        }

        var writerRandom = new Random(9);
        int operations = 0;
        while (!stop.IsCancellationRequested && operations < 1_000_000)
        {
            int length = writerRandom.Next(33, 129);
            var prefix = new Ipv6Address(Address(writerRandom) & Mask(length));
            if (operations % 1000 == 0)
            {
                // Replace the covering route too: its entries are pushed down into nodes that come and go.
                table.AddOrReplace(new Ipv6Address(site), 32, (uint)writerRandom.Next(1, 6));
            }
            else if (writerRandom.Next(2) == 0)
            {
                table.AddOrReplace(prefix, length, (uint)writerRandom.Next(2, 6));
            }
            else
            {
                table.Remove(prefix, length);
            }

            operations++;
        }

        foreach (var reader in readers)
        {
            reader.Join();
        }

        Assert.Equal(0, Interlocked.Read(ref bad));
        Assert.True(lookups > 0);
        Assert.True(operations > 0);
    }

    [Fact]
    public void Scale_fifty_thousand_prefixes()
    {
        var random = new Random(3);
        var table = new Ipv6LpmTable(initialNodes: 1 << 12);
        var prefixes = new (UInt128 Prefix, int Length)[50_000];
        for (int i = 0; i < prefixes.Length; i++)
        {
            // Shape: roughly an Internet table, mostly /29../48 under 2000::/3, some /64 and host routes.
            // Random prefixes share little beyond the root, so each needs its own path (~3 nodes, ~3.5 KiB):
            // the worst case for an 8-bit stride trie, and why the test stays small.
            int length = random.Next(100) switch { < 85 => random.Next(29, 49), < 97 => 64, _ => 128 };
            var address = new UInt128(0x2000_0000_0000_0000ul | ((ulong)random.NextInt64() >> 3), (ulong)random.NextInt64());
            prefixes[i] = (address & Mask(length), length);
        }

        var watch = Stopwatch.StartNew();
        for (int i = 0; i < prefixes.Length; i++)
        {
            table.AddOrReplace(new Ipv6Address(prefixes[i].Prefix), prefixes[i].Length, (uint)i);
        }

        watch.Stop();
        double insertPerSecond = prefixes.Length / watch.Elapsed.TotalSeconds;

        var addresses = new UInt128[1 << 14];
        for (int i = 0; i < addresses.Length; i++)
        {
            // Half inside inserted prefixes (deep walks), half random under 2000::/3.
            var (prefix, length) = prefixes[random.Next(prefixes.Length)];
            var noise = new UInt128((ulong)random.NextInt64(), (ulong)random.NextInt64());
            addresses[i] = i % 2 == 0 ? prefix | (noise & ~Mask(length)) : new UInt128(0x2000_0000_0000_0000ul | ((ulong)random.NextInt64() >> 3), 0);
        }

        var values = new uint[addresses.Length];
        int found = table.LookupBatch(addresses, values);
        Assert.True(found >= addresses.Length / 2);
        for (int i = 0; i < addresses.Length; i += 2)
        {
            Assert.NotEqual(Ipv6LpmTable.NoValue, values[i]);
        }

        watch.Restart();
        for (int round = 0; round < 32; round++)
        {
            table.LookupBatch(addresses, values);
        }

        watch.Stop();
        double lookupsPerSecond = 32.0 * addresses.Length / watch.Elapsed.TotalSeconds;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"IPv6 LPM: {table.Count} routes, {insertPerSecond / 1e6:F2} M inserts/s, {lookupsPerSecond / 1e6:F1} M lookups/s, " +
            $"{table.NodesInUse} nodes, {table.LookupBytes / (1 << 20)} MiB lookup arrays");
    }
}
