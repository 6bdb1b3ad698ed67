using System.Text;
using Dataplane.Control.Lisp;
using Dataplane.Tests.Oracles;
using Dataplane.Tests.Pcap;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.LispControl;
using static Dataplane.Tests.Control.Lisp.MultihomingLab;

namespace Dataplane.Tests.Control.Lisp;

/// <summary>
/// The map-server's merge (RFC 9301 8.2) on the simulated underlay: two ETRs of one site register the same prefix,
/// the registration holds one part per xTR-ID and answers with the union; the registrants are told their merged set
/// (acknowledged, retransmitted until acknowledged, then given up); each part expires or is withdrawn on its own;
/// forged merges (another site's xTR-ID, another site-ID, one part too many) are refused with the parts intact.
/// </summary>
public sealed class LispMultihomingMapServerTests
{
    private const string XtrIdE2 = "fedcba9876543210fedcba9876543210";

    private static (LispControlLab Lab, LispControlLab.Node Ms, LispControlLab.Node E1, LispControlLab.Node E2, LispControlLab.Node Itr) Site(
        bool proxyReply = false, int ttlSeconds = 180, int registerIntervalSeconds = 60)
    {
        var lab = new LispControlLab();
        var ms = lab.Add("ms", MsConfig(ttlSeconds: ttlSeconds));
        var e1 = lab.Add("e1", XtrConfig(RlocE1, SitePrefix, XtrIdE1, proxyReply: proxyReply, registerIntervalSeconds: registerIntervalSeconds));
        lab.Run(50); // E1 first, so E2's part joins an existing registration
        var e2 = lab.Add("e2", XtrConfig(RlocE2, SitePrefix, XtrIdE2, proxyReply: proxyReply, registerIntervalSeconds: registerIntervalSeconds, priority: 2));
        var itr = lab.Add("itr", XtrConfig(RlocItr, "10.3.0.0/24", registerIntervalSeconds: registerIntervalSeconds));
        lab.Run(100);
        return (lab, ms, e1, e2, itr);
    }

    private static MappingSystem.Registration SiteRegistration(LispControlLab.Node ms) =>
        ms.Control.MappingSystem!.Registrations.Single(r => r.Prefix.ToString() == SitePrefix);

    private static string[] Rlocs(IEnumerable<LocatorRecord> locators) => locators.Select(l => l.Address.ToString()).ToArray();

    [Fact]
    public void Two_etrs_of_a_site_are_merged_and_each_learns_the_merged_set()
    {
        var (lab, ms, e1, e2, _) = Site();

        var registration = SiteRegistration(ms);
        Assert.Equal(2, registration.Parts.Count);
        Assert.Equal([RlocE1, RlocE2], Rlocs(registration.Record.Locators));
        Assert.Equal([(byte)1, (byte)2], registration.Record.Locators.Select(l => l.Priority).ToArray());

        // E2's own Map-Notify answers its register with the union; E1 is told unasked, and acknowledges.
        Assert.Equal(1, ms.Control.Counters[LispControlEvent.MergedSetNotifySent]);
        Assert.Equal(1, ms.Control.Counters[LispControlEvent.MapNotifyAckReceived]);
        Assert.Equal(1, e1.Control.Counters[LispControlEvent.UnsolicitedMapNotifyAccepted]);
        foreach (var etr in new[] { e1, e2 })
        {
            var learned = Assert.Single(etr.Control.Registrar!.MergedSets.Snapshot(lab.Now));
            Assert.Equal([RlocE1, RlocE2], Rlocs(learned.Set.Locators));
        }

        // A refresh that changes nothing tells nobody anything.
        e1.Control.Registrar!.RegisterNow();
        e2.Control.Registrar!.RegisterNow();
        lab.Run(50);
        Assert.Equal(1, ms.Control.Counters[LispControlEvent.MergedSetNotifySent]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_itr_resolving_the_site_gets_both_etrs_forwarded_or_proxied(bool proxyReply)
    {
        var (lab, ms, _, _, itr) = Site(proxyReply);

        itr.Control.Resolver!.OnMiss(0, IpAddress.Parse(SiteHost));
        lab.RunUntil(() => itr.Lookup(SiteHost) is { IsNegative: false }, 200);

        var entry = itr.Lookup(SiteHost)!;
        Assert.Equal([RlocE1, RlocE2], entry.Locators.ToArray().Select(l => l.Address.ToString()).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(proxyReply ? 0 : 1, ms.Control.Counters[LispControlEvent.MapRequestForwarded]);
        // Forwarded: to the part heard from last, E2 (it joined last and nobody refreshed since).
        if (!proxyReply)
        {
            Assert.Equal(IpAddress.Parse(RlocE2), SiteRegistration(ms).Registrant);
        }
    }

    [Fact]
    public void When_one_etr_stops_only_its_part_expires_and_the_other_is_told()
    {
        var (lab, ms, e1, e2, itr) = Site(ttlSeconds: 5, registerIntervalSeconds: 2);
        lab.Nodes.Remove(e2); // E2 dies: no more registers, nothing reaches it
        long notifiesBefore = ms.Control.Counters[LispControlEvent.MergedSetNotifySent];

        lab.RunUntil(() => SiteRegistration(ms).Parts.Count == 1, 7000);

        var registration = SiteRegistration(ms);
        Assert.Equal([RlocE1], Rlocs(registration.Record.Locators));
        Assert.Equal(IpAddress.Parse(RlocE1), registration.Registrant);
        Assert.Equal(1, ms.Control.Counters[LispControlEvent.RegistrationExpired]);
        Assert.Equal(notifiesBefore + 1, ms.Control.Counters[LispControlEvent.MergedSetNotifySent]);
        lab.Run(50);
        Assert.Equal([RlocE1], Rlocs(Assert.Single(e1.Control.Registrar!.MergedSets.Snapshot(lab.Now)).Set.Locators));

        itr.Control.Resolver!.OnMiss(0, IpAddress.Parse(SiteHost));
        lab.RunUntil(() => itr.Lookup(SiteHost) is { IsNegative: false }, 200);
        Assert.Equal([RlocE1], itr.Lookup(SiteHost)!.Locators.ToArray().Select(l => l.Address.ToString()).ToArray());

        // E1 keeps refreshing: its part stays well past the TTL.
        lab.Run(12_000);
        Assert.Single(SiteRegistration(ms).Parts);
    }

    [Fact]
    public void A_withdrawn_part_leaves_at_once()
    {
        var (lab, ms, e1, e2, _) = Site();

        Assert.True(e2.Tables.LocalDatabase.RemoveEidPrefix(EidPrefix.Parse($"[0]{SitePrefix}")));
        lab.Run(50);

        Assert.Equal(1, ms.Control.Counters[LispControlEvent.RegistrationWithdrawn]);
        Assert.Equal([RlocE1], Rlocs(SiteRegistration(ms).Record.Locators));
        Assert.Equal([RlocE1], Rlocs(Assert.Single(e1.Control.Registrar!.MergedSets.Snapshot(lab.Now)).Set.Locators));
    }

    [Fact]
    public void An_unacknowledged_notify_is_retransmitted_a_bounded_number_of_times_then_given_up()
    {
        var lab = new LispControlLab();
        var ms = lab.Add("ms", MsConfig());
        lab.Add("e1", XtrConfig(RlocE1, SitePrefix, XtrIdE1));
        lab.Run(50);
        lab.Unreachable.Add(IpAddress.Parse(RlocE1)); // E1 hears nothing more (and so acknowledges nothing)
        lab.Add("e2", XtrConfig(RlocE2, SitePrefix, XtrIdE2));
        lab.Run(10_000);

        Assert.Equal(1, ms.Control.Counters[LispControlEvent.MergedSetNotifySent]);
        Assert.Equal(3, ms.Control.Counters[LispControlEvent.MapNotifyRetransmitted]);
        Assert.Equal(1, ms.Control.Counters[LispControlEvent.MapNotifyGaveUp]);
        Assert.Equal(0, ms.Control.Counters[LispControlEvent.MapNotifyAckReceived]);
        var toE1 = lab.Sent.Where(d => d.Destination == IpAddress.Parse(RlocE1) && d.Source == IpAddress.Parse(Ms) && d.Payload[0] >> 4 == 4).ToArray();
        Assert.Equal(1 + 1 + 3, toE1.Length); // E1's own answer, then the notify and its three retransmissions
        Assert.Single(toE1.Skip(1).Select(d => Convert.ToHexString(d.Payload)).Distinct()); // the same message each time
    }

    [Fact]
    public void The_merged_notify_is_read_by_tshark_with_the_registrants_xtr_id_and_both_locators()
    {
        TsharkOracle.RequireInstalled();
        var (lab, _, _, _, _) = Site();
        var notify = lab.Sent.Single(d => d.Source == IpAddress.Parse(Ms) && d.Destination == IpAddress.Parse(RlocE1)
            && d.Payload[0] >> 4 == 4 && MapNotify.TryParse(d.Payload, out var n, out _) && n!.Records[0].Locators.Count == 2);

        using var capture = new TempFile(".pcap");
        LabCapture.Write(capture.Path, [notify]);
        Assert.Empty(TsharkOracle.Problems(capture.Path));
        var fields = TsharkOracle.Fields(capture.Path, "lisp.type", "lisp.xtrid", "lisp.siteid", "lisp.mapping.eid.ipv4", "lisp.loc.locator", "lisp.loc.priority")[0];
        Assert.Equal(["4"], fields["lisp.type"]);
        Assert.Equal([XtrIdE1], fields["lisp.xtrid"]);
        Assert.Equal(["0000000000000007"], fields["lisp.siteid"]);
        Assert.Equal(["10.1.0.0"], fields["lisp.mapping.eid.ipv4"]);
        Assert.Equal([RlocE1, RlocE2], fields["lisp.loc.locator"]);
        Assert.Equal(["1", "2"], fields["lisp.loc.priority"]);
        Assert.True(MapNotify.TryParseVerified(notify.Payload, id => id == 2 ? Encoding.UTF8.GetBytes(Key) : null, out _, out string error), error);
    }

    [Fact]
    public void Forged_merges_are_refused_and_the_parts_kept()
    {
        var lab = new LispControlLab();
        var ms = lab.Add("ms", MsConfig(maxParts: 2));
        lab.Add("e1", XtrConfig(RlocE1, SitePrefix, XtrIdE1));
        lab.Add("e2", XtrConfig(RlocE2, SitePrefix, XtrIdE2));
        lab.Run(100);
        var before = SiteRegistration(ms);
        Assert.Equal(2, before.Parts.Count);

        // A third xTR of the site: one part too many.
        Register(ms, "192.0.2.13", "11111111111111111111111111111111", 7, SitePrefix, 1);
        Assert.Equal(1, ms.Control.Counters[LispControlEvent.PartLimitReached]);
        // Another site-ID merging into the prefix.
        Register(ms, "192.0.2.14", "22222222222222222222222222222222", 9, SitePrefix, 2);
        Assert.Equal(1, ms.Control.Counters[LispControlEvent.MergeConflict]);
        // E1's xTR-ID presented under another site-ID, and from another site with that site's own key.
        Register(ms, "192.0.2.66", XtrIdE1, 9, "10.9.0.0/24", 4);
        Register(ms, "192.0.2.66", XtrIdE1, 7, "172.16.1.0/24", 5, key: "other-key");
        Assert.Equal(2, ms.Control.Counters[LispControlEvent.ForgedXtrId]);

        var after = SiteRegistration(ms);
        Assert.Equal(Rlocs(before.Record.Locators), Rlocs(after.Record.Locators));
        Assert.Equal(before.Parts.Select(p => p.Key).ToArray(), after.Parts.Select(p => p.Key).ToArray());
        Assert.DoesNotContain(ms.Control.MappingSystem!.Registrations, r => r.Prefix.ToString() is "10.9.0.0/24" or "172.16.1.0/24");
    }

    private static void Register(LispControlLab.Node ms, string from, string xtrId, ulong siteId, string prefix, ulong nonce,
        string key = Key)
    {
        var eid = EidPrefix.Parse($"[0]{prefix}");
        var record = new MappingRecord(1440, LispAddressing.ToLisp(eid), MappingAction.NoAction, true, 0,
            [new LocatorRecord(1, 100, 255, 0, true, false, true, LispAddress.Ipv4(Ipv4Address.Parse(from)))]);
        var register = new MapRegister(nonce, 2, new byte[LispAuthentication.AuthenticationLength(2)], [record])
        {
            WantMapNotify = true,
            XtrIdPresent = true,
            XtrId = UInt128.Parse(xtrId, System.Globalization.NumberStyles.HexNumber),
            SiteId = siteId,
        };
        var bytes = new byte[register.Size];
        register.WriteSigned(bytes, Encoding.UTF8.GetBytes(key));
        ms.Control.HandleDatagram(new UdpDatagram(IpAddress.Parse(from), IpAddress.Parse(Ms), 4342, 4342, bytes));
    }
}
