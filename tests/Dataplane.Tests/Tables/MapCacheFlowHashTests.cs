using Dataplane.Forwarding.Hashing;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Tables;

public class MapCacheFlowHashTests
{
    private static readonly Ipv4Address Src4 = Ipv4Address.Parse("10.0.0.1");
    private static readonly Ipv4Address Dst4 = Ipv4Address.Parse("10.0.0.2");
    private static readonly Ipv6Address Src6 = Ipv6Address.Parse("2001:db8::1");
    private static readonly Ipv6Address Dst6 = Ipv6Address.Parse("2001:db8::2");

    [Fact]
    public void Is_deterministic_across_calls_and_pinned_across_runs()
    {
        uint v4 = FlowHash.Hash(Src4, Dst4, 6, 12345, 80);
        uint v6 = FlowHash.Hash(Src6, Dst6, 17, 5000, 4341);
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(v4, FlowHash.Hash(Src4, Dst4, 6, 12345, 80));
            Assert.Equal(v6, FlowHash.Hash(Src6, Dst6, 17, 5000, 4341));
        }

        Assert.Equal(v4, FlowHash.Hash(new IpAddress(Src4), new IpAddress(Dst4), 6, 12345, 80));
        Assert.Equal(v6, FlowHash.Hash(new IpAddress(Src6), new IpAddress(Dst6), 17, 5000, 4341));

        // No per-process seed: the value is a constant of the algorithm (CRC32C + fmix32), so replays take the same paths everywhere.
        Assert.Equal(Reference4(Src4.Value, Dst4.Value, 6, 12345, 80), v4);
    }

    [Fact]
    public void Every_field_changes_the_hash()
    {
        uint v4 = FlowHash.Hash(Src4, Dst4, 6, 12345, 80);
        Assert.NotEqual(v4, FlowHash.Hash(new Ipv4Address(Src4.Value + 1), Dst4, 6, 12345, 80));
        Assert.NotEqual(v4, FlowHash.Hash(Src4, new Ipv4Address(Dst4.Value + 1), 6, 12345, 80));
        Assert.NotEqual(v4, FlowHash.Hash(Src4, Dst4, 17, 12345, 80));
        Assert.NotEqual(v4, FlowHash.Hash(Src4, Dst4, 6, 12346, 80));
        Assert.NotEqual(v4, FlowHash.Hash(Src4, Dst4, 6, 12345, 81));
        Assert.NotEqual(v4, FlowHash.Hash(Dst4, Src4, 6, 80, 12345));

        uint v6 = FlowHash.Hash(Src6, Dst6, 6, 12345, 80);
        Assert.NotEqual(v6, FlowHash.Hash(new Ipv6Address(Src6.Value + 1), Dst6, 6, 12345, 80));
        Assert.NotEqual(v6, FlowHash.Hash(new Ipv6Address(Src6.Value ^ ((UInt128)1 << 127)), Dst6, 6, 12345, 80));
        Assert.NotEqual(v6, FlowHash.Hash(Src6, new Ipv6Address(Dst6.Value + 1), 6, 12345, 80));
        Assert.NotEqual(v6, FlowHash.Hash(Src6, Dst6, 17, 12345, 80));
        Assert.NotEqual(v6, FlowHash.Hash(Src6, Dst6, 6, 12346, 80));
        Assert.NotEqual(v6, FlowHash.Hash(Src6, Dst6, 6, 12345, 81));

        // Same bits, different family.
        Assert.NotEqual(FlowHash.Hash(new Ipv4Address(1), new Ipv4Address(2), 6, 1, 2), FlowHash.Hash(new Ipv6Address(1), new Ipv6Address(2), 6, 1, 2));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Spreads_sequential_flows_over_64_buckets(int varying)
    {
        // Sequential values in one field are the adversarial case for a weak hash (one host's ports, one subnet's hosts).
        const int Buckets = 64;
        const int Samples = 64_000;
        var low = new int[Buckets];
        var high = new int[Buckets];
        for (int i = 0; i < Samples; i++)
        {
            uint hash = varying switch
            {
                0 => FlowHash.Hash(Src4, Dst4, 6, (ushort)(i % 65536), 443),
                1 => FlowHash.Hash(new Ipv4Address(0x0A000000u + (uint)i), Dst4, 6, 40000, 443),
                2 => FlowHash.Hash(new Ipv6Address(Src6.Value + (uint)i), Dst6, 17, 40000, 4341),
                _ => FlowHash.Hash(Src6, new Ipv6Address(Dst6.Value + ((UInt128)(uint)i << 64)), 17, 40000, 4341),
            };
            low[hash & (Buckets - 1)]++;
            high[hash >> 26]++;
        }

        // 63 degrees of freedom: mean 63, sd ~11.2; 120 is beyond p = 0.9999.
        Assert.InRange(ChiSquare(low, Samples), 0, 120);
        Assert.InRange(ChiSquare(high, Samples), 0, 120);
    }

    [Fact]
    public void Source_port_stays_in_the_dynamic_range_and_uses_all_of_it()
    {
        var seen = new HashSet<ushort>();
        for (int i = 0; i < 200_000; i++)
        {
            ushort port = FlowHash.SourcePort(FlowHash.Hash(Src4, Dst4, 6, (ushort)i, (ushort)(i >> 16)));
            Assert.InRange(port, (ushort)49152, ushort.MaxValue);
            seen.Add(port);
        }

        Assert.True(seen.Count > 16000, $"only {seen.Count} distinct ports");
        Assert.Equal(49152, FlowHash.SourcePort(0));
        Assert.Equal(65535, FlowHash.SourcePort(uint.MaxValue));
    }

    private static double ChiSquare(int[] counts, int samples)
    {
        double expected = (double)samples / counts.Length;
        return counts.Sum(c => (c - expected) * (c - expected) / expected);
    }

    // Bitwise CRC32C (Castagnoli, reflected 0x82F63B78) and murmur3 fmix32, written independently of the product code.
    private static uint Reference4(uint src, uint dst, byte protocol, ushort sourcePort, ushort destinationPort)
    {
        uint crc = Crc(0x9E3779B9, ((ulong)src << 32) | dst);
        crc = Crc(crc, ((ulong)protocol << 32) | ((uint)sourcePort << 16) | destinationPort);
        crc ^= crc >> 16;
        crc *= 0x85EBCA6B;
        crc ^= crc >> 13;
        crc *= 0xC2B2AE35;
        crc ^= crc >> 16;
        return crc;

        static uint Crc(uint crc, ulong data)
        {
            for (int i = 0; i < 8; i++)
            {
                crc ^= (byte)(data >> (8 * i));
                for (int bit = 0; bit < 8; bit++)
                {
                    crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78 : crc >> 1;
                }
            }

            return crc;
        }
    }
}
