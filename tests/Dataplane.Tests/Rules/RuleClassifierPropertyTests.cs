using Dataplane.Forwarding.Rules;

namespace Dataplane.Tests.Rules;

/// <summary>
/// The bit-vector classifier, alone and behind the flow cache, against the obvious reference: a linear scan over the
/// rows in priority order, first match wins. Random rule sets (prefixes of every length, protocols, port ranges,
/// DSCP, wildcards) and random packets, many drawn from inside and at the edges of the rules' ranges so that matches,
/// near misses and overlaps all occur.
/// </summary>
public class RuleClassifierPropertyTests
{
    [Theory]
    [InlineData(1, false, 1)]
    [InlineData(2, false, 7)]
    [InlineData(3, false, 64)]
    [InlineData(4, false, 65)]
    [InlineData(5, false, 300)]
    [InlineData(6, true, 40)]
    [InlineData(7, true, 200)]
    public void The_classifier_answers_as_a_linear_scan(int seed, bool v6, int rowCount)
    {
        var random = new Random(seed);
        var rows = new List<ClassifierEntry>();
        for (int r = 0; r < rowCount; r++)
        {
            rows.Add(RandomRow(random, r, v6));
        }

        var classifier = new RuleClassifier(rows, v6);
        var cache = new RuleFlowCache(256);
        int matched = 0;
        for (int i = 0; i < 4000; i++)
        {
            var key = RandomKey(random, rows, v6);
            int expected = LinearScan(rows, key);
            Assert.Equal(expected, classifier.Lookup(in key));
            Assert.Equal(expected, cache.Lookup(1, classifier, 0, in key));
            Assert.Equal(expected, cache.Lookup(1, classifier, 0, in key)); // now from the cache
            if (expected >= 0)
            {
                Assert.Equal(LinearScan(rows, key, after: expected), classifier.LookupAfter(in key, expected)); // the next match, past a count-only rule
            }

            matched += expected >= 0 ? 1 : 0;
        }

        Assert.InRange(matched, 400, 4000); // the packets exercise matches, not only misses
        Assert.True(cache.Hits >= 4000);
    }

    [Fact]
    public void A_cache_entry_of_another_generation_or_table_does_not_answer()
    {
        var wildcard = Row(0, v6: false);
        var narrow = Row(1, v6: false, protocol: new FieldRange(17, 17));
        var first = new RuleClassifier([wildcard], v6: false);
        var second = new RuleClassifier([narrow], v6: false);
        var cache = new RuleFlowCache(16);
        var key = new RuleKey { Source = 0x0A000001, Destination = 0x0A000002, Protocol = 6 };
        Assert.Equal(0, cache.Lookup(1, first, 0, in key));
        Assert.Equal(-1, cache.Lookup(2, second, 0, in key));
        Assert.Equal(-1, cache.Lookup(2, second, 0, in key));
        Assert.Equal(0, cache.Lookup(2, first, 1, in key));
    }

    [Fact]
    public void A_thousand_rows_are_sixteen_words_and_the_last_one_is_found()
    {
        var rows = new List<ClassifierEntry>();
        for (int r = 0; r < 1000; r++)
        {
            rows.Add(Row(r, v6: false, destination: new FieldRange(0xC6336400u + (uint)r, 0xC6336400u + (uint)r), destinationPort: new FieldRange(443, 443),
                protocol: new FieldRange(6, 6)));
        }

        rows.Add(Row(1000, v6: false, protocol: new FieldRange(17, 17)));
        var classifier = new RuleClassifier(rows, v6: false);
        Assert.Equal(3, classifier.SearchedFields);
        Assert.Equal(1000, classifier.Lookup(new RuleKey { Destination = 0xC6336400u + 5, Protocol = 17, DestinationPort = 443 }));
        Assert.Equal(5, classifier.Lookup(new RuleKey { Destination = 0xC6336400u + 5, Protocol = 6, DestinationPort = 443 }));
        Assert.Equal(-1, classifier.Lookup(new RuleKey { Destination = 0xC6336400u + 5, Protocol = 6, DestinationPort = 444 }));
    }

    private static int LinearScan(List<ClassifierEntry> rows, RuleKey key, int after = -1)
    {
        foreach (var row in rows)
        {
            if (row.Rule > after && row.Matches(in key))
            {
                return row.Rule;
            }
        }

        return -1;
    }

    private static ClassifierEntry Row(int rule, bool v6, FieldRange? destination = null, FieldRange? destinationPort = null, FieldRange? protocol = null)
    {
        var fields = new FieldRange[RuleField.Count];
        for (int f = 0; f < RuleField.Count; f++)
        {
            fields[f] = RuleField.Any(f, v6);
        }

        fields[RuleField.Destination] = destination ?? fields[RuleField.Destination];
        fields[RuleField.DestinationPort] = destinationPort ?? fields[RuleField.DestinationPort];
        fields[RuleField.Protocol] = protocol ?? fields[RuleField.Protocol];
        return new ClassifierEntry(rule, fields);
    }

    private static ClassifierEntry RandomRow(Random random, int rule, bool v6)
    {
        var fields = new FieldRange[RuleField.Count];
        for (int f = 0; f < RuleField.Count; f++)
        {
            fields[f] = RuleField.Any(f, v6);
        }

        int bits = v6 ? 128 : 32;
        for (int f = RuleField.Source; f <= RuleField.Destination; f++)
        {
            if (random.Next(3) > 0)
            {
                // Few distinct high bits, so prefixes nest and overlap.
                int length = random.Next(bits + 1);
                UInt128 address = RandomAddress(random, v6);
                UInt128 mask = length == 0 ? UInt128.Zero : (v6 ? UInt128.MaxValue : uint.MaxValue) << (bits - length) & (v6 ? UInt128.MaxValue : uint.MaxValue);
                UInt128 low = address & mask;
                UInt128 high = low | (~mask & (v6 ? UInt128.MaxValue : uint.MaxValue));
                fields[f] = new FieldRange(low, high);
            }
        }

        if (random.Next(2) == 0)
        {
            byte protocol = (byte)new[] { 6, 17, 1, 58, 50 }[random.Next(5)];
            fields[RuleField.Protocol] = new FieldRange(protocol, protocol);
        }

        for (int f = RuleField.SourcePort; f <= RuleField.DestinationPort; f++)
        {
            if (random.Next(3) == 0)
            {
                int a = RandomPort(random);
                int b = random.Next(2) == 0 ? a : RandomPort(random);
                fields[f] = new FieldRange((uint)Math.Min(a, b), (uint)Math.Max(a, b));
            }
        }

        if (random.Next(4) == 0)
        {
            int dscp = random.Next(64);
            fields[RuleField.Dscp] = new FieldRange((uint)dscp, (uint)dscp);
        }

        return new ClassifierEntry(rule, fields);
    }

    private static RuleKey RandomKey(Random random, List<ClassifierEntry> rows, bool v6)
    {
        var key = new RuleKey
        {
            Source = RandomAddress(random, v6),
            Destination = RandomAddress(random, v6),
            Protocol = (byte)new[] { 6, 17, 1, 58, 50, 0 }[random.Next(6)],
            SourcePort = (ushort)RandomPort(random),
            DestinationPort = (ushort)RandomPort(random),
            Dscp = (byte)random.Next(64),
        };

        // Most keys take each field from a row's range, at its low end, its high end, just outside or inside it.
        if (random.Next(5) > 0)
        {
            var row = rows[random.Next(rows.Count)];
            key.Source = Near(random, row.Fields[RuleField.Source], key.Source);
            key.Destination = Near(random, row.Fields[RuleField.Destination], key.Destination);
            key.Protocol = (byte)Near(random, row.Fields[RuleField.Protocol], key.Protocol, max: 255);
            key.SourcePort = (ushort)Near(random, row.Fields[RuleField.SourcePort], key.SourcePort, max: 65_535);
            key.DestinationPort = (ushort)Near(random, row.Fields[RuleField.DestinationPort], key.DestinationPort, max: 65_535);
            key.Dscp = (byte)Near(random, row.Fields[RuleField.Dscp], key.Dscp, max: 63);
        }

        return key;
    }

    private static UInt128 Near(Random random, FieldRange range, UInt128 otherwise, uint max = uint.MaxValue)
    {
        UInt128 top = max == uint.MaxValue && range.High > uint.MaxValue ? UInt128.MaxValue : max;
        return random.Next(8) switch
        {
            0 => range.Low,
            1 => range.High,
            2 when range.Low > 0 => range.Low - 1,
            3 when range.High < top => range.High + 1,
            4 => otherwise,
            _ => range.Low + (range.High - range.Low) / 2,
        };
    }

    private static UInt128 RandomAddress(Random random, bool v6) => v6
        ? new UInt128(0x2001_0db8_0000_0000UL | (ulong)random.Next(4) << 16, (ulong)random.NextInt64())
        : (uint)(0x0A000000 | (random.Next(4) << 16) | random.Next(1 << 16));

    private static int RandomPort(Random random) => random.Next(4) switch
    {
        0 => random.Next(1024),
        1 => 443,
        2 => 1024 + random.Next(64),
        _ => random.Next(65_536),
    };
}
