using Dataplane.Control.Lisp;
using Dataplane.Tables.MapCache;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.LispControl;

namespace Dataplane.Tests.Control.Lisp;

/// <summary>
/// Three xTRs (A and B serve EIDs, C is the client ITR) and one map-server/map-resolver, on the simulated underlay of
/// <see cref="LispControlLab"/>: registration, resolution on a miss (forwarded to the ETR, proxied, negative),
/// mobility by SMR and by Change-Priority, RLOC probing, rate limits, and every refusal counted by its reason.
/// </summary>
public sealed class LispControlPlaneTests
{
    private const string Ms = "192.0.2.100", RlocA = "192.0.2.1", RlocB = "192.0.2.2", RlocC = "192.0.2.3";
    private const string Mobile = "10.1.0.5";

    private static string MsConfig(bool siteProxyReply = false) => $$"""
        {
          "roles": ["msmr"],
          "ports": [ { "name": "und", "mac": "02:00:00:00:01:00", "addresses": ["{{Ms}}"] } ],
          "lisp": {
            "localRlocs": [ { "address": "{{Ms}}" } ],
            "mappingSystem": { "sites": [
              { "name": "lab", "keyId": 2, "key": "lab-key", "eidPrefixes": ["[0]10.0.0.0/8"] },
              { "name": "other", "keyId": 1, "key": "other-key", "eidPrefixes": ["[0]172.16.0.0/12"] } ] }
          }
        }
        """;

    private static string XtrConfig(string rloc, string eid, bool proxyReply = false, string key = "lab-key", ushort keyId = 2) => $$"""
        {
          "roles": ["itr", "etr"],
          "ports": [ { "name": "und", "mac": "02:00:00:00:00:{{rloc.Split('.')[3].PadLeft(2, '0')}}", "addresses": ["{{rloc}}"] } ],
          "lisp": {
            "localRlocs": [ { "address": "{{rloc}}", "priority": 1, "weight": 100 } ],
            "localEids": [ "{{eid}}" ],
            "mapResolvers": [ "{{Ms}}" ],
            "mapServers": [ { "address": "{{Ms}}", "keyId": {{keyId}}, "key": "{{key}}", "proxyReply": {{(proxyReply ? "true" : "false")}} } ],
            "registerIntervalSeconds": 60,
            "rlocProbing": { "intervalSeconds": 5, "timeoutMilliseconds": 500, "downAfter": 2 },
            "changePriority": { "keyId": 2, "key": "cp-key" }
          }
        }
        """;

    private static (LispControlLab Lab, LispControlLab.Node Ms, LispControlLab.Node A, LispControlLab.Node B, LispControlLab.Node C) Lab(bool proxyReply = false)
    {
        var lab = new LispControlLab();
        var ms = lab.Add("ms", MsConfig());
        var a = lab.Add("a", XtrConfig(RlocA, $"[0]{Mobile}/32", proxyReply));
        var b = lab.Add("b", XtrConfig(RlocB, "[0]10.2.0.0/24", proxyReply));
        var c = lab.Add("c", XtrConfig(RlocC, "[0]10.3.0.0/24", proxyReply));
        lab.Run(50); // first registrations go out on the first tick
        return (lab, ms, a, b, c);
    }

    private static bool PointsTo(LispControlLab.Node node, string eid, string rloc) =>
        node.Lookup(eid) is { IsNegative: false } entry && entry.Locators.ToArray().Any(l => l.Address == IpAddress.Parse(rloc) && l.IsUsable)
        && entry.Locators.ToArray().All(l => l.Address == IpAddress.Parse(rloc) || !l.IsUsable);

    [Fact]
    public void EtrsRegisterWithTheMapServerAndGetAnAuthenticatedNotify()
    {
        var (_, ms, a, b, c) = Lab();

        var registered = ms.Control.MappingSystem!.Registrations.Select(r => r.Prefix.ToString()).Order().ToArray();
        Assert.Equal(["10.1.0.5/32", "10.2.0.0/24", "10.3.0.0/24"], registered);
        Assert.Equal(IpAddress.Parse(RlocA), ms.Control.MappingSystem.Registrations.Single(r => r.Prefix.ToString() == "10.1.0.5/32").Registrant);
        foreach (var node in new[] { a, b, c })
        {
            Assert.Equal(1, node.Control.Counters[LispControlEvent.RegistrationConfirmed]);
        }
    }

    [Fact]
    public void TheCountersArePublishedAsPrometheusMetrics()
    {
        var (_, ms, _, _, _) = Lab();
        var metrics = new Dataplane.Control.Metrics.ControlPlaneMetrics();
        new LispControlMetrics(ms.Control, metrics).OnTick(0);

        var events = metrics.Counter("dataplane_lisp_control_events_total", "", "event");
        Assert.Equal(3, events.Value("RegistrationAccepted"));
        Assert.Equal(ms.Control.Counters[LispControlEvent.MapNotifySent], events.Value("MapNotifySent"));
        Assert.Equal(3, metrics.Gauge("dataplane_lisp_registrations", "").Value());
    }

    [Fact]
    public void AMissIsResolvedThroughTheMapResolverAndTheEtrAnswers()
    {
        var (lab, ms, a, _, c) = Lab();

        c.Control.Resolver!.OnMiss(0, IpAddress.Parse(Mobile));
        lab.RunUntil(() => PointsTo(c, Mobile, RlocA), 100);

        Assert.Equal(1, ms.Control.Counters[LispControlEvent.MapRequestForwarded]);
        Assert.Equal(1, a.Control.Counters[LispControlEvent.MapReplySent]);
        Assert.Equal([IpAddress.Parse(RlocC)], a.Control.Etr!.RequestersOf(EidPrefix.Parse($"[0]{Mobile}/32")));
        Assert.Equal(0, c.Control.Resolver.PendingCount);
    }

    [Fact]
    public void WithProxyReplyTheMapServerAnswersItself()
    {
        var (lab, ms, a, _, c) = Lab(proxyReply: true);

        c.Control.Resolver!.OnMiss(0, IpAddress.Parse(Mobile));
        lab.RunUntil(() => PointsTo(c, Mobile, RlocA), 100);

        Assert.Equal(0, ms.Control.Counters[LispControlEvent.MapRequestForwarded]);
        Assert.Equal(1, ms.Control.Counters[LispControlEvent.MapReplySent]);
        Assert.Equal(0, a.Control.Counters[LispControlEvent.MapReplySent]);
    }

    [Fact]
    public void AnUnregisteredEidGetsANegativeReplyInstalledWithItsAction()
    {
        var (lab, _, _, _, c) = Lab();

        c.Control.Resolver!.OnMiss(0, IpAddress.Parse("198.18.0.1"));   // outside every site: not LISP
        c.Control.Resolver.OnMiss(0, IpAddress.Parse("10.9.9.9"));      // a site's space, nobody registered it
        lab.Run(50);

        Assert.Equal(NegativeAction.NativelyForward, c.Lookup("198.18.0.1")!.Action);
        Assert.True(c.Lookup("198.18.0.1")!.IsNegative);
        Assert.Equal(NegativeAction.Drop, c.Lookup("10.9.9.9")!.Action);
        Assert.Equal(2, c.Control.Counters[LispControlEvent.NegativeMapCacheInstalled]);
    }

    [Fact]
    public void MissesAreRateLimitedPerDestinationAndRetransmittedWithBackoffUntilGivingUp()
    {
        var (lab, ms, _, _, c) = Lab();
        lab.Unreachable.Add(IpAddress.Parse(Ms));

        for (int i = 0; i < 100; i++)
        {
            c.Control.Resolver!.OnMiss(0, IpAddress.Parse("10.2.0.7"));
        }

        Assert.Equal(1, c.Control.Counters[LispControlEvent.MapRequestSent]);
        lab.Run(1000 + 2000 + 4000 + 8000 + 100); // 1 s, then doubling: three retransmissions, then give up
        Assert.Equal(3, c.Control.Counters[LispControlEvent.MapRequestRetransmitted]);
        Assert.Equal(1, c.Control.Counters[LispControlEvent.MapRequestGaveUp]);
        Assert.Equal(0, c.Control.Resolver!.PendingCount);

        // Asking again for the same EID waits out the per-destination interval; another EID is asked at once.
        lab.Unreachable.Clear();
        c.Control.Resolver.OnMiss(0, IpAddress.Parse("10.2.0.7"));
        Assert.Equal(2, c.Control.Counters[LispControlEvent.MapRequestSent]);
    }

    [Fact]
    public void AfterAMoveWithSmrTheClientConvergesOnTheNewRloc()
    {
        var (lab, ms, a, b, c) = Lab();
        var mobile = EidPrefix.Parse($"[0]{Mobile}/32");
        c.Control.Resolver!.OnMiss(0, IpAddress.Parse(Mobile));
        lab.RunUntil(() => PointsTo(c, Mobile, RlocA), 100);

        lab.LinkDelay = 20;
        a.Tables.LocalDatabase.RemoveEidPrefix(mobile); // the VM leaves A ...
        b.Tables.LocalDatabase.AddEidPrefix(mobile);    // ... and arrives at B (what `dataplane ctl localeid.*` does)
        long took = lab.RunUntil(() => PointsTo(c, Mobile, RlocB), 2000);

        Assert.Equal(1, a.Control.Counters[LispControlEvent.SmrSent]);
        Assert.Equal(1, c.Control.Counters[LispControlEvent.SmrInvokedRequestSent]);
        Assert.Equal(IpAddress.Parse(RlocB), ms.Control.MappingSystem!.Registrations.Single(r => r.Prefix == mobile).Registrant);
        // SMR: A -> C (SMR), C -> MS (ECM), MS -> B (forward), B -> C (reply); B's registration must land before the
        // map-server forwards, so the floor is four one-way delays after the next control tick.
        Assert.InRange(took, 4 * lab.LinkDelay, 4 * lab.LinkDelay + 40);
    }

    [Fact]
    public void AfterAMoveWithChangePriorityTheClientConvergesInTwoHops()
    {
        var (lab, _, a, b, c) = Lab();
        var mobile = EidPrefix.Parse($"[0]{Mobile}/32");
        c.Control.Resolver!.OnMiss(0, IpAddress.Parse(Mobile));
        b.Control.Resolver!.OnMiss(0, IpAddress.Parse(Mobile)); // B talked to the VM before: it knows A is its locator
        lab.RunUntil(() => PointsTo(c, Mobile, RlocA) && PointsTo(b, Mobile, RlocA), 100);

        lab.LinkDelay = 20;
        var told = b.Control.ChangePriority!.EidArrived(mobile); // the hypervisor's H=1 (`dataplane ctl eid-moved`)
        long took = lab.RunUntil(() => PointsTo(c, Mobile, RlocB), 2000);

        Assert.Equal([IpAddress.Parse(RlocA)], told.PreviousRlocs);
        Assert.DoesNotContain(mobile, a.Tables.LocalDatabase.EidPrefixes.ToArray());
        Assert.True(PointsTo(a, Mobile, RlocB), "the previous xTR follows the VM too");
        Assert.Equal(1, c.Control.Counters[LispControlEvent.ChangePriorityReceived]);
        Assert.InRange(took, 2 * lab.LinkDelay, 2 * lab.LinkDelay + 2); // B -> A (H=0,C=0), A -> C (C=1)
    }

    [Fact]
    public void RlocProbesMeasureTheRoundTripAndMarkASilentLocatorDown()
    {
        var (lab, _, _, _, c) = Lab();
        c.Control.Resolver!.OnMiss(0, IpAddress.Parse(Mobile));
        lab.RunUntil(() => PointsTo(c, Mobile, RlocA), 100);
        lab.LinkDelay = 7;

        lab.Run(5000 + 100); // the next probe round
        var health = c.Control.Prober!.Health[IpAddress.Parse(RlocA)];
        Assert.True(health.Answered >= 1);
        Assert.Equal(14, health.LastRttMilliseconds!.Value, 1.0);

        lab.Unreachable.Add(IpAddress.Parse(RlocA));
        lab.Run(2 * 5000 + 1000);
        Assert.False(health.Up);
        Assert.False(c.Lookup(Mobile)!.Locators[0].IsUp);
        Assert.Equal(1, c.Control.Counters[LispControlEvent.RlocDown]);

        lab.Unreachable.Clear();
        lab.Run(5000 + 100);
        Assert.True(health.Up);
        Assert.True(c.Lookup(Mobile)!.Locators[0].IsUp);
    }

    [Fact]
    public void RlocStateRoundTripJitterAndLostProbesArePublishedPerLocator()
    {
        var (lab, _, _, _, c) = Lab();
        var metrics = new Dataplane.Control.Metrics.ControlPlaneMetrics();
        var publisher = new LispControlMetrics(c.Control, metrics);
        c.Control.Resolver!.OnMiss(0, IpAddress.Parse(Mobile));
        lab.RunUntil(() => PointsTo(c, Mobile, RlocA), 100);
        lab.LinkDelay = 7;
        lab.Run(5000 + 100); // the first probe round after the resolution: answered after 2 x 7 ms
        publisher.OnTick(lab.Now);

        var up = metrics.Gauge("dataplane_lisp_rloc_up", "", "rloc");
        var rtt = metrics.Gauge("dataplane_lisp_rloc_rtt_seconds", "", "rloc");
        var jitter = metrics.Gauge("dataplane_lisp_rloc_jitter_seconds", "", "rloc");
        var lost = metrics.Counter("dataplane_lisp_rloc_probes_lost_total", "", "rloc");
        Assert.Equal(1, up.Value(RlocA));
        Assert.Equal(0.014, rtt.Value(RlocA), 0.001);
        Assert.Equal(0, jitter.Value(RlocA), 0.001);
        Assert.Equal(0, lost.Value(RlocA));

        lab.Unreachable.Add(IpAddress.Parse(RlocA));
        lab.Run(5000 + 2 * 500 + 100); // the next round and the probe sent at once after its loss, both unanswered: down after 2
        publisher.OnTick(lab.Now);

        Assert.Equal(0, up.Value(RlocA));
        Assert.Equal(2, lost.Value(RlocA));
        Assert.Equal(3, metrics.Counter("dataplane_lisp_rloc_probes_sent_total", "", "rloc").Value(RlocA)); // the answered one, the two lost
    }

    [Fact]
    public void RegistrationsWithABadHmacAnUnknownKeyIdAReplayedNonceOrAForeignPrefixAreDroppedAndCounted()
    {
        var (lab, ms, _, _, _) = Lab();
        var before = ms.Control.MappingSystem!.Registrations.Count;
        var record = new MappingRecord(10, new LispPrefix(LispAddress.Ipv4(new Dataplane.Wire.Addresses.Ipv4Address(0x0A070000), 0), 16),
            MappingAction.NoAction, true, 0, [new LocatorRecord(1, 100, 255, 0, true, false, true, LispAddress.Ipv4(new Dataplane.Wire.Addresses.Ipv4Address(0xC0000263)))]);

        byte[] Register(ushort keyId, string key, MappingRecord r, ulong nonce)
        {
            var register = new MapRegister(nonce, keyId, new byte[LispAuthentication.AuthenticationLength(keyId)], [r]) { WantMapNotify = true };
            var bytes = new byte[register.Size];
            register.WriteSigned(bytes, System.Text.Encoding.UTF8.GetBytes(key));
            return bytes;
        }

        void Deliver(byte[] message) =>
            ms.Control.HandleDatagram(new UdpDatagram(IpAddress.Parse("192.0.2.99"), IpAddress.Parse(Ms), 4342, 4342, message));

        Deliver(Register(2, "wrong-key", record, 11));
        Assert.Equal(1, ms.Control.Counters[LispControlEvent.BadHmac]);
        var badId = Register(2, "lab-key", record, 12);
        badId[16 - 4 + 1] = 3; // key id field (low byte) -> 3, which no site has
        Deliver(badId);
        Assert.Equal(1, ms.Control.Counters[LispControlEvent.UnknownKeyId]);
        var good = Register(2, "lab-key", record, 13);
        Deliver(good);
        Deliver(good);
        Assert.Equal(1, ms.Control.Counters[LispControlEvent.ReplayedNonce]);
        // The site is chosen by the prefix: 10.7/16 is lab's, so another site's key and key id do not fit it.
        Deliver(Register(1, "other-key", record, 14));
        Assert.Equal(2, ms.Control.Counters[LispControlEvent.UnknownKeyId]);
        var foreign = record with { Eid = new LispPrefix(LispAddress.Ipv4(new Dataplane.Wire.Addresses.Ipv4Address(0xC6336400)), 24) };
        Deliver(Register(1, "other-key", foreign, 15)); // 198.51.100/24: inside no site
        Assert.Equal(1, ms.Control.Counters[LispControlEvent.PrefixNotAllowed]);
        Assert.Equal(before + 1, ms.Control.MappingSystem.Registrations.Count); // only the good one
    }

    [Fact]
    public void UnsolicitedMapNotifiesAndRepliesAndForgedChangePriorityAreDroppedAndCounted()
    {
        var (lab, _, a, _, c) = Lab();
        var notify = new MapNotify(999, 2, new byte[LispAuthentication.AuthenticationLength(2)], []);
        var notifyBytes = new byte[notify.Size];
        notify.WriteSigned(notifyBytes, System.Text.Encoding.UTF8.GetBytes("lab-key"));
        a.Control.HandleDatagram(new UdpDatagram(IpAddress.Parse(Ms), IpAddress.Parse(RlocA), 4342, 4342, notifyBytes));
        Assert.Equal(1, a.Control.Counters[LispControlEvent.UnmatchedMapNotify]);

        var reply = new MapReply(4242, []);
        var replyBytes = new byte[reply.Size];
        reply.Write(replyBytes);
        c.Control.HandleDatagram(new UdpDatagram(IpAddress.Parse(RlocA), IpAddress.Parse(RlocC), 4342, 4342, replyBytes));
        Assert.Equal(1, c.Control.Counters[LispControlEvent.UnmatchedMapReply]);

        var record = new MappingRecord(10, new LispPrefix(LispAddress.Ipv4(new Dataplane.Wire.Addresses.Ipv4Address(0x0A010005), 0), 32),
            MappingAction.NoAction, true, 0, [new LocatorRecord(1, 100, 255, 0, false, false, true, LispAddress.Ipv4(new Dataplane.Wire.Addresses.Ipv4Address(0xC0000263)))]);
        var forged = new ChangePriority(7, 2, new byte[LispAuthentication.AuthenticationLength(2)], [record]) { C = true };
        var forgedBytes = new byte[forged.Size];
        forged.WriteSigned(forgedBytes, System.Text.Encoding.UTF8.GetBytes("not-the-cp-key"));
        c.Control.HandleDatagram(new UdpDatagram(IpAddress.Parse(RlocA), IpAddress.Parse(RlocC), 4342, 4342, forgedBytes));
        Assert.Equal(1, c.Control.Counters[LispControlEvent.BadHmac]);
        Assert.Null(c.Lookup(Mobile));
    }

    /// <summary>
    /// The ITR-RLOCs of a Map-Request are not authenticated: a flood of requests for one EID, each naming another
    /// ITR-RLOC, is answered, but the ETR remembers at most <see cref="EtrResponder.MaxRequestersPerPrefix"/> of them
    /// for SMR (the first ones), counts the rest, and one mapping change sends no more SMRs than that.
    /// </summary>
    [Fact]
    public void AMapRequestFloodWithMadeUpItrRlocsIsAnsweredButTheEtrRemembersAtMostTheBoundForSmr()
    {
        var (_, _, a, _, _) = Lab();
        var eid = EidPrefix.Parse($"[0]{Mobile}/32");
        const int Extra = 500;
        int flood = EtrResponder.MaxRequestersPerPrefix + Extra;
        long repliesBefore = a.Control.Counters[LispControlEvent.MapReplySent];
        for (int i = 0; i < flood; i++)
        {
            var itr = new Dataplane.Wire.Addresses.Ipv4Address(0xC6120000u + (uint)i); // 198.18.0.0/15 (RFC 2544 benchmarking)
            var request = new MapRequest((ulong)i + 1, LispAddress.Ipv4(new Dataplane.Wire.Addresses.Ipv4Address(0x0A03000A)), [LispAddress.Ipv4(itr)],
                [new LispPrefix(LispAddress.Ipv4(new Dataplane.Wire.Addresses.Ipv4Address(0x0A010005), 0), 32)]);
            var bytes = new byte[request.Size];
            request.Write(bytes);
            a.Control.HandleDatagram(new UdpDatagram(new IpAddress(itr), IpAddress.Parse(RlocA), 4342, 4342, bytes));
        }

        Assert.Equal(flood, a.Control.Counters[LispControlEvent.MapReplySent] - repliesBefore);
        Assert.Equal(Extra, a.Control.Counters[LispControlEvent.RequesterMemoryFull]);
        var remembered = a.Control.Etr!.RequestersOf(eid);
        Assert.Equal(EtrResponder.MaxRequestersPerPrefix, remembered.Count);
        Assert.Contains(IpAddress.Parse("198.18.0.0"), remembered);
        Assert.DoesNotContain(IpAddress.Parse("198.18.4.0"), remembered); // request 1024, the first past the bound
        Assert.Equal(EtrResponder.MaxRequestersPerPrefix, a.Control.Etr.SolicitRequesters(eid));
    }

    /// <summary>
    /// An SMR is not authenticated: one for an EID the ITR does not cache is refused and counted (RFC 9301 6.3: the
    /// ITR need not ask then), so nobody on the underlay can make it resolve, and cache, EIDs of their choosing; one
    /// for a cached EID is still followed, and a node with no resolver counts an SMR as not for it.
    /// </summary>
    [Fact]
    public void AnSmrForAnEidTheItrDoesNotCacheIsRefusedAndCounted()
    {
        var (lab, ms, _, _, c) = Lab();
        byte[] Smr(string eid)
        {
            var smr = new MapRequest(77, LispAddress.Ipv4(new Dataplane.Wire.Addresses.Ipv4Address(0x0A010005)), [LispAddress.Ipv4(new Dataplane.Wire.Addresses.Ipv4Address(0xC0000263))],
                [new LispPrefix(LispAddress.Ipv4(Dataplane.Wire.Addresses.Ipv4Address.Parse(eid), 0), 32)]) { Smr = true };
            var bytes = new byte[smr.Size];
            smr.Write(bytes);
            return bytes;
        }

        var attacker = IpAddress.Parse("192.0.2.99");
        c.Control.HandleDatagram(new UdpDatagram(attacker, IpAddress.Parse(RlocC), 4342, 4342, Smr("10.9.0.1")));
        lab.Run(100);
        Assert.Equal(1, c.Control.Counters[LispControlEvent.SmrForUncachedEid]);
        Assert.Equal(0, c.Control.Counters[LispControlEvent.SmrInvokedRequestSent]);
        Assert.Equal(0, c.Control.Resolver!.PendingCount);
        Assert.Null(c.Lookup("10.9.0.1"));

        c.Control.Resolver.OnMiss(0, IpAddress.Parse(Mobile));
        lab.RunUntil(() => PointsTo(c, Mobile, RlocA), 100);
        c.Control.HandleDatagram(new UdpDatagram(IpAddress.Parse(RlocA), IpAddress.Parse(RlocC), 4342, 4342, Smr(Mobile)));
        Assert.Equal(1, c.Control.Counters[LispControlEvent.SmrInvokedRequestSent]);
        Assert.Equal(1, c.Control.Counters[LispControlEvent.SmrForUncachedEid]);

        long notForUs = ms.Control.Counters[LispControlEvent.NotForUs];
        ms.Control.HandleDatagram(new UdpDatagram(attacker, IpAddress.Parse(Ms), 4342, 4342, Smr(Mobile)));
        Assert.Equal(notForUs + 1, ms.Control.Counters[LispControlEvent.NotForUs]);
    }
}
