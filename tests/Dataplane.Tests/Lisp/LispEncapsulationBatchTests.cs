using System.Buffers.Binary;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;

namespace Dataplane.Tests.Lisp;

/// <summary>
/// The encapsulation stage looks a large vector up ahead of handling it (prefetch passes, a chunk at a time) and takes
/// the slots those passes found; a vector of one takes no such pass and looks each packet up itself. Both must decide
/// every packet the same way, whatever mix of mappings, families and outcomes the vector holds and wherever a packet
/// falls among the chunks.
/// </summary>
public sealed class LispEncapsulationBatchTests
{
    private static readonly string[] Destinations =
    [
        "10.2.0.1",          // three IPv4 locators (the entry path)
        "10.7.0.1",          // one IPv4 locator (the slot's forwarding word, the fused path)
        "10.3.0.1",          // IPv6 locators only
        "10.4.0.1",          // negative: drop
        "10.5.0.1",          // negative: native-forward (routed)
        "10.6.0.1",          // negative: send-map-request (punted)
        "10.9.0.1",          // no mapping (punted)
        "10.1.0.20",         // inside the site (routed natively)
        "2001:db8:2::1",     // IPv6 EID, IPv4 locators
        "2001:db8:7::1",     // IPv6 EID, one IPv4 locator (forwarding word)
        "2001:db8:9::1",     // IPv6 EID, no mapping
    ];

    [Fact]
    public void A_vector_of_a_hundred_mixed_packets_is_decided_exactly_as_each_packet_alone()
    {
        var frames = new List<byte[]>();
        for (int i = 0; i < 99; i++)
        {
            string destination = Destinations[i % Destinations.Length];
            ushort sourcePort = (ushort)(1000 + i); // different flows, so the weighted choice varies
            frames.Add(destination.Contains(':')
                ? LispTestFrames.Ipv6Udp("2001:db8:1::10", destination, sourcePort: sourcePort)
                : LispTestFrames.Ipv4Udp("10.1.0.10", destination, sourcePort: sourcePort));
        }

        using var together = new LispPlaneHarness(Config());
        var asVector = together.Process(frames);
        using var alone = new LispPlaneHarness(Config());
        var oneByOne = frames.Select(frame => alone.Process([frame]).Single()).ToList();

        for (int i = 0; i < frames.Count; i++)
        {
            Assert.Equal(oneByOne[i].Disposition, asVector[i].Disposition);
            Assert.Equal(oneByOne[i].Drop, asVector[i].Drop);
            Assert.Equal(oneByOne[i].Port, asVector[i].Port);
            Assert.Equal(oneByOne[i].Bytes, asVector[i].Bytes);
        }

        // What each destination must come to, by the configuration (not by either run).
        for (int i = 0; i < frames.Count; i++)
        {
            var outcome = asVector[i];
            switch (Destinations[i % Destinations.Length])
            {
                case "10.7.0.1" or "2001:db8:7::1":
                    Assert.True(outcome.Transmitted);
                    Assert.Equal(0xC633_6409u, BinaryPrimitives.ReadUInt32BigEndian(outcome.Bytes.AsSpan(14 + 16))); // 198.51.100.9
                    break;
                case "10.2.0.1" or "2001:db8:2::1":
                    Assert.True(outcome.Transmitted);
                    Assert.Contains(BinaryPrimitives.ReadUInt32BigEndian(outcome.Bytes.AsSpan(14 + 16)), new[] { 0xC633_6401u, 0xC633_6402u });
                    break;
                case "10.4.0.1":
                    Assert.Equal(DropReason.NegativeEntryDrop, outcome.Drop);
                    break;
                case "10.6.0.1" or "10.9.0.1" or "2001:db8:9::1":
                    Assert.Equal(PacketDisposition.Punt, outcome.Disposition);
                    break;
            }
        }

        Assert.True(together.Plane.Counters().IsConserved);
    }

    private static DataplaneConfig Config()
    {
        var golden = LispTestFrames.GoldenConfig();
        var single = new[] { new LocatorConfig { Address = "198.51.100.9" } };
        var lisp = golden.Lisp! with
        {
            MapCache =
            [
                .. golden.Lisp!.MapCache,
                new MapCacheEntryConfig { Eid = "[7]10.7.0.0/16", Locators = single },
                new MapCacheEntryConfig { Eid = "[7]2001:db8:7::/64", Locators = single },
            ],
        };
        return golden with { Lisp = lisp };
    }
}
