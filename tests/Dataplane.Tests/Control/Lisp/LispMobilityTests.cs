using Dataplane.Control.Lisp;
using Dataplane.Tables.MapCache;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.LispControl;

namespace Dataplane.Tests.Control.Lisp;

/// <summary>
/// Mobility's edge cases on the simulated underlay of <see cref="LispControlLab"/> (real message bytes, simulated wire
/// and clock): Change-Priority when the new xTR never cached the moved EID (it asks the mapping system first), a VM
/// moving back and forth, two VMs moving at once, and a run-time change of a local RLOC's priority told by
/// Change-Priority or by SMR. The convergence floors are counted in one-way trips from the message sequence each
/// method needs (RFC 9301 for SMR, the Change-Priority design for CP), not from this code.
/// </summary>
public sealed class LispMobilityTests
{
    private const string Ms = "192.0.2.100", RlocA = "192.0.2.1", RlocA2 = "192.0.2.11", RlocB = "192.0.2.2", RlocC = "192.0.2.3";
    private const string Vm = "10.1.0.5", Vm2 = "10.1.0.6";

    private static string MsConfig() => $$"""
        {
          "roles": ["msmr"],
          "ports": [ { "name": "und", "mac": "02:00:00:00:01:00", "addresses": ["{{Ms}}"] } ],
          "lisp": {
            "localRlocs": [ { "address": "{{Ms}}" } ],
            "mappingSystem": { "sites": [ { "name": "lab", "keyId": 2, "key": "lab-key", "eidPrefixes": ["[0]10.0.0.0/8"] } ] }
          }
        }
        """;

    private static string XtrConfig(string[] rlocs, string[] eids, bool changePriority = true, string mapResolver = Ms) => $$"""
        {
          "roles": ["itr", "etr"],
          "ports": [ { "name": "und", "mac": "02:00:00:00:00:{{rlocs[0].Split('.')[3].PadLeft(2, '0')}}", "addresses": [{{string.Join(", ", rlocs.Select(r => $"\"{r}\""))}}] } ],
          "lisp": {
            "localRlocs": [ {{string.Join(", ", rlocs.Select((r, i) => $"{{ \"address\": \"{r}\", \"priority\": {i + 1}, \"weight\": 100 }}"))}} ],
            "localEids": [ {{string.Join(", ", eids.Select(e => $"\"{e}\""))}} ],
            "mapResolvers": [ "{{mapResolver}}" ],
            "mapServers": [ { "address": "{{Ms}}", "keyId": 2, "key": "lab-key" } ],
            "registerIntervalSeconds": 60
            {{(changePriority ? ", \"changePriority\": { \"keyId\": 2, \"key\": \"cp-key\", \"previousLocatorWaitMilliseconds\": 300 }" : "")}}
          }
        }
        """;

    private static (LispControlLab Lab, LispControlLab.Node Ms, LispControlLab.Node A, LispControlLab.Node B, LispControlLab.Node C) Lab(
        string[]? vms = null, string[]? rlocsOfA = null, bool changePriority = true)
    {
        var lab = new LispControlLab();
        var ms = lab.Add("ms", MsConfig());
        var a = lab.Add("a", XtrConfig(rlocsOfA ?? [RlocA], (vms ?? [Vm]).Select(v => $"[0]{v}/32").ToArray(), changePriority));
        var b = lab.Add("b", XtrConfig([RlocB], ["[0]10.2.0.0/24"], changePriority));
        var c = lab.Add("c", XtrConfig([RlocC], ["[0]10.3.0.0/24"], changePriority));
        lab.Run(50); // first registrations go out on the first tick
        return (lab, ms, a, b, c);
    }

    private static bool PointsTo(LispControlLab.Node node, string eid, string rloc) =>
        node.Lookup(eid) is { IsNegative: false } entry && entry.Locators.ToArray().Any(l => l.Address == IpAddress.Parse(rloc) && l.IsUsable)
        && entry.Locators.ToArray().All(l => l.Address == IpAddress.Parse(rloc) || !l.IsUsable);

    private static bool Owns(LispControlLab.Node node, string vm) =>
        node.Tables.LocalDatabase.EidPrefixes.IndexOf(EidPrefix.Parse($"[0]{vm}/32")) >= 0;

    private static IpAddress RegistrantOf(LispControlLab.Node ms, string vm) =>
        ms.Control.MappingSystem!.Registrations.Single(r => r.Prefix == EidPrefix.Parse($"[0]{vm}/32")).Registrant;

    [Fact]
    public void ANewXtrThatNeverCachedTheEidAsksTheMappingSystemWhereItWasBeforeRegisteringIt()
    {
        var (lab, ms, a, b, c) = Lab();
        c.Control.Resolver!.OnMiss(0, IpAddress.Parse(Vm));
        lab.RunUntil(() => PointsTo(c, Vm, RlocA), 100);
        Assert.Null(b.Lookup(Vm)); // cold: B never talked to the VM

        lab.LinkDelay = 20;
        int registersBefore = (int)b.Control.Counters[LispControlEvent.MapRegisterSent];
        var arrival = b.Control.ChangePriority!.EidArrived(EidPrefix.Parse($"[0]{Vm}/32"));

        // Nothing registered yet: the mapping system must still answer with the previous xTR.
        Assert.Equal(EidArrival.FromMappingSystem, arrival.PreviousFrom);
        Assert.False(arrival.Registered);
        Assert.False(Owns(b, Vm));
        Assert.Equal(registersBefore, b.Control.Counters[LispControlEvent.MapRegisterSent]);

        long took = lab.RunUntil(() => PointsTo(c, Vm, RlocB), 2000);

        // B -> MS (ECM), MS -> A (forwarded), A -> B (reply), B -> A (H=0,C=0), A -> C (C=1): five one-way trips.
        Assert.InRange(took, 5 * lab.LinkDelay, 5 * lab.LinkDelay + 2);
        Assert.Equal(1, b.Control.Counters[LispControlEvent.MoveLookupSent]);
        Assert.Equal(1, b.Control.Counters[LispControlEvent.MoveLookupAnswered]);
        Assert.Equal(0, b.Control.Counters[LispControlEvent.MoveLookupTimedOut]);
        Assert.True(Owns(b, Vm));
        Assert.False(Owns(a, Vm));
        Assert.True(PointsTo(a, Vm, RlocB), "the previous xTR follows the VM");
        Assert.Null(b.Lookup(Vm)); // the lookup's answer (A) is not cached at the VM's new home
        lab.Run(200);
        Assert.Equal(IpAddress.Parse(RlocB), RegistrantOf(ms, Vm));
        Assert.Equal(1, c.Control.Counters[LispControlEvent.ChangePriorityReceived]);
        // A answered B's lookup, so B is one of A's requesters: A's C=1 skips B, the VM's new home.
        Assert.Equal(0, b.Control.Counters[LispControlEvent.ChangePriorityForLocalEid]);
        Assert.Equal(0, b.Control.Counters[LispControlEvent.UnmatchedMapReply]);
    }

    [Fact]
    public void WithoutAnAnswerInTimeTheArrivalIsRegisteredAnywayAndCounted()
    {
        var (lab, ms, a, b, c) = Lab();
        c.Control.Resolver!.OnMiss(0, IpAddress.Parse(Vm));
        lab.RunUntil(() => PointsTo(c, Vm, RlocA), 100);

        lab.Unreachable.Add(IpAddress.Parse(RlocA)); // the previous xTR is gone: the forwarded request goes unanswered
        var arrival = b.Control.ChangePriority!.EidArrived(EidPrefix.Parse($"[0]{Vm}/32"));
        Assert.False(arrival.Registered);
        lab.Run(250);
        Assert.False(Owns(b, Vm)); // still waiting (300 ms)

        lab.Run(100);
        Assert.True(Owns(b, Vm));
        Assert.Equal(1, b.Control.Counters[LispControlEvent.MoveLookupTimedOut]);
        Assert.Equal(0, b.Control.Counters[LispControlEvent.ChangePrioritySent]);
        lab.Run(50);
        Assert.Equal(IpAddress.Parse(RlocB), RegistrantOf(ms, Vm));
    }

    [Fact]
    public void ArrivalsLookedUpAtOnceAreBoundedAndTheRestRegisterAtOnce()
    {
        var (lab, _, _, b, _) = Lab();
        lab.Unreachable.Add(IpAddress.Parse(Ms)); // no answers: every lookup stays open for its whole wait
        for (int i = 0; i < PreviousLocatorLookup.Limit; i++)
        {
            Assert.False(b.Control.ChangePriority!.EidArrived(EidPrefix.Parse($"[0]10.7.{i / 256}.{i % 256}/32")).Registered);
        }

        var overflow = b.Control.ChangePriority!.EidArrived(EidPrefix.Parse("[0]10.8.0.1/32"));

        Assert.True(overflow.Registered);
        Assert.Equal(PreviousLocatorLookup.Limit, b.Control.ChangePriority.LookupsPending);
        Assert.Equal(1, b.Control.Counters[LispControlEvent.MoveLookupLimitReached]);
        lab.Run(400);
        Assert.Equal(0, b.Control.ChangePriority.LookupsPending);
        Assert.Equal(PreviousLocatorLookup.Limit, b.Control.Counters[LispControlEvent.MoveLookupTimedOut]);
    }

    /// <summary>
    /// A -> B -> A -> B -> A -> B -> A (three times there and back) by Change-Priority: each move converges (to B in two one-way trips; back to A in one:
    /// the xTR the VM returns to tells the ITR that asked it before, which never asked B and which B cannot know), the
    /// xTR left behind stops serving the EID, exactly two CP messages per move and no SMR (no loop), no nonce refused
    /// as a replay.
    /// </summary>
    [Fact]
    public void AVmMovingBackAndForthThreeTimesByChangePriorityConvergesEveryTime()
    {
        var (lab, ms, a, b, c) = Lab();
        c.Control.Resolver!.OnMiss(0, IpAddress.Parse(Vm));
        lab.RunUntil(() => PointsTo(c, Vm, RlocA), 100);
        b.Control.Resolver!.OnMiss(0, IpAddress.Parse(Vm)); // warm: B knows where the VM is
        lab.RunUntil(() => PointsTo(b, Vm, RlocA), 100);
        lab.LinkDelay = 20;

        var (from, to) = (a, b);
        for (int move = 0; move < 6; move++)
        {
            long sentBefore = a.Control.Counters[LispControlEvent.ChangePrioritySent] + b.Control.Counters[LispControlEvent.ChangePrioritySent];
            string rloc = to == a ? RlocA : RlocB;
            to.Control.ChangePriority!.EidArrived(EidPrefix.Parse($"[0]{Vm}/32"));
            long took = lab.RunUntil(() => PointsTo(c, Vm, rloc), 2000);
            lab.Run(100);

            // To B: B -> A (H=0,C=0), A -> C (C=1). Back to A: A tells C itself (C asked A before), one trip.
            long trips = to == b ? 2 : 1;
            Assert.InRange(took, trips * lab.LinkDelay, trips * lab.LinkDelay + 2);
            Assert.True(Owns(to, Vm), $"move {move + 1}: the new xTR serves the VM");
            Assert.False(Owns(from, Vm), $"move {move + 1}: the old xTR still serves the VM");
            Assert.True(PointsTo(from, Vm, rloc), $"move {move + 1}: the old xTR follows the VM");
            Assert.Equal(IpAddress.Parse(rloc), RegistrantOf(ms, Vm));
            long sent = a.Control.Counters[LispControlEvent.ChangePrioritySent] + b.Control.Counters[LispControlEvent.ChangePrioritySent] - sentBefore;
            Assert.Equal(2, sent); // H=0,C=0 to the old xTR, C=1 to C: nothing bounces between the two xTRs
            (from, to) = (to, from);
        }

        lab.Run(1000);
        Assert.True(PointsTo(c, Vm, RlocA), $"C still points to {Priorities(c, Vm)} a second after the last move back to A");
        Assert.Equal(0, a.Control.Counters[LispControlEvent.SmrSent] + b.Control.Counters[LispControlEvent.SmrSent]);
        foreach (var node in lab.Nodes)
        {
            Assert.Equal(0, node.Control.Counters[LispControlEvent.ReplayedNonce]);
            Assert.Equal(0, node.Control.Counters[LispControlEvent.BadHmac]);
        }
    }

    /// <summary>The same six moves by SMR: the old xTR solicits, C asks the mapping system, which forwards to the new xTR.</summary>
    [Fact]
    public void AVmMovingBackAndForthThreeTimesBySmrConvergesEveryTime()
    {
        var (lab, ms, a, b, c) = Lab(changePriority: false);
        c.Control.Resolver!.OnMiss(0, IpAddress.Parse(Vm));
        lab.RunUntil(() => PointsTo(c, Vm, RlocA), 100);
        lab.LinkDelay = 20;
        var eid = EidPrefix.Parse($"[0]{Vm}/32");

        var (from, to) = (a, b);
        for (int move = 0; move < 6; move++)
        {
            string rloc = to == a ? RlocA : RlocB;
            from.Tables.LocalDatabase.RemoveEidPrefix(eid);
            to.Tables.LocalDatabase.AddEidPrefix(eid);
            long took = lab.RunUntil(() => PointsTo(c, Vm, rloc), 3000);
            lab.Run(100);

            // A -> C (SMR), C -> MS (ECM), MS -> B (forward), B -> C (reply), after the next control tick (10 ms).
            Assert.InRange(took, 4 * lab.LinkDelay, 4 * lab.LinkDelay + 40);
            Assert.Equal(IpAddress.Parse(rloc), RegistrantOf(ms, Vm));
            (from, to) = (to, from);
        }

        Assert.Equal(6, c.Control.Counters[LispControlEvent.SmrInvokedRequestSent]);
        Assert.Equal(0, c.Control.Counters[LispControlEvent.RateLimited]);
        Assert.Equal(0, c.Control.Counters[LispControlEvent.MapRequestGaveUp]);
    }

    [Fact]
    public void APreviousXtrWithTwoRlocsIsToldOnceAtItsPreferredRloc()
    {
        var (lab, _, a, b, c) = Lab(rlocsOfA: [RlocA, RlocA2]);
        b.Control.Resolver!.OnMiss(0, IpAddress.Parse(Vm));
        c.Control.Resolver!.OnMiss(0, IpAddress.Parse(Vm));
        lab.RunUntil(() => Priorities(b, Vm) == "192.0.2.1 p1 w100, 192.0.2.11 p2 w100" && Priorities(c, Vm) != "", 100);

        var arrival = b.Control.ChangePriority!.EidArrived(EidPrefix.Parse($"[0]{Vm}/32"));
        lab.RunUntil(() => PointsTo(c, Vm, RlocB), 200);
        lab.Run(50);

        Assert.Equal([IpAddress.Parse(RlocA)], arrival.PreviousRlocs); // priority 1 only: one xTR, told once
        Assert.Equal(1, b.Control.Counters[LispControlEvent.ChangePrioritySent]);
        Assert.Equal(1, a.Control.Counters[LispControlEvent.ChangePriorityReceived]);
        Assert.Equal(1, a.Control.Counters[LispControlEvent.ChangePrioritySent]); // C=1 to C, not twice
    }

    [Fact]
    public void ChangePriorityIsToldToTheUsableRlocsOfTheBestPriority()
    {
        IpAddress x = IpAddress.Parse("192.0.2.7"), y = IpAddress.Parse("192.0.2.8"), z = IpAddress.Parse("192.0.2.9");
        Assert.Equal([x, y], ChangePriorityAgent.PreferredRlocs([(x, 1, true), (y, 1, true), (z, 2, true)])); // a multihomed site: both ETRs
        Assert.Equal([z], ChangePriorityAgent.PreferredRlocs([(x, 1, false), (y, 255, false), (z, 2, true)]));
        Assert.Equal([x, y], ChangePriorityAgent.PreferredRlocs([(x, 1, false), (y, 255, false)])); // none usable: all
    }

    [Fact]
    public void TwoVmsMovingAtOnceByChangePriorityBothConverge()
    {
        var (lab, _, a, b, c) = Lab(vms: [Vm, Vm2]);
        c.Control.Resolver!.OnMiss(0, IpAddress.Parse(Vm));
        c.Control.Resolver.OnMiss(0, IpAddress.Parse(Vm2));
        lab.RunUntil(() => PointsTo(c, Vm, RlocA) && PointsTo(c, Vm2, RlocA), 100);
        lab.LinkDelay = 20;

        b.Control.ChangePriority!.EidArrived(EidPrefix.Parse($"[0]{Vm}/32"));  // cold: asks the mapping system
        b.Control.ChangePriority.EidArrived(EidPrefix.Parse($"[0]{Vm2}/32"));
        long took = lab.RunUntil(() => PointsTo(c, Vm, RlocB) && PointsTo(c, Vm2, RlocB), 2000);

        Assert.InRange(took, 5 * lab.LinkDelay, 5 * lab.LinkDelay + 2);
        Assert.Equal(2, b.Control.Counters[LispControlEvent.MoveLookupAnswered]);
        Assert.Equal(2, c.Control.Counters[LispControlEvent.ChangePriorityReceived]);
        Assert.False(Owns(a, Vm) || Owns(a, Vm2));
    }

    [Fact]
    public void ARunTimePriorityChangeReachesTheItrsByChangePriority()
    {
        var (lab, ms, a, _, c) = Lab(rlocsOfA: [RlocA, RlocA2]);
        c.Control.Resolver!.OnMiss(0, IpAddress.Parse(Vm));
        lab.RunUntil(() => Priorities(c, Vm) == "192.0.2.1 p1 w100, 192.0.2.11 p2 w100", 100);
        lab.LinkDelay = 20;

        var change = a.Control.LocalRlocs!.Change(IpAddress.Parse(RlocA2), 1, 60);
        long took = lab.RunUntil(() => Priorities(c, Vm) == "192.0.2.1 p1 w100, 192.0.2.11 p1 w60", 1000);
        a.Control.LocalRlocs.Change(IpAddress.Parse(RlocA), 2, 100);
        lab.RunUntil(() => Priorities(c, Vm) == "192.0.2.1 p2 w100, 192.0.2.11 p1 w60", 1000);

        Assert.Equal(new RlocChange(true, 1, 0), change);
        Assert.InRange(took, lab.LinkDelay, lab.LinkDelay + 2); // one trip: A -> C (C=1)
        Assert.Equal("192.0.2.1 p2 w100, 192.0.2.11 p1 w60", Priorities(c, Vm));
        Assert.Equal(2, c.Control.Counters[LispControlEvent.ChangePriorityReceived]);
        lab.Run(100);
        Assert.Equal(["192.0.2.1 p2 w100", "192.0.2.11 p1 w60"],
            ms.Control.MappingSystem!.Registrations.Single(r => r.Prefix == EidPrefix.Parse($"[0]{Vm}/32")).Record.Locators
                .Select(l => $"{l.Address} p{l.Priority} w{l.Weight}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ARunTimePriorityChangeReachesTheItrsBySmrWithoutChangePriority()
    {
        var (lab, _, a, _, c) = Lab(rlocsOfA: [RlocA, RlocA2], changePriority: false);
        c.Control.Resolver!.OnMiss(0, IpAddress.Parse(Vm));
        lab.RunUntil(() => Priorities(c, Vm) == "192.0.2.1 p1 w100, 192.0.2.11 p2 w100", 100);
        lab.LinkDelay = 20;

        var change = a.Control.LocalRlocs!.Change(IpAddress.Parse(RlocA), 3, 100);
        long took = lab.RunUntil(() => Priorities(c, Vm) == "192.0.2.1 p3 w100, 192.0.2.11 p2 w100", 1000);

        Assert.Equal(new RlocChange(true, 0, 1), change);
        // A -> C (SMR), C -> MS (ECM), MS -> A (forward), A -> C (reply): four one-way trips.
        Assert.InRange(took, 4 * lab.LinkDelay, 4 * lab.LinkDelay + 2);
        Assert.Equal(1, c.Control.Counters[LispControlEvent.SmrInvokedRequestSent]);
    }

    [Fact]
    public void ARunTimePriorityChangeOfAnAddressThatIsNotOursIsRefused()
    {
        var (_, _, a, _, _) = Lab();
        Assert.Throws<ArgumentException>(() => a.Control.LocalRlocs!.Change(IpAddress.Parse(RlocB), 1, 100));
        Assert.False(LocalRlocAnnouncer.Apply(a.Tables.LocalDatabase, IpAddress.Parse(RlocA), 1, 100)); // already so
    }

    private static string Priorities(LispControlLab.Node node, string eid) =>
        node.Lookup(eid) is { IsNegative: false } entry
            ? string.Join(", ", entry.Locators.ToArray().Select(l => $"{l.Address} p{l.Priority} w{l.Weight}").Order(StringComparer.Ordinal))
            : "";
}
