using System.Security.Cryptography;
using System.Text;
using Dataplane.Control.Lisp;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.LispControl;

namespace Dataplane.Tests.Control.Lisp;

/// <summary>
/// NAT traversal in the control plane, on the simulated underlay with real bytes: our map-server answers an
/// Info-Request with what the NAT made of the requester, and relays through our RTR work end to end on the very
/// Map-Register Open Overlay Router sent behind an nftables masquerade (key "site-key", its HMAC). Expected values
/// come from that capture and from HMAC-SHA-1 computed here, not from the code under test. Then the refusals and
/// bounds: Info-Request floods, unauthenticated requests, forged relays, a full table of NATed xTRs, expiry.
/// </summary>
public class NatTraversalControlTests
{
    private const string Ms = "192.0.2.100";
    private const string Rtr = "192.0.2.50";
    private const string Nat = "192.0.2.1";
    private static readonly byte[] SiteKey = Encoding.ASCII.GetBytes("site-key");

    // OOR's xTR (private RLOC 172.16.0.2) to the RTR: ECM (R in the second octet) around its Map-Register for 10.1.0.0/24.
    private static readonly byte[] OorEncapsulatedMapRegister = Convert.FromHexString(
        "80400000" + "4500008000024000ff110cf4ac100002c0000264" + "10f610f6006cee88"
        + "3b000101dfdd7f6b167d519700010014915bd4f8603fe837a36ccefee45b2e5d1a66ab040000000a02181000000000010a0100000164ff0000040001ac100002"
        + "0164ff0000010001c0000232783fb44c4dcfe8f6b4b99aceaee7965e0000000000000000");

    private static string MsConfig(int sourceLimit = 10_000) => $$"""
        {
          "roles": ["msmr"],
          "ports": [ { "name": "und", "mac": "02:00:00:00:01:00", "addresses": ["{{Ms}}"] } ],
          "lisp": {
            "localRlocs": [ { "address": "{{Ms}}" } ],
            "mappingSystem": { "sites": [ { "name": "natted", "keyId": 1, "key": "site-key", "eidPrefixes": ["10.1.0.0/16"] } ] },
            "natTraversal": { "rtrs": ["{{Rtr}}"], "infoReplyTtlMinutes": 5, "infoRequestsPerSecond": 100, "infoRequestSourceLimit": {{sourceLimit}} }
          }
        }
        """;

    private static string RtrConfig(int natedXtrLimit = 10) => $$"""
        {
          "roles": ["rtr"],
          "ports": [ { "name": "und", "mac": "02:00:00:00:00:50", "addresses": ["{{Rtr}}"] } ],
          "lisp": {
            "localRlocs": [ { "address": "{{Rtr}}" } ],
            "mapResolvers": ["{{Ms}}"],
            "natTraversal": { "mapServers": ["{{Ms}}"], "natedXtrLimit": {{natedXtrLimit}}, "natedXtrSeconds": 30 }
          }
        }
        """;

    [Fact]
    public void An_Info_Request_is_answered_with_the_requesters_translated_address_and_port_and_our_RTR()
    {
        var lab = new LispControlLab();
        var ms = lab.Add("ms", MsConfig());
        ms.Control.HandleDatagram(new UdpDatagram(IpAddress.Parse("203.0.113.9"), IpAddress.Parse(Ms), 61001, 4342, InfoRequest(0x55, "10.1.0.0", 24)));

        var sent = Assert.Single(lab.Sent);
        Assert.Equal(IpAddress.Parse("203.0.113.9"), sent.Destination);
        Assert.Equal(61001, sent.DestinationPort);
        Assert.Equal(IpAddress.Parse(Ms), sent.Source);
        Assert.Equal(0x78, sent.Payload[0]); // type 7, R set
        var zeroed = (byte[])sent.Payload.Clone();
        Array.Clear(zeroed, 16, 20);
        Assert.Equal(HMACSHA1.HashData(SiteKey, zeroed), sent.Payload[16..36]);
        Assert.True(InfoMessage.TryParse(sent.Payload, out var reply, out string error), error);
        Assert.Equal(0x55UL, reply!.Nonce);
        Assert.Equal(5u, reply.TtlMinutes);
        Assert.Equal(LispAddress.Ipv4(Ipv4Address.Parse("10.1.0.0")), reply.Eid);
        Assert.Equal(new NatTraversalAddresses(4342, 61001, LispAddress.Ipv4(Ipv4Address.Parse("203.0.113.9")), LispAddress.Ipv4(Ipv4Address.Parse(Ms)),
            LispAddress.None, [LispAddress.Ipv4(Ipv4Address.Parse(Rtr))]), reply.Nat);
        Assert.Equal(1, ms.Control.Counters[LispControlEvent.InfoReplySent]);
    }

    [Fact]
    public void Unauthenticated_foreign_and_replayed_Info_Requests_are_refused_by_name()
    {
        var lab = new LispControlLab();
        var ms = lab.Add("ms", MsConfig());
        var badHmac = InfoRequest(1, "10.1.0.0", 24);
        badHmac[20] ^= 0xFF;
        Deliver(ms, badHmac, port: 1);
        Deliver(ms, InfoRequest(2, "10.9.0.0", 24), port: 2); // no site holds it
        Deliver(ms, InfoRequest(3, "10.1.0.0", 24), port: 3);
        Deliver(ms, InfoRequest(3, "10.1.0.0", 24), port: 4); // the same nonce again
        Deliver(ms, InfoRequest(4, "10.1.0.0", 24)[..30], port: 5);
        Assert.Equal(1, ms.Control.Counters[LispControlEvent.BadHmac]);
        Assert.Equal(1, ms.Control.Counters[LispControlEvent.PrefixNotAllowed]);
        Assert.Equal(1, ms.Control.Counters[LispControlEvent.ReplayedNonce]);
        Assert.Equal(1, ms.Control.Counters[LispControlEvent.Malformed]);
        Assert.Equal(1, ms.Control.Counters[LispControlEvent.InfoReplySent]);
    }

    [Fact]
    public void An_Info_Request_flood_is_bounded_per_source_in_all_and_in_the_sources_it_tracks()
    {
        var lab = new LispControlLab();
        var ms = lab.Add("ms", MsConfig(sourceLimit: 50));
        // One source, 1000 requests within a second: one token (1/s, a one-second burst of at least one).
        for (int i = 0; i < 1000; i++)
        {
            Deliver(ms, InfoRequest((ulong)(1000 + i), "10.1.0.0", 24), port: 7000);
        }

        Assert.Equal(1, ms.Control.Counters[LispControlEvent.InfoReplySent]);
        Assert.Equal(999, ms.Control.Counters[LispControlEvent.InfoRequestRateLimited]);

        // 200 sources at once: 49 more fit in the source table, and each is answered once (the global 100/s is not reached).
        for (int i = 0; i < 200; i++)
        {
            Deliver(ms, InfoRequest((ulong)(5000 + i), "10.1.0.0", 24), port: (ushort)(8000 + i));
        }

        Assert.Equal(50, ms.Control.NatMapServer!.TrackedInfoRequestSources);
        Assert.Equal(50, ms.Control.Counters[LispControlEvent.InfoReplySent]);
        Assert.Equal(999 + 151, ms.Control.Counters[LispControlEvent.InfoRequestRateLimited]);

        // Two seconds on, idle sources make room again; the global bucket caps a burst from many sources at 100.
        lab.Run(2000);
        var large = lab.Add("ms-large", MsConfig().Replace(Ms, "192.0.2.101"));
        for (int i = 0; i < 300; i++)
        {
            large.Control.HandleDatagram(new UdpDatagram(IpAddress.Parse("203.0.113.9"), IpAddress.Parse("192.0.2.101"), (ushort)(9000 + i), 4342,
                InfoRequest((ulong)(9000 + i), "10.1.0.0", 24)));
        }

        Assert.Equal(100, large.Control.Counters[LispControlEvent.InfoReplySent]);
        Assert.Equal(200, large.Control.Counters[LispControlEvent.InfoRequestRateLimited]);
        Deliver(ms, InfoRequest(77, "10.1.0.0", 24), port: 60000);
        Assert.Equal(51, ms.Control.Counters[LispControlEvent.InfoReplySent]);
    }

    [Fact]
    public void Open_Overlay_Routers_Map_Register_through_our_RTR_registers_the_RTR_and_the_Map_Notify_goes_back_through_the_NAT()
    {
        var lab = new LispControlLab();
        var ms = lab.Add("ms", MsConfig());
        var rtr = lab.Add("rtr", RtrConfig());
        rtr.Control.HandleDatagram(new UdpDatagram(IpAddress.Parse(Nat), IpAddress.Parse(Rtr), 4341, 4342, OorEncapsulatedMapRegister));
        lab.Run(20);

        // The map-server registered 10.1.0.0/24 with the RTR's RLOC, not OOR's private one.
        var registration = Assert.Single(ms.Control.MappingSystem!.Registrations);
        Assert.Equal("10.1.0.0/24", registration.Prefix.ToString());
        var locator = Assert.Single(registration.Record.Locators);
        Assert.Equal(LispAddress.Ipv4(Ipv4Address.Parse(Rtr)), locator.Address);
        Assert.True(locator.Reachable);
        Assert.Equal(IpAddress.Parse(Rtr), registration.Registrant);

        // The RTR relayed the xTR's inner packet unchanged behind an ECM with N set in the second octet.
        var relayed = Assert.Single(lab.Sent, d => d.Destination == IpAddress.Parse(Ms));
        Assert.Equal(new byte[] { 0x80, 0x20, 0, 0 }, relayed.Payload[..4]);
        Assert.Equal(OorEncapsulatedMapRegister[4..], relayed.Payload[4..]);

        // The RTR now sends the EID's data to the NAT's address and the port it gave the register, from 4342.
        var entry = rtr.Lookup("10.1.0.10");
        Assert.NotNull(entry);
        var natted = Assert.Single(entry!.Locators.ToArray());
        Assert.Equal(IpAddress.Parse(Nat), natted.Address);
        Assert.Equal(4341, natted.TranslatedPort);
        Assert.Equal(IpAddress.Parse(Nat), Assert.Single(rtr.Control.NatRtr!.NatedXtrs).Value.Translated);

        // And passed the Map-Notify on as OOR's RTR does: LISP data header, instance 0xFFFFFF, from 4342 to the NAT's port.
        var toXtr = Assert.Single(lab.Sent, d => d.Destination == IpAddress.Parse(Nat));
        Assert.Equal(4342, toXtr.SourcePort);
        Assert.Equal(4341, toXtr.DestinationPort);
        Assert.Equal(new byte[] { 0x08, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0 }, toXtr.Payload[..8]);
        Assert.True(UdpDatagram.TryReadIp(toXtr.Payload[8..], out var inner));
        Assert.Equal(IpAddress.Parse(Ms), inner.Source);
        Assert.Equal(IpAddress.Parse("172.16.0.2"), inner.Destination);
        Assert.Equal(4342, inner.DestinationPort);
        Assert.True(MapNotify.TryParseVerified(inner.Payload, keyId => keyId == 1 ? SiteKey : null, out var notify, out string error), error);
        Assert.Equal(0xdfdd7f6b167d5197UL, notify!.Nonce);
        Assert.True(notify.XtrIdPresent);
        Assert.Equal(UInt128.Parse("783fb44c4dcfe8f6b4b99aceaee7965e", System.Globalization.NumberStyles.HexNumber), notify.XtrId);
        Assert.Equal(1, rtr.Control.Counters[LispControlEvent.MapRegisterRelayed]);
        Assert.Equal(1, rtr.Control.Counters[LispControlEvent.MapNotifyRelayed]);

        // A Map-Reply that would overwrite the entry (the map-server proxies the RTR itself) is undone within a second.
        rtr.Tables.MapCache.AddOrReplace(Dataplane.Tables.MapCache.MapCacheEntry.Create(entry.Prefix,
            [new Dataplane.Tables.MapCache.Locator(IpAddress.Parse(Rtr), 1, 100)], 10, rtr.Plane.Options.Clock));
        lab.Run(1100);
        Assert.Equal(4341, rtr.Lookup("10.1.0.10")!.Locators[0].TranslatedPort);

        // Not confirmed again within natedXtrSeconds: forgotten, with its entry.
        lab.Run(31_000);
        Assert.Empty(rtr.Control.NatRtr.NatedXtrs);
        Assert.Null(rtr.Lookup("10.1.0.10"));
        Assert.Equal(1, rtr.Control.Counters[LispControlEvent.NatedXtrExpired]);
    }

    [Fact]
    public void Forged_relays_and_a_full_table_of_NATed_xtrs_are_refused_and_counted()
    {
        var lab = new LispControlLab();
        var ms = lab.Add("ms", MsConfig());
        var rtr = lab.Add("rtr", RtrConfig(natedXtrLimit: 2));

        // A "relayed" register straight from some host, not from our RTR: the map-server refuses it.
        var forged = (byte[])OorEncapsulatedMapRegister.Clone();
        forged[1] = 0x20;
        ms.Control.HandleDatagram(new UdpDatagram(IpAddress.Parse("198.51.100.7"), IpAddress.Parse(Ms), 4342, 4342, forged));
        Assert.Equal(1, ms.Control.Counters[LispControlEvent.UnknownRtr]);
        Assert.Empty(ms.Control.MappingSystem!.Registrations);

        // An xTR asking the RTR to relay to an address that is not its map-server: not an open relay.
        var elsewhere = (byte[])OorEncapsulatedMapRegister.Clone();
        elsewhere[4 + 19] = 0x65; // inner destination 192.0.2.101
        FixInnerIpChecksum(elsewhere);
        rtr.Control.HandleDatagram(new UdpDatagram(IpAddress.Parse(Nat), IpAddress.Parse(Rtr), 4341, 4342, elsewhere));
        Assert.Equal(1, rtr.Control.Counters[LispControlEvent.UnknownMapServer]);

        // A Map-Notify for the RTR that answers nothing it relayed.
        var notify = new MapNotify(0x1234, 1, new byte[20], []);
        var notifyBytes = new byte[notify.Size];
        notify.WriteSigned(notifyBytes, SiteKey);
        var ecm = new byte[EncapsulatedControlHeader.EncapsulatedSize(LispAddress.Ipv4(Ipv4Address.Parse(Ms)), notifyBytes.Length)];
        (EncapsulatedControlHeader.Plain with { RtrProcess = true }).WriteEncapsulated(ecm, LispAddress.Ipv4(Ipv4Address.Parse(Ms)),
            LispAddress.Ipv4(Ipv4Address.Parse("172.16.0.2")), 4342, notifyBytes);
        rtr.Control.HandleDatagram(new UdpDatagram(IpAddress.Parse(Ms), IpAddress.Parse(Rtr), 4342, 4342, ecm));
        Assert.Equal(1, rtr.Control.Counters[LispControlEvent.UnmatchedMapNotify]);

        // Three NATed xTRs (three site prefixes, each signed with the site's key) for a table of two.
        for (int site = 1; site <= 3; site++)
        {
            rtr.Control.HandleDatagram(new UdpDatagram(IpAddress.Parse(Nat), IpAddress.Parse(Rtr), (ushort)(4000 + site), 4342,
                EncapsulatedRegister((ulong)(0x900 + site), $"10.1.{site}.0")));
            lab.Run(20);
        }

        Assert.Equal(3, ms.Control.MappingSystem.Registrations.Count);
        Assert.Equal(2, rtr.Control.NatRtr!.NatedXtrs.Count);
        Assert.Equal(1, rtr.Control.Counters[LispControlEvent.NatedXtrTableFull]);
        Assert.Null(rtr.Lookup("10.1.3.1"));
        Assert.Equal(4002, rtr.Lookup("10.1.2.1")!.Locators[0].TranslatedPort);
    }

    private static void Deliver(LispControlLab.Node node, byte[] payload, ushort port) =>
        node.Control.HandleDatagram(new UdpDatagram(IpAddress.Parse("203.0.113.9"), IpAddress.Parse(Ms), port, 4342, payload));

    /// <summary>An Info-Request as OOR lays it out, signed here with HMAC-SHA-1 over the message with its authentication data zeroed.</summary>
    private static byte[] InfoRequest(ulong nonce, string eid, byte maskLength)
    {
        var bytes = new byte[4 + 8 + 4 + 20 + 4 + 2 + 6 + 2];
        bytes[0] = 0x70;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(4), nonce);
        bytes[13] = 1;
        bytes[15] = 20;
        bytes[41] = maskLength;
        bytes[43] = 1;
        Ipv4Address.Parse(eid).Write(bytes.AsSpan(44));
        HMACSHA1.HashData(SiteKey, bytes).CopyTo(bytes, 16);
        return bytes;
    }

    /// <summary>A NATed xTR's register for the RTR as OOR builds it: I, P and M set, signed with the site's key, in an ECM with R set.</summary>
    private static byte[] EncapsulatedRegister(ulong nonce, string eid)
    {
        var record = new MappingRecord(10, new LispPrefix(LispAddress.Ipv4(Ipv4Address.Parse(eid)), 24), MappingAction.NoAction, true, 0,
            [new LocatorRecord(1, 100, 255, 0, true, false, false, LispAddress.Ipv4(Ipv4Address.Parse("172.16.0.2")))]);
        var register = new MapRegister(nonce, 1, new byte[20], [record]) { ProxyReply = true, WantMapNotify = true, XtrIdPresent = true, XtrId = nonce };
        var bytes = new byte[register.Size];
        register.WriteSigned(bytes, SiteKey);
        var ecm = new byte[EncapsulatedControlHeader.EncapsulatedSize(LispAddress.Ipv4(Ipv4Address.Parse("172.16.0.2")), bytes.Length)];
        (EncapsulatedControlHeader.Plain with { RtrProcess = true }).WriteEncapsulated(ecm, LispAddress.Ipv4(Ipv4Address.Parse("172.16.0.2")),
            LispAddress.Ipv4(Ipv4Address.Parse(Ms)), 4342, bytes);
        return ecm;
    }

    private static void FixInnerIpChecksum(byte[] ecm)
    {
        var ip = ecm.AsSpan(4, 20);
        ip[10] = 0;
        ip[11] = 0;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Dataplane.Wire.Checksums.InternetChecksum.Compute(ip));
    }
}
