using System.Buffers.Binary;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Lisp;
using Dataplane.Forwarding.Stages;
using Dataplane.Tables.MapCache;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Lisp;

/// <summary>
/// An RTR's map-cache entry toward an xTR behind a NAT (NAT traversal) carries the port the NAT gave the xTR's
/// registrations: the encapsulation goes to that port, from UDP 4342 (what the NAT expects as the answer to them, and
/// what Open Overlay Router's RTR sends). Every other entry keeps 4341 and the flow-hash source port.
/// </summary>
public sealed class RtrTranslatedPortTests
{
    private const int OuterUdp = 14 + 20;

    [Fact]
    public void Data_toward_a_NATed_xtr_goes_to_its_translated_port_from_4342_and_other_data_is_unchanged()
    {
        var config = LispTestFrames.GoldenConfig() with { Roles = ["rtr"] };
        using var harness = new LispPlaneHarness(config);
        var tables = harness.Plane.Feature<LispEncapsulationFeature>()!.Tables;
        tables.MapCache.AddOrReplace(MapCacheEntry.Create(EidPrefix.Parse("[7]10.9.0.0/24"),
            [new Locator(IpAddress.Parse("203.0.113.5"), 1, 100, TranslatedPort: 61001)], 10, harness.Clock));

        var outcomes = harness.Process([LispTestFrames.Ipv4Udp("10.2.0.7", "10.9.0.1", ttl: 10), LispTestFrames.Ipv4Udp("10.9.0.1", "10.2.0.1", ttl: 10)],
            PacketFlags.FromLispTunnel);

        Assert.All(outcomes, o => Assert.True(o.Transmitted));
        var natted = outcomes[0].Bytes;
        Assert.Equal(Ipv4Address.Parse("203.0.113.5").Value, BinaryPrimitives.ReadUInt32BigEndian(natted.AsSpan(14 + 16)));
        Assert.Equal(4342, BinaryPrimitives.ReadUInt16BigEndian(natted.AsSpan(OuterUdp)));
        Assert.Equal(61001, BinaryPrimitives.ReadUInt16BigEndian(natted.AsSpan(OuterUdp + 2)));
        Assert.Equal(0x88, natted[OuterUdp + 8]); // still an ordinary LISP data header: N and I
        var ordinary = outcomes[1].Bytes;
        Assert.Equal(4341, BinaryPrimitives.ReadUInt16BigEndian(ordinary.AsSpan(OuterUdp + 2)));
        Assert.True(BinaryPrimitives.ReadUInt16BigEndian(ordinary.AsSpan(OuterUdp)) >= 49152);
        Assert.Equal(2, harness.Plane.Counters().Counted(ForwardingEvent.LispReencapsulated));
    }

    [Fact]
    public void A_translated_port_keeps_the_entry_off_the_forwarding_word_fast_path()
    {
        var clock = new Dataplane.Tables.Time.ManualClock(1000);
        var natted = MapCacheEntry.Create(EidPrefix.Parse("10.9.0.0/24"), [new Locator(IpAddress.Parse("203.0.113.5"), 1, 100, TranslatedPort: 61001)], 10, clock);
        var plain = MapCacheEntry.Create(EidPrefix.Parse("10.9.0.0/24"), [new Locator(IpAddress.Parse("203.0.113.5"), 1, 100)], 10, clock);
        Assert.Equal(MapCacheForwardingWord.None, natted.ForwardingWord);
        Assert.Equal(IpFamily.Unspecified, natted.SingleUsableRloc.Family);
        Assert.True(natted.HasTranslatedPorts);
        Assert.NotEqual(MapCacheForwardingWord.None, plain.ForwardingWord);
        Assert.False(plain.HasTranslatedPorts);
    }
}
