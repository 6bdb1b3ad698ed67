using Dataplane.Control.Lisp;
using Dataplane.Forwarding.Counters;

namespace Dataplane.Tests.Control.Lisp;

/// <summary>
/// The cache-miss storm: 1,000,000 packets to 1,000,000 distinct unmapped destinations through the real ITR
/// pipeline and the real LISP control plane (see <see cref="CacheMissStorm"/>), with legitimate traffic to a mapped
/// EID interleaved. The Map-Requests are counted and decoded where they leave the data plane (the underlay port), and
/// checked against the configured rate on the clock the limiter runs on.
/// </summary>
[Collection(nameof(MemoryMeasuringCollection))]
public sealed class CacheMissStormTests
{
    [Fact]
    public void AMillionDistinctMissesStayWithinTheMapRequestRateAndBoundedState()
    {
        int stormPackets = int.TryParse(Environment.GetEnvironmentVariable("DATAPLANE_STORM_PACKETS"), out int n) ? n : 1_000_000;
        using var storm = new CacheMissStorm();
        var result = storm.Run(stormPackets, quietTailMilliseconds: 30_000);

        TestContext.Current.SendDiagnosticMessage(result.ToString());
        var settings = storm.Settings;

        // Every storm packet missed the map-cache; each was either punted or dropped because the punt queue was full.
        Assert.Equal(stormPackets, result.Forwarding.Counted(ForwardingEvent.MapCacheMissPunted));
        Assert.Equal(stormPackets, result.StormPunted + result.Forwarding.Dropped(DropReason.PuntQueueFull));
        Assert.True(result.Forwarding.Dropped(DropReason.PuntQueueFull) > 0, "the storm should overrun the punt queue between control rounds");
        Assert.True(result.Forwarding.IsConserved, result.Forwarding.ToTable());

        // Each punted miss ended in exactly one of: a Map-Request, the rate limit, the pending limit (no destination repeats).
        var lisp = result.Lisp;
        Assert.Equal(result.StormPunted, lisp[LispControlEvent.MapRequestSent] + lisp[LispControlEvent.RateLimited] + lisp[LispControlEvent.PendingLimitReached]);
        Assert.True(lisp[LispControlEvent.RateLimited] > 0 && lisp[LispControlEvent.PendingLimitReached] > 0, "both limits should engage");

        // What left the underlay port is what the control plane counted, and never more than the rate allows, on the
        // limiter's own clock: GlobalPerSecond per second plus the bucket's one-second burst, retransmissions included.
        Assert.Equal(lisp[LispControlEvent.MapRequestSent] + lisp[LispControlEvent.MapRequestRetransmitted], result.MapRequestsOnWire.Count);
        Assert.Equal(0, lisp[LispControlEvent.InjectRefused]);
        long stormLimit = (settings.GlobalPerSecond * result.StormMilliseconds / 1000) + settings.GlobalPerSecond;
        int stormRequests = result.MapRequestsOnWire.Count(r => r.At <= result.StormEndedAt);
        Assert.True(stormRequests <= stormLimit, $"{stormRequests} Map-Requests in {result.StormMilliseconds} ms; the limit is {stormLimit}");
        long totalLimit = (settings.GlobalPerSecond * result.TotalMilliseconds / 1000) + settings.GlobalPerSecond;
        Assert.True(result.MapRequestsOnWire.Count <= totalLimit, $"{result.MapRequestsOnWire.Count} Map-Requests in {result.TotalMilliseconds} ms; the limit is {totalLimit}");
        Assert.True(stormRequests >= settings.GlobalPerSecond * result.StormMilliseconds / 1000 / 2, $"only {stormRequests} Map-Requests: the limiter starves");

        // Per destination: every EID asked under one nonce (a new request is a new nonce), retransmissions at least the
        // configured interval apart; different nonces for one EID at least the per-destination interval apart.
        foreach (var perEid in result.MapRequestsOnWire.GroupBy(r => r.Eid))
        {
            var times = perEid.Select(r => r.At).Order().ToArray();
            for (int i = 1; i < times.Length; i++)
            {
                Assert.True(times[i] - times[i - 1] >= settings.RetransmitMilliseconds, $"{perEid.Key}: requests at {times[i - 1]} and {times[i]} ms");
            }

            var firstByNonce = perEid.GroupBy(r => r.Nonce).Select(g => g.Min(r => r.At)).Order().ToArray();
            for (int i = 1; i < firstByNonce.Length; i++)
            {
                Assert.True(firstByNonce[i] - firstByNonce[i - 1] >= 1000 / settings.PerDestinationPerSecond, $"{perEid.Key}: new requests at {firstByNonce[i - 1]} and {firstByNonce[i]} ms");
            }
        }

        // Bounded state, sampled after every batch and every control round.
        Assert.True(result.MaxPending <= settings.PendingLimit, $"pending reached {result.MaxPending}");
        Assert.True(result.MaxPuntQueue <= storm.PuntQueueCapacity, $"punt queue held {result.MaxPuntQueue}");
        Assert.True(result.MaxRememberedAsks <= Math.Max(4 * settings.PendingLimit, settings.GlobalPerSecond * 2 / settings.PerDestinationPerSecond) + 1,
            $"the per-destination memory held {result.MaxRememberedAsks} destinations");
        Assert.Equal(0, result.PendingAtEnd); // nobody answered: every request gave up in the quiet tail
        Assert.Equal(lisp[LispControlEvent.MapRequestSent], lisp[LispControlEvent.MapRequestGaveUp]);

        // Legitimate traffic to the mapped EID: every packet encapsulated toward its RLOC, none lost to the storm.
        Assert.Equal(result.LegitimateSent, result.LegitimateEncapsulated);

        // The control plane's tables did not grow with the million destinations.
        Assert.True(result.RetainedBytesGrowth < 4 << 20, $"the managed heap grew by {result.RetainedBytesGrowth / 1024} KiB over the storm");
    }
}

/// <summary>Tests that measure the managed heap run alone, so other tests' allocations do not show up in it.</summary>
[CollectionDefinition(nameof(MemoryMeasuringCollection), DisableParallelization = true)]
public sealed class MemoryMeasuringCollection
{
}
