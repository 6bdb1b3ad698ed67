using System.Buffers.Binary;
using Dataplane.Ports.Pcap;
using Dataplane.Tests.Oracles;
using Dataplane.Tests.Pcap;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Checksums;
using Dataplane.Wire.LispControl;
using static Dataplane.Tests.Wire.LispControl.LispControlVectors;

namespace Dataplane.Tests.Wire.LispControl;

/// <summary>
/// Wireshark's LISP dissector (nobody on this project wrote it) reads what our writers produce: each message goes
/// out as Ethernet/IPv4/UDP 4342 and tshark must find no malformed packet and the fields we put in.
/// </summary>
public class LispControlTsharkTests
{
    private static readonly string[] Fields =
    [
        "lisp.type", "lisp.nonce", "lisp.records", "lisp.irc", "lisp.mreq.flags.smr", "lisp.mreq.flags.probe",
        "lisp.mreq.srceid.ipv4", "lisp.mreq.itr_rloc_ipv4", "lisp.mreq.itr_rloc_ipv6", "lisp.mreq.record.prefix.length",
        "lisp.lcaf.type", "lisp.lcaf.iid", "lisp.lcaf.iid.ipv4", "lisp.mapping.ttl", "lisp.mapping.loccnt",
        "lisp.mapping.eid.masklen", "lisp.mapping.eid.ipv4", "lisp.mapping.act", "lisp.mapping.auth", "lisp.mapping.ver",
        "lisp.loc.priority", "lisp.loc.weight", "lisp.loc.locator", "lisp.loc.flags.local", "lisp.loc.flags.reach",
        "lisp.keyid", "lisp.authlen", "lisp.auth", "lisp.xtrid", "lisp.siteid", "lisp.mreg.flags.wmn", "lisp.mreg.flags.xtrid",
        "lisp.mreg.flags.pmr", "lisp.mrep.flags.probe", "lisp.ecm.flags.sec", "udp.dstport", "udp.checksum.status",
        "ip.checksum.status", "lisp.mreq.flags.mrp", "lisp.lcaf.iid.ipv6", "lisp.mapping.eid.ipv6", "lisp.mreq.record.prefix.ipv6",
        "lisp.mreq.flags.pitr", "lisp.mreq.flags.smri", "lisp.mreq.flags.auth",
    ];

    [Fact]
    public void Tshark_decodes_every_message_we_write()
    {
        TsharkOracle.RequireInstalled();
        var register256 = new MapRegister(0x1111, 2, new byte[16], [RegisteredMapping])
        {
            ProxyReply = true,
            WantMapNotify = true,
            XtrIdPresent = true,
            XtrId = UInt128.Parse("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf", System.Globalization.NumberStyles.HexNumber),
            SiteId = 42,
        };
        var ack = new MapNotify(0x2222, 1, new byte[12], [RegisteredMapping]) { IsAcknowledgement = true };
        var changePriority = new ChangePriority(0x3333, 1, new byte[12], [RegisteredMapping]) { H = true };
        // A Map-Request with every flag, an IPv6 EID in instance 0xFFFFFF and the sender's own mapping (M bit).
        var v6Eid = LispAddress.Ipv6(Ipv6Address.Parse("2001:db8:aa::"), 0xFFFFFF);
        var requestWithMapping = MapRequestRecord with
        {
            Authoritative = true,
            Pitr = true,
            SmrInvoked = true,
            Records = [new LispPrefix(LispAddress.Ipv6(Ipv6Address.Parse("2001:db8:bb::1")), 128)],
            MapReplyRecord = new MappingRecord(60, new LispPrefix(v6Eid, 48), MappingAction.NoAction, true, 0,
                [new LocatorRecord(1, 100, 255, 0, true, false, true, LispAddress.Ipv6(Rloc2))]),
        };
        var v6Reply = new MapReply(0x4444, [new MappingRecord(60, new LispPrefix(LispAddress.Ipv6(Ipv6Address.Parse("2001:db8:cc::")), 48),
            MappingAction.NoAction, false, 0, [new LocatorRecord(3, 10, 255, 0, false, true, true, LispAddress.Ipv4(Rloc1))])]);
        int ecmSize = EncapsulatedControlHeader.EncapsulatedSize(LispAddress.Ipv4(Rloc1), MapRequestBytes.Length);
        byte[][] messages =
        [
            Written(MapRequestRecord.Write, MapRequestRecord.Size),
            Written(PositiveMapReplyRecord.Write, PositiveMapReplyRecord.Size),
            Written(NegativeMapReplyRecord.Write, NegativeMapReplyRecord.Size),
            Written(d => new MapRegister(Nonce, 1, new byte[12], [RegisteredMapping]) { WantMapNotify = true }.WriteSigned(d, Key), MapRegisterSha1Unsigned.Length),
            Written(d => register256.WriteSigned(d, Key), register256.Size),
            Written(d => new MapNotify(Nonce, 1, new byte[12], [RegisteredMapping]).WriteSigned(d, Key), MapNotifySha1Unsigned.Length),
            Written(d => ack.WriteSigned(d, Key), ack.Size),
            Written(d => EncapsulatedControlHeader.Plain.WriteEncapsulated(d, LispAddress.Ipv4(Rloc1),
                LispAddress.Ipv4(Ipv4Address.Parse("198.51.100.1")), 54321, MapRequestBytes), ecmSize),
            Written(d => changePriority.WriteSigned(d, Key), changePriority.Size),
            Written(requestWithMapping.Write, requestWithMapping.Size),
            Written(v6Reply.Write, v6Reply.Size),
        ];

        using var capture = new TempFile(".pcap");
        using (var writer = new PcapWriter(capture.Path))
        {
            foreach (byte[] message in messages)
            {
                writer.Write(Frame(message), 0);
            }
        }

        Assert.Empty(TsharkOracle.Problems(capture.Path));
        var frames = TsharkOracle.Fields(capture.Path, Fields);
        Assert.Equal(messages.Length, frames.Count);
        foreach (var frame in frames)
        {
            Assert.All(frame["udp.checksum.status"], status => Assert.Equal("1", status));
            Assert.All(frame["ip.checksum.status"], status => Assert.Equal("1", status));
        }

        string[] types = frames.Select(f => string.Join("|", f["lisp.type"])).ToArray();
        Assert.Equal(["1", "2", "2", "3", "3", "4", "5", "8|1", "15", "1", "2"], types);

        // Map-Request: SMR and probe bits, two ITR-RLOCs (v4 + v6), the EID inside an Instance-ID LCAF.
        var request = frames[0];
        Assert.Equal(["0x0102030405060708"], request["lisp.nonce"]);
        Assert.Equal(["1"], request["lisp.irc"]);
        Assert.Equal(["1"], request["lisp.records"]);
        Assert.Equal(["1"], request["lisp.mreq.flags.smr"]);
        Assert.Equal(["1"], request["lisp.mreq.flags.probe"]);
        Assert.Equal(["10.0.0.1"], request["lisp.mreq.srceid.ipv4"]);
        Assert.Equal(["192.0.2.1"], request["lisp.mreq.itr_rloc_ipv4"]);
        Assert.Equal(["2001:db8::1"], request["lisp.mreq.itr_rloc_ipv6"]);
        Assert.Equal(["24"], request["lisp.mreq.record.prefix.length"]);
        Assert.Equal(["2"], request["lisp.lcaf.type"]);
        Assert.Equal(["7"], request["lisp.lcaf.iid"]);
        Assert.Equal(["10.1.2.0"], request["lisp.lcaf.iid.ipv4"]);

        // Positive Map-Reply with two locators.
        var positive = frames[1];
        Assert.Equal(["0x0102030405060708"], positive["lisp.nonce"]);
        Assert.Equal(["1440"], positive["lisp.mapping.ttl"]);
        Assert.Equal(["2"], positive["lisp.mapping.loccnt"]);
        Assert.Equal(["24"], positive["lisp.mapping.eid.masklen"]);
        Assert.Equal(["10.1.2.0"], positive["lisp.mapping.eid.ipv4"]);
        Assert.Equal(["1"], positive["lisp.mapping.auth"]);
        Assert.Equal(["5"], positive["lisp.mapping.ver"]);
        Assert.Equal(["1", "2"], positive["lisp.loc.priority"]);
        Assert.Equal(["50", "50"], positive["lisp.loc.weight"]);
        Assert.Equal(["192.0.2.1", "2001:db8::1"], positive["lisp.loc.locator"]);
        Assert.Equal(["1", "0"], positive["lisp.loc.flags.local"]);
        Assert.Equal(["1", "1"], positive["lisp.loc.flags.reach"]);

        // Negative Map-Reply: no locators, action Send-Map-Request, probe bit.
        var negative = frames[2];
        Assert.Equal(["0"], negative["lisp.mapping.loccnt"]);
        Assert.Equal(["2"], negative["lisp.mapping.act"]);
        Assert.Equal(["10.2.0.0"], negative["lisp.mapping.eid.ipv4"]);
        Assert.Equal(["16"], negative["lisp.mapping.eid.masklen"]);
        Assert.Equal(["1"], negative["lisp.mrep.flags.probe"]);

        // Map-Register SHA-1: tshark's authentication data is the HMAC our independent oracle computes.
        var register = frames[3];
        Assert.Equal(["0x0001"], register["lisp.keyid"]);
        Assert.Equal(["12"], register["lisp.authlen"]);
        Assert.Equal([Convert.ToHexStringLower(Signed(MapRegisterSha1Unsigned, 16, 1)[16..28])], register["lisp.auth"]);
        Assert.Equal(["1"], register["lisp.mreg.flags.wmn"]);
        Assert.Equal(["7"], register["lisp.lcaf.iid"]);
        Assert.Equal(["10.1.2.0"], register["lisp.lcaf.iid.ipv4"]);
        Assert.Equal(["192.0.2.1"], register["lisp.loc.locator"]);

        // Map-Register SHA-256 with the xTR-ID and site-ID.
        var register256Frame = frames[4];
        Assert.Equal(["0x0000000000001111"], register256Frame["lisp.nonce"]);
        Assert.Equal(["0x0002"], register256Frame["lisp.keyid"]);
        Assert.Equal(["16"], register256Frame["lisp.authlen"]);
        Assert.Equal(["1"], register256Frame["lisp.mreg.flags.xtrid"]);
        Assert.Equal(["1"], register256Frame["lisp.mreg.flags.pmr"]);
        Assert.Equal(["a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"], register256Frame["lisp.xtrid"]);
        Assert.Equal(["000000000000002a"], register256Frame["lisp.siteid"]);

        // Map-Notify: same records, its own HMAC.
        var notify = frames[5];
        Assert.Equal(["1"], notify["lisp.records"]);
        Assert.Equal([Convert.ToHexStringLower(Signed(MapNotifySha1Unsigned, 16, 1)[16..28])], notify["lisp.auth"]);
        Assert.Equal(["7"], notify["lisp.lcaf.iid"]);

        // ECM: type 8 around a Map-Request that tshark decodes through the inner IPv4/UDP (checksums good).
        var ecm = frames[7];
        Assert.Equal(["0"], ecm["lisp.ecm.flags.sec"]);
        Assert.Equal(["4342", "4342"], ecm["udp.dstport"]);
        Assert.Equal(["1", "1"], ecm["udp.checksum.status"]);
        Assert.Equal(["0x0102030405060708"], ecm["lisp.nonce"]);
        Assert.Equal(["7"], ecm["lisp.lcaf.iid"]);

        // Map-Notify-Ack (5) and Change-Priority (15, experimental sub-type): Wireshark 4.0 shows the type only.
        Assert.Equal(["5"], frames[6]["lisp.type"]);
        Assert.Equal(["15"], frames[8]["lisp.type"]);

        // Map-Request with A, p, s and M set; the Map-Reply record's IPv6 EID in instance 0xFFFFFF.
        var full = frames[9];
        Assert.Equal(["1"], full["lisp.mreq.flags.auth"]);
        Assert.Equal(["1"], full["lisp.mreq.flags.mrp"]);
        Assert.Equal(["1"], full["lisp.mreq.flags.pitr"]);
        Assert.Equal(["1"], full["lisp.mreq.flags.smri"]);
        Assert.Equal(["2001:db8:bb::1"], full["lisp.mreq.record.prefix.ipv6"]);
        Assert.Equal(["16777215"], full["lisp.lcaf.iid"]);
        Assert.Equal(["2001:db8:aa::"], full["lisp.lcaf.iid.ipv6"]);
        Assert.Equal(["48"], full["lisp.mapping.eid.masklen"]);
        Assert.Equal(["2001:db8::1"], full["lisp.loc.locator"]);

        // Map-Reply with a plain IPv6 EID and an IPv4 locator.
        var v6 = frames[10];
        Assert.Equal(["0x0000000000004444"], v6["lisp.nonce"]);
        Assert.Equal(["2001:db8:cc::"], v6["lisp.mapping.eid.ipv6"]);
        Assert.Equal(["192.0.2.1"], v6["lisp.loc.locator"]);
        Assert.Equal(["3"], v6["lisp.loc.priority"]);
    }

    /// <summary>Ethernet + IPv4 (192.0.2.1 to 198.51.100.1) + UDP 4342 to 4342, checksums filled in.</summary>
    internal static byte[] Frame(byte[] payload)
    {
        var frame = new byte[14 + 20 + 8 + payload.Length];
        byte[] mac = [0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00];
        mac.CopyTo(frame, 0);
        var ip = frame.AsSpan(14, 20);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(20 + 8 + payload.Length));
        ip[8] = 64;
        ip[9] = 17;
        Rloc1.Write(ip[12..]);
        var destination = Ipv4Address.Parse("198.51.100.1");
        destination.Write(ip[16..]);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], InternetChecksum.Compute(ip));
        var udp = frame.AsSpan(34);
        BinaryPrimitives.WriteUInt16BigEndian(udp, 4342);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], 4342);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)(8 + payload.Length));
        payload.CopyTo(udp[8..]);
        uint pseudo = InternetChecksum.PseudoHeaderSum(Rloc1, destination, 17, 8 + payload.Length);
        ushort checksum = InternetChecksum.Finish(InternetChecksum.Sum(udp, pseudo));
        BinaryPrimitives.WriteUInt16BigEndian(udp[6..], checksum == 0 ? (ushort)0xFFFF : checksum);
        return frame;
    }
}
