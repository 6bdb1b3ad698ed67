using Dataplane.Forwarding.Lisp;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Tables.MapCache;
using Dataplane.Tables.Time;
using Dataplane.Wire.Addresses;

namespace Dataplane.Throughput.Scenarios;

/// <summary>
/// The generator of native/bench/itr_baseline.c (its header comment), so the C# and C figures are the same work on
/// the same packets: N /24 EID prefixes 11.0.0.0 + (i &lt;&lt; 8) in instance 7 (IPv6: 2001:db8:2:i::/64), each with
/// one RLOC 198.51.100.(i % 250 + 1), priority 1, weight 100; frame k's destination is prefix
/// SplitMix64(state 42) % N, one draw per frame in ring order, host .1 (IPv6: ::1) of it.
/// </summary>
public static class MapCacheGenerator
{
    public const uint InstanceId = 7;
    public const uint PrefixBase = 0x0B00_0000u; // 11.0.0.0
    public const ulong Ipv6PrefixBase = 0x2001_0db8_0002_0000UL;
    private const ulong Gamma = 0x9E37_79B9_7F4A_7C15UL;

    public static void Populate(ForwardingPlane plane, int prefixes, bool ipv6)
    {
        var feature = plane.Feature<LispEncapsulationFeature>() ?? throw new InvalidOperationException("the plane has no LISP encapsulation feature");
        var mapCache = feature.Tables.MapCache;
        var clock = new ManualClock();
        for (int i = 0; i < prefixes; i++)
        {
            EidPrefix prefix = ipv6
                ? EidPrefix.Create(InstanceId, new Ipv6Address(Ipv6PrefixBase | (uint)i, 0), 64)
                : EidPrefix.Create(InstanceId, new Ipv4Address(PrefixBase + ((uint)i << 8)), 24);
            var rloc = new Locator(new Ipv4Address(0xC633_6400u + (uint)(i % 250) + 1), 1, 100);
            mapCache.AddOrReplace(MapCacheEntry.Create(prefix, [rloc], MapCacheEntry.InfiniteTtl, clock));
        }
    }

    /// <summary>
    /// The prefix index of ring frame <paramref name="frame"/>: draw number frame + 1 of SplitMix64 seeded with 42.
    /// SplitMix64's state only ever adds its constant, so draw k needs no walk through the k - 1 before it.
    /// </summary>
    public static int Destination(int frame, int prefixes)
    {
        ulong state = 42 + ((ulong)frame * Gamma);
        return (int)(SplitMix64(ref state) % (ulong)prefixes);
    }

    public static uint Ipv4Destination(int prefix) => PrefixBase + ((uint)prefix << 8) + 1;

    public static Ipv6Address Ipv6Destination(int prefix) => new(Ipv6PrefixBase | (uint)prefix, 1);

    /// <summary>The RLOC of prefix i (198.51.100.(i % 250 + 1)).</summary>
    public static uint Rloc(int prefix) => 0xC633_6400u + (uint)(prefix % 250) + 1;

    public static ulong SplitMix64(ref ulong state)
    {
        ulong z = state += Gamma;
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EBUL;
        return z ^ (z >> 31);
    }
}
