using Dataplane.Control.Lisp;
using Dataplane.Forwarding.Configuration;
using Dataplane.Wire.LispControl;

namespace Dataplane.Tests.Control.Lisp.MapServer;

/// <summary>
/// Registration floods at the map-server: new prefixes past the global or a site's bound are refused and counted
/// while what is registered stays and still refreshes; a flood of registrations with a bad HMAC leaves no state; the
/// memory of nonces (replay detection) stays bounded however many registrations arrive.
/// </summary>
[Collection(nameof(MemoryMeasuringCollection))]
public sealed class MapServerFloodTests
{
    private static MapServerUnderTest Server() => new(new MappingSystemConfig
    {
        MaxRegistrations = 1000,
        Sites =
        [
            new SiteConfig { Name = "a", Key = "key-a", EidPrefixes = ["10.0.0.0/8"], MaxRegistrations = 300 },
            new SiteConfig { Name = "b", Key = "key-b", EidPrefixes = ["172.16.0.0/12"] },
            new SiteConfig { Name = "c", Key = "key-c", EidPrefixes = ["192.168.0.0/16"] },
        ],
    });

    private static IEnumerable<MappingRecord> Hosts(uint first, int count) =>
        Enumerable.Range(0, count).Select(i => MapServerUnderTest.Record(MapServerUnderTest.V4(first + (uint)i, 32)));

    [Fact]
    public void NewPrefixesPastTheGlobalOrASiteBoundAreRefusedAndCountedAndNothingElseIsLost()
    {
        var server = Server();

        // Site a floods 1000 new prefixes: 300 fit its own bound.
        foreach (var chunk in Hosts(0x0A00_0000, 1000).Chunk(20))
        {
            server.Deliver(server.Register("key-a", chunk));
        }

        Assert.Equal(300, server.Server.Registrations.Count);
        Assert.Equal(700, server[LispControlEvent.RegistrationLimitReached]);

        // Site b: 500 fit, site c: 200 more fit the global bound of 1000.
        foreach (var chunk in Hosts(0xAC10_0000, 500).Chunk(20))
        {
            server.Deliver(server.Register("key-b", chunk));
        }

        foreach (var chunk in Hosts(0xC0A8_0000, 500).Chunk(20))
        {
            server.Deliver(server.Register("key-c", chunk));
        }

        Assert.Equal(1000, server.Server.Registrations.Count);
        Assert.Equal(700 + 300, server[LispControlEvent.RegistrationLimitReached]);
        Assert.Equal(200, server.Server.Registrations.Count(r => r.Site == "c"));

        // At the bound, what is registered still refreshes (and a Map-Notify confirms it), nothing is counted refused.
        long accepted = server[LispControlEvent.RegistrationAccepted];
        server.Now += 120_000;
        server.Sent.Clear();
        foreach (var chunk in Hosts(0x0A00_0000, 300).Chunk(20))
        {
            server.Deliver(server.Register("key-a", chunk));
        }

        Assert.Equal(accepted + 300, server[LispControlEvent.RegistrationAccepted]);
        Assert.Equal(700 + 300, server[LispControlEvent.RegistrationLimitReached]);
        Assert.Equal(15, server.Sent.Count); // a Map-Notify per register

        // A register mixing one known and one new prefix: the known one is stored and confirmed alone.
        server.Sent.Clear();
        server.Deliver(server.Register("key-a", [.. Hosts(0x0A00_0000, 1), .. Hosts(0x0A00_1000, 1)]));
        var notify = NotifyIn(Assert.Single(server.Sent));
        Assert.True(LispAddressing.TryToEid(Assert.Single(notify.Records).Eid, out var confirmed));
        Assert.Equal(MapServerUnderTest.V4(0x0A00_0000, 32), confirmed);
        Assert.Equal(700 + 300 + 1, server[LispControlEvent.RegistrationLimitReached]);

        // Once the unrefreshed registrations of b and c expire, there is room again.
        server.Now += 61_000;
        server.Tick();
        Assert.Equal(300, server.Server.Registrations.Count);
        server.Deliver(server.Register("key-c", [.. Hosts(0xC0A8_1000, 5)]));
        Assert.Equal(305, server.Server.Registrations.Count);
    }

    private static MapNotify NotifyIn(byte[] ipPacket)
    {
        Assert.True(UdpDatagram.TryReadIp(ipPacket, out var datagram));
        Assert.True(MapNotify.TryParse(datagram.Payload, out var notify, out var error), error);
        return notify!;
    }

    [Fact]
    public void AFloodWithABadHmacIsCountedAndLeavesNoState()
    {
        var server = Server();
        server.Deliver(server.Register("key-b", [.. Hosts(0xAC10_0000, 10)]));
        var warmUp = server.Register("key-b", [.. Hosts(0xAC10_0100, 10)]);
        warmUp[^1] ^= 1;
        server.Deliver(warmUp);

        long before = Heap();
        for (int i = 0; i < 20_000; i++)
        {
            var forged = server.Register("not-the-key", [.. Hosts(0xAC10_1000 + (uint)(i * 10), 10)]);
            server.Deliver(forged);
        }

        long growth = Heap() - before;
        Assert.Equal(20_001, server[LispControlEvent.BadHmac]);
        Assert.Equal(10, server.Server.Registrations.Count);
        Assert.True(growth < 256 * 1024, $"the heap grew by {growth / 1024} KiB over 20000 forged registrations");

        // Nor did they take up nonces: a good register with the first forged one's nonce is accepted.
        server.Deliver(server.Register("key-b", [.. Hosts(0xAC10_0200, 1)], withNonce: 11));
        Assert.Equal(0, server[LispControlEvent.ReplayedNonce]);
        Assert.Equal(11, server.Server.Registrations.Count);
    }

    [Fact]
    public void TheMemoryOfNoncesIsBoundedAndForgetsTheOldest()
    {
        var server = Server();
        var first = server.Register("key-b", [.. Hosts(0xAC10_0000, 1)], withNonce: 1_000_000);
        server.Deliver(first);
        server.Deliver(first);
        Assert.Equal(1, server[LispControlEvent.ReplayedNonce]); // remembered

        // A flood of valid registrations with fresh nonces: the memory holds a bounded number, the oldest leave.
        long before = Heap();
        for (int i = 0; i < 50_000; i++)
        {
            server.Deliver(server.Register("key-b", [.. Hosts(0xAC10_0000, 1)], withNonce: 2_000_000 + (ulong)i, wantMapNotify: false));
        }

        long growth = Heap() - before;
        Assert.True(growth < 1024 * 1024, $"the heap grew by {growth / 1024} KiB over 50000 nonces");
        server.Deliver(first);
        Assert.Equal(1, server[LispControlEvent.ReplayedNonce]); // forgotten: accepted again
        server.Deliver(server.Register("key-b", [.. Hosts(0xAC10_0000, 1)], withNonce: 2_000_000 + 49_999));
        Assert.Equal(2, server[LispControlEvent.ReplayedNonce]); // the recent ones are still remembered
    }

    private static long Heap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
