using System.Text;
using Dataplane.Control.Lisp;
using Dataplane.Tables.MapCache;
using Dataplane.Tests.Oracles;
using Dataplane.Tests.Pcap;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.LispControl;
using static Dataplane.Tests.Control.Lisp.MultihomingLab;

namespace Dataplane.Tests.Control.Lisp;

/// <summary>
/// The ETR's side of multihoming on the simulated underlay: its Map-Registers carry the I bit with its xTR-ID and
/// site-ID (read back by tshark), its default xTR-ID is stable and distinct, it accepts and acknowledges a verified
/// Map-Notify a map-server sends unasked (and only such), answers Map-Requests with the merged set it learned, and
/// withdraws a prefix that went away with a record TTL of 0.
/// </summary>
public sealed class LispMultihomingEtrTests
{
    private static readonly byte[] KeyBytes = Encoding.UTF8.GetBytes(Key);

    [Fact]
    public void Map_registers_carry_the_configured_xtr_id_and_site_id_as_tshark_reads_them()
    {
        TsharkOracle.RequireInstalled();
        var lab = new LispControlLab();
        lab.Add("ms", MsConfig());
        lab.Add("e1", XtrConfig(RlocE1, SitePrefix, XtrIdE1, siteId: 7));
        lab.Run(50);

        using var capture = new TempFile(".pcap");
        LabCapture.Write(capture.Path, lab.Sent);
        Assert.Empty(TsharkOracle.Problems(capture.Path));
        var frames = TsharkOracle.Fields(capture.Path, "lisp.type", "lisp.mreg.flags.xtrid", "lisp.xtrid", "lisp.siteid", "ip.src");
        var register = frames.First(f => f["lisp.type"].SequenceEqual(["3"]));
        Assert.Equal(["1"], register["lisp.mreg.flags.xtrid"]);
        Assert.Equal([XtrIdE1], register["lisp.xtrid"]);
        Assert.Equal(["0000000000000007"], register["lisp.siteid"]);
        Assert.Equal([RlocE1], register["ip.src"]);

        // RFC 9301 5.7: the map-server's Map-Notify copies the I bit, xTR-ID and site-ID of the register it answers.
        var notify = frames.First(f => f["lisp.type"].SequenceEqual(["4"]));
        Assert.Equal([XtrIdE1], notify["lisp.xtrid"]);
        Assert.Equal(["0000000000000007"], notify["lisp.siteid"]);
    }

    [Fact]
    public void The_default_xtr_id_is_stable_across_restarts_and_distinct_between_xtrs()
    {
        var lab = new LispControlLab();
        lab.Add("ms", MsConfig());
        var e1 = lab.Add("e1", XtrConfig(RlocE1, SitePrefix));
        var e1Again = lab.Add("e1-restarted", XtrConfig(RlocE1, SitePrefix));
        var e2 = lab.Add("e2", XtrConfig(RlocE2, SitePrefix));
        lab.Run(50);

        var id1 = e1.Control.Registrar!.Identity.XtrId;
        Assert.NotEqual(UInt128.Zero, id1);
        Assert.Equal(id1, e1Again.Control.Registrar!.Identity.XtrId);
        Assert.NotEqual(id1, e2.Control.Registrar!.Identity.XtrId);
        var sentIds = lab.Sent.Where(d => d.Source == IpAddress.Parse(RlocE2) && d.Payload[0] >> 4 == 3)
            .Select(d => MapRegister.TryParse(d.Payload, out var r, out _) ? r!.XtrId : UInt128.Zero).Distinct().ToArray();
        Assert.Equal([e2.Control.Registrar.Identity.XtrId], sentIds);
    }

    [Fact]
    public void An_unsolicited_map_notify_from_the_map_server_is_acknowledged_and_its_merged_set_answered()
    {
        TsharkOracle.RequireInstalled();
        var lab = new LispControlLab();
        var ms = lab.Add("ms", MsConfig());
        var e1 = lab.Add("e1", XtrConfig(RlocE1, SitePrefix, XtrIdE1));
        var itr = lab.Add("itr", XtrConfig(RlocItr, "10.3.0.0/24"));
        lab.Run(50);
        int sentBefore = lab.Sent.Count;

        var notify = Notify(0x5151, XtrIdE1, [RlocE1, "198.51.100.12"]);
        Deliver(e1, Ms, notify);
        Deliver(e1, Ms, notify); // a retransmission (our ack was lost): acknowledged again, not learned again
        lab.Run(5);

        Assert.Equal(1, e1.Control.Counters[LispControlEvent.UnsolicitedMapNotifyAccepted]);
        Assert.Equal(2, e1.Control.Counters[LispControlEvent.MapNotifyAckSent]);
        var acks = lab.Sent.Skip(sentBefore).Where(d => d.Payload[0] >> 4 == 5).ToArray();
        Assert.Equal(2, acks.Length);
        Assert.All(acks, a => Assert.Equal(IpAddress.Parse(Ms), a.Destination));
        Assert.True(MapNotify.TryParseVerified(acks[0].Payload, id => id == 2 ? KeyBytes : null, out var ack, out string error), error);
        Assert.Equal(0x5151UL, ack!.Nonce);

        // Wireshark 4.0 does not dissect type 5 (it shows the payload as data), so the ack is read here from RFC 9301
        // 5.7's layout: type 5 with the I bit, the notify's nonce, key id 2, a 32-byte HMAC-SHA-256 over the message
        // with the field zeroed (System.Security.Cryptography, not our codec), and the xTR-ID/site-ID trailer.
        using (var capture = new TempFile(".pcap"))
        {
            LabCapture.Write(capture.Path, acks);
            Assert.Empty(TsharkOracle.Problems(capture.Path));
            Assert.Equal(["5", "5"], TsharkOracle.Fields(capture.Path, "lisp.type").Select(f => f["lisp.type"].Single()).ToArray());
        }

        byte[] bytes = acks[0].Payload.ToArray();
        Assert.Equal(0x58, bytes[0]);
        Assert.Equal(0x5151UL, System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(4)));
        Assert.Equal(2, System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(12)));
        Assert.Equal(32, System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(14)));
        byte[] hmac = bytes[16..48];
        Array.Clear(bytes, 16, 32);
        Assert.Equal(System.Security.Cryptography.HMACSHA256.HashData(KeyBytes, bytes), hmac);
        Assert.Equal(Convert.FromHexString(XtrIdE1 + "0000000000000007"), bytes[^24..]);

        // A Map-Request to E1 for the site now gets both ETRs' RLOCs, ours marked local (L bit), the other not.
        itr.Control.Resolver!.OnMiss(0, IpAddress.Parse(SiteHost));
        lab.RunUntil(() => itr.Lookup(SiteHost) is { IsNegative: false }, 200);
        var reply = lab.Sent.Last(d => d.Source == IpAddress.Parse(RlocE1) && d.Payload[0] >> 4 == 2);
        Assert.True(MapReply.TryParse(reply.Payload, out var parsed, out _));
        var locators = parsed!.Records.Single().Locators;
        Assert.Equal([RlocE1, "198.51.100.12"], locators.Select(l => l.Address.ToString()).ToArray());
        Assert.Equal([true, false], locators.Select(l => l.Local).ToArray());
        Assert.Equal(2, itr.Lookup(SiteHost)!.Locators.Length);
        Assert.Equal(0, ms.Control.Counters[LispControlEvent.Malformed]);
    }

    [Fact]
    public void A_map_notify_not_naming_us_or_not_from_our_map_server_or_forged_or_replayed_is_refused()
    {
        var lab = new LispControlLab();
        lab.Add("ms", MsConfig());
        var e1 = lab.Add("e1", XtrConfig(RlocE1, SitePrefix, XtrIdE1));
        lab.Run(50);
        Assert.Equal(1, e1.Control.Counters[LispControlEvent.RegistrationConfirmed]);

        Deliver(e1, Ms, Notify(1, null, [RlocE1, "198.51.100.12"]));                    // no I bit: names no xTR
        Deliver(e1, Ms, Notify(2, "ffffffffffffffffffffffffffffffff", [RlocE1]));       // another xTR's
        Deliver(e1, "192.0.2.66", Notify(3, XtrIdE1, [RlocE1, "198.51.100.66"]));        // not a configured map-server
        Assert.Equal(3, e1.Control.Counters[LispControlEvent.UnmatchedMapNotify]);

        var forged = Notify(4, XtrIdE1, [RlocE1, "198.51.100.66"], key: "wrong-key");
        Deliver(e1, Ms, forged);
        Assert.Equal(1, e1.Control.Counters[LispControlEvent.BadHmac]);

        // The map-server's own answer to our register, replayed: its nonce was one of ours, already answered.
        var answer = lab.Sent.First(d => d.Source == IpAddress.Parse(Ms) && d.Payload[0] >> 4 == 4);
        Deliver(e1, Ms, answer.Payload);
        Assert.Equal(4, e1.Control.Counters[LispControlEvent.UnmatchedMapNotify]);
        Assert.Equal(0, e1.Control.Counters[LispControlEvent.UnsolicitedMapNotifyAccepted]);
        Assert.Equal(0, e1.Control.Counters[LispControlEvent.MapNotifyAckSent]);
        Assert.DoesNotContain(e1.Control.Registrar!.MergedSets.Snapshot(lab.Now).SelectMany(m => m.Set.Locators),
            l => l.Address.ToString() == "198.51.100.66");
    }

    [Fact]
    public void A_local_eid_that_goes_away_is_withdrawn_with_a_record_ttl_of_zero()
    {
        var lab = new LispControlLab();
        lab.Add("ms", MsConfig());
        var e1 = lab.Add("e1", XtrConfig(RlocE1, SitePrefix, XtrIdE1));
        lab.Run(50);
        int before = lab.Sent.Count;

        Assert.True(e1.Tables.LocalDatabase.RemoveEidPrefix(EidPrefix.Parse($"[0]{SitePrefix}")));
        lab.Run(20);

        var withdrawal = lab.Sent.Skip(before).Where(d => d.Payload[0] >> 4 == 3)
            .Select(d => MapRegister.TryParse(d.Payload, out var r, out _) ? r! : null).First();
        Assert.NotNull(withdrawal);
        var record = Assert.Single(withdrawal.Records);
        Assert.Equal(0u, record.TtlMinutes);
        Assert.Equal(SitePrefix, $"{record.Eid.Address}/{record.Eid.MaskLength}");
        Assert.Equal([RlocE1], record.Locators.Select(l => l.Address.ToString()).ToArray());
        Assert.True(withdrawal.XtrIdPresent);
        Assert.Equal(UInt128.Parse(XtrIdE1, System.Globalization.NumberStyles.HexNumber), withdrawal.XtrId);
    }

    private static byte[] Notify(ulong nonce, string? xtrId, string[] rlocs, string key = Key)
    {
        var prefix = EidPrefix.Parse($"[0]{SitePrefix}");
        var record = new MappingRecord(1440, LispAddressing.ToLisp(prefix), MappingAction.NoAction, true, 0,
            [.. rlocs.Select(r => new LocatorRecord(1, 100, 255, 0, false, false, true, LispAddress.Ipv4(Ipv4Address.Parse(r))))]);
        var notify = new MapNotify(nonce, 2, new byte[LispAuthentication.AuthenticationLength(2)], [record])
        {
            XtrIdPresent = xtrId is not null,
            XtrId = xtrId is null ? UInt128.Zero : UInt128.Parse(xtrId, System.Globalization.NumberStyles.HexNumber),
            SiteId = 7,
        };
        var bytes = new byte[notify.Size];
        notify.WriteSigned(bytes, Encoding.UTF8.GetBytes(key));
        return bytes;
    }

    private static void Deliver(LispControlLab.Node to, string from, byte[] message) =>
        to.Control.HandleDatagram(new UdpDatagram(IpAddress.Parse(from), IpAddress.Parse(RlocE1), 4342, 4342, message));
}
