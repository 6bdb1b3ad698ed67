using Dataplane.Control.Lisp.MapServer;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Control.Lisp.MapServer;

/// <summary>
/// The map-server's prefix index against the obvious oracle, a linear scan over a plain list: random prefixes in
/// several instances and both families, clustered so that lookups find nested prefixes, with inserts, refreshes and
/// removals interleaved with exact and longest-match queries.
/// </summary>
public sealed class PrefixIndexTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void LongestAndExactMatchesAgreeWithALinearScan(int seed)
    {
        var random = new Random(seed);
        var index = new PrefixIndex<int>();
        var oracle = new Dictionary<EidPrefix, int>();
        for (int step = 0; step < 20_000; step++)
        {
            var prefix = RandomPrefix(random);
            switch (random.Next(10))
            {
                case < 4:
                    bool isNew = index.Set(prefix, step);
                    Assert.Equal(!oracle.ContainsKey(prefix), isNew);
                    oracle[prefix] = step; // a refresh replaces the value
                    break;
                case < 6:
                    Assert.Equal(oracle.Remove(prefix), index.Remove(prefix));
                    break;
                case < 7 when oracle.Count > 0:
                    // Remove one that is present, so removals are not all misses.
                    var present = oracle.Keys.ElementAt(random.Next(oracle.Count));
                    Assert.True(index.Remove(present));
                    oracle.Remove(present);
                    break;
                default:
                    var asked = random.Next(2) == 0 ? EidPrefix.Host(prefix.InstanceId, RandomAddressNear(random, prefix)) : prefix;
                    AssertSameAnswer(oracle, index, asked);
                    break;
            }

            Assert.Equal(oracle.Count, index.Count);
        }

        foreach (var prefix in oracle.Keys)
        {
            AssertSameAnswer(oracle, index, prefix);
            AssertSameAnswer(oracle, index, EidPrefix.Host(prefix.InstanceId, RandomAddressNear(random, prefix)));
        }

        Assert.Equal(oracle.OrderBy(p => p.Key.ToString()).Select(p => (p.Key, p.Value)),
            index.Entries().OrderBy(p => p.Prefix.ToString()).Select(p => (p.Prefix, p.Value)));
    }

    /// <summary>
    /// Prefixes of every length on one address whose low bits are zero, so that each length's prefix has the same
    /// network address as the next one's: a longest match must never return a prefix longer than the one asked for.
    /// </summary>
    [Theory]
    [InlineData("2001:db8::", 128)]
    [InlineData("10.0.0.0", 32)]
    public void AChainOfEveryLengthAnswersEachLengthWithItselfAndNeverALongerOne(string address, int width)
    {
        var index = new PrefixIndex<int>();
        var network = IpAddress.Parse(address);
        for (int length = 0; length <= width; length++)
        {
            index.Set(EidPrefix.Create(3, network, length), length);
        }

        for (int length = 0; length <= width; length++)
        {
            Assert.True(index.TryGetLongest(EidPrefix.Create(3, network, length), out var match, out int value));
            Assert.Equal(length, value);
            Assert.Equal(length, match.PrefixLength);
        }

        // Without the even lengths, each even length is answered by the odd one below it (length 0 by nothing).
        for (int length = 0; length <= width; length += 2)
        {
            Assert.True(index.Remove(EidPrefix.Create(3, network, length)));
        }

        for (int length = 0; length <= width; length++)
        {
            bool found = index.TryGetLongest(EidPrefix.Create(3, network, length), out _, out int value);
            Assert.Equal(length > 0, found);
            if (found)
            {
                Assert.Equal(length % 2 == 1 ? length : length - 1, value);
            }
        }
    }

    [Fact]
    public void TheDefaultRouteAndHostPrefixesAreTheEndsOfTheLengthRange()
    {
        var index = new PrefixIndex<string>();
        index.Set(EidPrefix.Parse("0.0.0.0/0"), "v4 default");
        index.Set(EidPrefix.Parse("::/0"), "v6 default");
        index.Set(EidPrefix.Parse("2001:db8::1/128"), "v6 host");
        index.Set(EidPrefix.Parse("2001:db8::/64"), "v6 /64");
        index.Set(EidPrefix.Parse("2001:db8::/65"), "v6 /65");
        index.Set(EidPrefix.Parse("[5]10.0.0.1/32"), "iid 5 host");

        Assert.Equal("v4 default", Longest(index, "[0]10.0.0.1/32"));
        Assert.Equal("v6 host", Longest(index, "2001:db8::1/128"));
        Assert.Equal("v6 /65", Longest(index, "2001:db8::2/128"));
        Assert.Equal("v6 /64", Longest(index, "2001:db8:0:0:8000::/128"));
        Assert.Equal("v6 /64", Longest(index, "2001:db8::/64")); // a /65 does not cover a /64
        Assert.Equal("v6 default", Longest(index, "2001:db9::/32"));
        Assert.Equal("iid 5 host", Longest(index, "[5]10.0.0.1/32"));
        Assert.Null(Longest(index, "[5]10.0.0.2/32")); // instance 5 has no default route
        Assert.Null(Longest(index, "[6]::1/128"));

        Assert.True(index.Remove(EidPrefix.Parse("0.0.0.0/0")));
        Assert.Null(Longest(index, "10.0.0.1/32"));
        Assert.False(index.TryAdd(EidPrefix.Parse("::/0"), "second"));
        Assert.Equal("v6 default", Longest(index, "::1/128")); // the first value stays
    }

    private static string? Longest(PrefixIndex<string> index, string prefix) =>
        index.TryGetLongest(EidPrefix.Parse(prefix), out _, out var value) ? value : null;

    private static void AssertSameAnswer(Dictionary<EidPrefix, int> oracle, PrefixIndex<int> index, EidPrefix asked)
    {
        var expected = oracle.Where(p => p.Key.Covers(asked)).OrderByDescending(p => p.Key.PrefixLength).Select(p => (KeyValuePair<EidPrefix, int>?)p).FirstOrDefault();
        bool found = index.TryGetLongest(asked, out var match, out int value);
        Assert.Equal(expected.HasValue, found);
        if (expected is { } e)
        {
            Assert.Equal(e.Key, match);
            Assert.Equal(e.Value, value);
        }

        Assert.Equal(oracle.TryGetValue(asked, out int exact), index.TryGetExact(asked, out int got));
        if (oracle.ContainsKey(asked))
        {
            Assert.Equal(exact, got);
        }
    }

    /// <summary>Prefixes in a small space (3 instances, a few /16s and /32s), so many of them nest.</summary>
    private static EidPrefix RandomPrefix(Random random)
    {
        uint instance = (uint)random.Next(3) * 7;
        if (random.Next(2) == 0)
        {
            uint address = 0x0A00_0000u | ((uint)random.Next(4) << 16) | (uint)random.Next(1 << 16);
            return EidPrefix.Create(instance, new IpAddress(new Ipv4Address(address)), random.Next(0, 33));
        }

        var value = ((UInt128)0x2001_0DB8_0000_0000UL << 64) | ((UInt128)(ulong)random.Next(4) << 80)
            | ((UInt128)(ulong)random.NextInt64() << 16) | (ulong)random.Next(1 << 16);
        return EidPrefix.Create(instance, new IpAddress(new Ipv6Address(value)), random.Next(0, 129));
    }

    /// <summary>An address inside <paramref name="prefix"/> (random host bits), or now and then one just outside.</summary>
    private static IpAddress RandomAddressNear(Random random, EidPrefix prefix)
    {
        int bits = prefix.Address.BitLength;
        UInt128 hostMask = prefix.PrefixLength == bits ? UInt128.Zero
            : bits == 32 ? uint.MaxValue >> prefix.PrefixLength : UInt128.MaxValue >> prefix.PrefixLength;
        var random128 = ((UInt128)(ulong)random.NextInt64() << 64) | (ulong)random.NextInt64();
        var value = prefix.Address.Value | (random128 & hostMask);
        if (random.Next(8) == 0 && prefix.PrefixLength > 0)
        {
            value ^= UInt128.One << (bits - prefix.PrefixLength); // flip the last prefix bit: outside
        }

        return bits == 32 ? new IpAddress(new Ipv4Address((uint)value)) : new IpAddress(new Ipv6Address(value));
    }
}
