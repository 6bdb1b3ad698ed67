using Dataplane.Control.Lisp;
using Dataplane.Tables.MapCache;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.LispControl;

namespace Dataplane.Tests.Control.Lisp;

/// <summary>
/// RLOC probing on the simulated underlay of <see cref="LispControlLab"/> (virtual clock, real message bytes): an ITR
/// with static mappings over two ETRs' RLOCs. The jitter against RFC 3550's formula computed here from a known
/// sequence of delays, the degraded rule, the failover time against interval + downAfter x timeout, probing of a
/// down locator, and the probe load (one probe per locator per interval).
/// </summary>
public sealed class RlocProbingTests
{
    private const string RlocA = "192.0.2.1", RlocB = "192.0.2.2", RlocC = "192.0.2.3";
    private const string SharedEid = "10.1.0.5", PrimaryBackupEid = "10.2.0.5";
    private const int Interval = 1000, Timeout = 300, DownAfter = 3;

    private static string EtrConfig(string rloc) => $$"""
        {
          "roles": ["etr"],
          "ports": [ { "name": "und", "mac": "02:00:00:00:00:{{rloc.Split('.')[3].PadLeft(2, '0')}}", "addresses": ["{{rloc}}"] } ],
          "lisp": { "localRlocs": [ { "address": "{{rloc}}" } ], "localEids": [ "10.1.0.0/24", "10.2.0.0/24" ] }
        }
        """;

    /// <summary>The ITR: 10.1.0.0/24 shared by A and B at priority 1 (50/50), 10.2.0.0/24 on A (priority 1) with B as backup (2).</summary>
    private static string ItrConfig(int? degradedJitter) => $$"""
        {
          "roles": ["itr"],
          "ports": [ { "name": "und", "mac": "02:00:00:00:00:03", "addresses": ["{{RlocC}}"] } ],
          "lisp": {
            "localRlocs": [ { "address": "{{RlocC}}" } ],
            "localEids": [ "10.3.0.0/24" ],
            "mapCache": [
              { "eid": "10.1.0.0/24", "locators": [ { "address": "{{RlocA}}", "priority": 1, "weight": 50 }, { "address": "{{RlocB}}", "priority": 1, "weight": 50 } ] },
              { "eid": "10.2.0.0/24", "locators": [ { "address": "{{RlocA}}", "priority": 1 }, { "address": "{{RlocB}}", "priority": 2 } ] },
              { "eid": "10.4.0.0/24", "locators": [ { "address": "{{RlocA}}", "priority": 1 } ] }
            ],
            "rlocProbing": { "intervalMilliseconds": {{Interval}}, "timeoutMilliseconds": {{Timeout}}, "downAfter": {{DownAfter}}{{(degradedJitter is { } j ? $", \"degradedJitterMilliseconds\": {j}" : "")}} }
          }
        }
        """;

    private static (LispControlLab Lab, LispControlLab.Node Itr) Lab(int? degradedJitter = null)
    {
        var lab = new LispControlLab();
        lab.Add("a", EtrConfig(RlocA));
        lab.Add("b", EtrConfig(RlocB));
        var itr = lab.Add("c", ItrConfig(degradedJitter));
        return (lab, itr);
    }

    /// <summary>Probes toward <paramref name="rloc"/> take the next delay of <paramref name="delays"/> (then 1 ms); everything else 1 ms.</summary>
    private static void DelayProbesTo(LispControlLab lab, string rloc, IEnumerable<long> delays)
    {
        var queue = new Queue<long>(delays);
        var address = IpAddress.Parse(rloc);
        lab.DelayOf = datagram =>
            datagram.Destination == address && datagram.Payload.Length > 0 && (LispMessageType)(datagram.Payload[0] >> 4) == LispMessageType.MapRequest
                ? queue.TryDequeue(out long delay) ? delay : 1
                : null;
    }

    private static RlocHealth HealthOf(LispControlLab.Node itr, string rloc) => itr.Control.Prober!.Health[IpAddress.Parse(rloc)];

    /// <summary>The RLOCs a flow can be sent to for <paramref name="eid"/> (the selector's choices over many flows).</summary>
    private static string[] Chosen(LispControlLab.Node itr, string eid)
    {
        var entry = itr.Lookup(eid)!;
        return Enumerable.Range(0, 256).Select(hash => entry.Selector.Select((uint)hash * 0x9E3779B1u))
            .Where(i => i >= 0).Distinct().Select(i => entry.Locators[i].Address.ToString()).Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>RFC 3550 section 6.4.1 over successive round trips: J += (|D| - J) / 16, D the difference of two in a row.</summary>
    private static double Rfc3550Jitter(IEnumerable<double> roundTrips)
    {
        double jitter = 0;
        double? previous = null;
        foreach (double rtt in roundTrips)
        {
            if (previous is { } p)
            {
                jitter += (Math.Abs(rtt - p) - jitter) / 16;
            }

            previous = rtt;
        }

        return jitter;
    }

    [Fact]
    public void TheJitterOfAKnownSequenceOfDelaysIsRfc3550s()
    {
        var (lab, itr) = Lab();
        long[] oneWay = [10, 30, 20, 60, 15, 45, 5, 50, 25, 35, 90, 12];
        DelayProbesTo(lab, RlocA, oneWay);

        lab.Run(oneWay.Length * Interval - Interval / 2); // the first probe goes at the first tick, then one per interval

        // Each round trip is the delay toward A plus the 1 ms back; the expected jitter is computed here, not by the prober.
        double[] roundTrips = oneWay.Select(d => d + 1.0).ToArray();
        var a = HealthOf(itr, RlocA);
        Assert.Equal(oneWay.Length, a.Answered);
        Assert.Equal(roundTrips[^1], a.LastRttMilliseconds);
        Assert.Equal(Rfc3550Jitter(roundTrips), a.JitterMilliseconds, 9);
        Assert.InRange(a.JitterMilliseconds, 15, 25); // not a vacuous figure: about 19.8 ms for these delays

        var b = HealthOf(itr, RlocB); // constant 2 ms round trips: no jitter
        Assert.Equal(oneWay.Length, b.Answered);
        Assert.Equal(0, b.JitterMilliseconds);
    }

    [Fact]
    public void AJitteryLocatorYieldsToAHealthyOneOfItsPriorityAndComesBackWhenItCalms()
    {
        const int Threshold = 10;
        var (lab, itr) = Lab(degradedJitter: Threshold);
        // Round trips alternate 6 and 46 ms (|D| = 40) for 12 probes, then stay at 2 ms.
        long[] oneWay = [.. Enumerable.Range(0, 12).Select(i => i % 2 == 0 ? 5L : 45L)];
        DelayProbesTo(lab, RlocA, oneWay);
        double[] roundTrips = [.. oneWay.Select(d => d + 1.0), .. Enumerable.Repeat(2.0, 60)];
        // By hand: the first answer whose jitter is above the threshold, and the first after it at or below half of it.
        int degradedAt = Enumerable.Range(1, roundTrips.Length).First(n => Rfc3550Jitter(roundTrips.Take(n)) > Threshold);
        int healthyAt = Enumerable.Range(degradedAt, roundTrips.Length - degradedAt).First(n => Rfc3550Jitter(roundTrips.Take(n)) <= Threshold / 2.0);
        Assert.Equal(6, degradedAt);

        var a = FoundHealthOf(lab, itr, RlocA);
        lab.RunUntil(() => a.Degraded, 20 * Interval);
        Assert.Equal(degradedAt, a.Answered);
        Assert.Equal(1, itr.Control.Counters[LispControlEvent.RlocDegraded]);
        Assert.Equal([RlocB], Chosen(itr, SharedEid)); // equal priority: the healthy one takes every flow
        Assert.Equal([RlocA], Chosen(itr, PrimaryBackupEid)); // priority first: A stays the primary of 10.2.0.0/24
        Assert.True(itr.Lookup(SharedEid)!.Locators[0].IsDegraded);

        lab.RunUntil(() => !a.Degraded, 80 * Interval);
        Assert.Equal(healthyAt, a.Answered);
        Assert.Equal(1, itr.Control.Counters[LispControlEvent.RlocHealthy]);
        Assert.Equal([RlocA, RlocB], Chosen(itr, SharedEid));
    }

    [Fact]
    public void ADeadPrimaryIsDownWithinIntervalPlusDownAfterTimeoutsAndStillProbedUntilItReturns()
    {
        var (lab, itr) = Lab();
        var a = FoundHealthOf(lab, itr, RlocA);
        lab.RunUntil(() => a.Answered >= 2, 3 * Interval);
        Assert.Equal([RlocA], Chosen(itr, PrimaryBackupEid));

        // The worst case: A fails just after answering a probe.
        lab.Unreachable.Add(IpAddress.Parse(RlocA));
        long detection = lab.RunUntil(() => !a.Up, 3 * Interval);
        Assert.InRange(detection, DownAfter * Timeout, Interval + DownAfter * Timeout + 3 * 10); // + a control round per loss
        Assert.Equal(DownAfter, a.ConsecutiveLost);
        Assert.Equal([RlocB], Chosen(itr, PrimaryBackupEid));
        Assert.Equal(1, itr.Control.Counters[LispControlEvent.RlocDown]);

        // Down, it is probed once an interval (not once a timeout): 5 intervals, 5 probes give or take the edge.
        long sent = a.Sent;
        lab.Run(5 * Interval);
        Assert.InRange(a.Sent - sent, 4, 6);

        lab.Unreachable.Clear();
        long recovery = lab.RunUntil(() => a.Up, 2 * Interval);
        Assert.InRange(recovery, 1, Interval + 2 * lab.LinkDelay + 10);
        Assert.Equal([RlocA], Chosen(itr, PrimaryBackupEid));
        Assert.Equal(1, itr.Control.Counters[LispControlEvent.RlocUp]);
    }

    [Fact]
    public void AMappingRefreshedByTheMapSystemGetsTheMeasuredStateBackAtTheNextScan()
    {
        var (lab, itr) = Lab();
        var a = FoundHealthOf(lab, itr, RlocA);
        lab.Unreachable.Add(IpAddress.Parse(RlocA));
        lab.RunUntil(() => !a.Up, 3 * Interval);

        // What a Map-Reply does to the entry: the locators as the ETR sees them, A up.
        var entry = itr.Lookup(PrimaryBackupEid)!;
        itr.Tables.MapCache.AddOrReplace(entry.WithLocators([.. entry.Locators.ToArray().Select(l => l.WithState(true))], 0));
        Assert.Equal([RlocA], Chosen(itr, PrimaryBackupEid));

        lab.Run(Interval + 20);
        Assert.Equal([RlocB], Chosen(itr, PrimaryBackupEid));
    }

    [Fact]
    public void EachLocatorIsProbedOnceAnIntervalHoweverManyMappingsListIt()
    {
        var (lab, itr) = Lab();

        lab.Run(10 * Interval - Interval / 2); // A is in three mappings, B in two

        Assert.Equal(10, HealthOf(itr, RlocA).Sent);
        Assert.Equal(10, HealthOf(itr, RlocB).Sent);
        Assert.Equal(20, itr.Control.Counters[LispControlEvent.RlocProbeSent]);
    }

    [Fact]
    public void AProbeReplyFromAnotherAddressIsRefusedAndDoesNotCancelTheProbe()
    {
        var (lab, itr) = Lab();
        lab.Unreachable.Add(IpAddress.Parse(RlocA)); // the probe stays unanswered while the forger tries its nonce
        var a = FoundHealthOf(lab, itr, RlocA);
        ulong nonce = a.OutstandingNonce!.Value;
        var reply = new MapReply(nonce, []) { Probe = true };
        var bytes = new byte[reply.Size];
        reply.Write(bytes);

        itr.Control.HandleDatagram(new UdpDatagram(IpAddress.Parse("192.0.2.99"), IpAddress.Parse(RlocC), 4342, 4342, bytes));
        Assert.Equal(1, itr.Control.Counters[LispControlEvent.UnmatchedMapReply]);
        Assert.Equal(0, a.Answered);
        Assert.Equal(nonce, a.OutstandingNonce);

        // The genuine reply, with the port's receive time 3.5 ms after the probe left: the round trip is measured to it,
        // not to the control round that read it (8 ms on this clock).
        lab.Run(8);
        itr.Control.HandleDatagram(new UdpDatagram(IpAddress.Parse(RlocA), IpAddress.Parse(RlocC), 4342, 4342, bytes)
        {
            ReceivedAtUnixNanoseconds = a.SentAtUnixNanoseconds + 3_500_000,
        });
        Assert.Equal(1, a.Answered);
        Assert.Null(a.OutstandingNonce);
        Assert.Equal(3.5, a.LastRttMilliseconds);
    }

    [Fact]
    public void AReceiveTimeThatCannotBeRightLeavesTheControlThreadsRoundTrip()
    {
        var (lab, itr) = Lab();
        lab.Unreachable.Add(IpAddress.Parse(RlocA));
        var a = FoundHealthOf(lab, itr, RlocA);
        var reply = new MapReply(a.OutstandingNonce!.Value, []) { Probe = true };
        var bytes = new byte[reply.Size];
        reply.Write(bytes);
        long sentAt = a.SentAt;
        lab.Run(8);

        // A wall clock stepped forward between send and receive: a round trip longer than the control thread saw.
        itr.Control.HandleDatagram(new UdpDatagram(IpAddress.Parse(RlocA), IpAddress.Parse(RlocC), 4342, 4342, bytes)
        {
            ReceivedAtUnixNanoseconds = a.SentAtUnixNanoseconds + 5_000_000_000,
        });
        Assert.Equal(lab.Now - sentAt, a.LastRttMilliseconds);
    }

    /// <summary>The health of <paramref name="rloc"/> once the prober has found it (at its first tick).</summary>
    private static RlocHealth FoundHealthOf(LispControlLab lab, LispControlLab.Node itr, string rloc)
    {
        lab.RunUntil(() => itr.Control.Prober!.Health.ContainsKey(IpAddress.Parse(rloc)), 100);
        return HealthOf(itr, rloc);
    }
}
