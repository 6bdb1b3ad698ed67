using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Dataplane.Control.Lisp;
using Dataplane.Tables.MapCache;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Control.Lisp;

/// <summary>
/// The forms deployed LISP stacks (Open Overlay Router among them) send and expect, checked on the bytes: the whole
/// HMAC digest in Map-Register / Map-Notify, instance 0 EIDs as plain AFIs, the SMR with the changed EID as its
/// source and the receiver's EID as its record, and sites chosen by prefix so they may share a key. The inputs are
/// built here byte by byte from RFC 9301's figures; the HMACs come from System.Security.Cryptography. The namespace
/// interop tests then run the same exchanges against Open Overlay Router itself.
/// </summary>
public sealed class LispInteropFormsTests
{
    private const string Ms = "192.0.2.100";
    private const string SiteAEtr = "192.0.2.21";
    private const string SiteBEtr = "192.0.2.22";
    private const string SharedKey = "shared-key";

    private static string MsConfig(string sites) => $$"""
        {
          "roles": ["msmr"],
          "ports": [ { "name": "und", "mac": "02:00:00:00:01:00", "addresses": ["{{Ms}}"] } ],
          "lisp": {
            "localRlocs": [ { "address": "{{Ms}}" } ],
            "mappingSystem": { "sites": [ {{sites}} ] }
          }
        }
        """;

    private static readonly string SharedKeySites = $$"""
        { "name": "site-a", "keyId": 1, "key": "{{SharedKey}}", "eidPrefixes": ["10.98.1.0/24"] },
        { "name": "site-b", "keyId": 1, "key": "{{SharedKey}}", "eidPrefixes": ["10.98.2.0/24"] }
        """;

    private static string XtrConfig(string rloc, string eid, string extraMapServer = "") => $$"""
        {
          "roles": ["itr", "etr"],
          "ports": [ { "name": "und", "mac": "02:00:00:00:00:{{rloc.Split('.')[3].PadLeft(2, '0')}}", "addresses": ["{{rloc}}"] } ],
          "lisp": {
            "localRlocs": [ { "address": "{{rloc}}", "priority": 1, "weight": 100 } ],
            "localEids": [ "{{eid}}" ],
            "mapResolvers": [ "{{Ms}}" ],
            "mapServers": [ { "address": "{{Ms}}", "keyId": 1, "key": "{{SharedKey}}"{{extraMapServer}} } ]
          }
        }
        """;

    /// <summary>
    /// A Map-Register as Open Overlay Router writes it (RFC 9301 5.6): M bit set, key id 1, the whole 20-byte
    /// HMAC-SHA-1 (or <paramref name="authenticationLength"/> bytes), one record with a plain IPv4 EID and one locator.
    /// </summary>
    private static byte[] PlainRegister(ulong nonce, string eid, byte maskLength, string rloc, string key = SharedKey, int authenticationLength = 20)
    {
        byte[] record =
        [
            0x00, 0x00, 0x00, 0x0a,             // Record TTL: 10 minutes
            0x01,                               // Locator Count 1
            maskLength,                         // EID mask-len
            0x10, 0x00,                         // ACT 0 (No-Action), A=1, Reserved
            0x00, 0x00,                         // Reserved, Map-Version 0
            0x00, 0x01, .. Ipv4(eid),           // EID-Prefix-AFI 1 (plain IPv4), EID-Prefix
            0x01, 0x64, 0xff, 0x00,             // Priority 1, Weight 100, M Priority 255, M Weight 0
            0x00, 0x05,                         // Unused flags, L=1 p=0 R=1
            0x00, 0x01, .. Ipv4(rloc),          // Loc-AFI 1, Locator
        ];
        byte[] message =
        [
            0x30, 0x00, 0x01, 0x01,             // Type 3, P=0 S=0 I=0; Reserved; M=1 (want Map-Notify); Record Count 1
            .. BigEndian(nonce),                // Nonce
            0x00, 0x01,                         // Key ID 1 (HMAC-SHA-1)
            0x00, (byte)authenticationLength,   // Authentication Data Length
            .. new byte[authenticationLength],  // Authentication Data, zeroed to be signed
            .. record,
        ];
        byte[] mac = HMACSHA1.HashData(Encoding.UTF8.GetBytes(key), message);
        mac.AsSpan(0, Math.Min(authenticationLength, mac.Length)).CopyTo(message.AsSpan(16));
        return message;
    }

    private static byte[] Ipv4(string address) => System.Net.IPAddress.Parse(address).GetAddressBytes();

    private static byte[] BigEndian(ulong value)
    {
        byte[] bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        return bytes;
    }

    private static void Deliver(LispControlLab.Node node, string from, string to, byte[] message) =>
        node.Control.HandleDatagram(new UdpDatagram(IpAddress.Parse(from), IpAddress.Parse(to), 4342, 4342, message));

    private static UdpDatagram SentOfType(LispControlLab lab, string to, int type) =>
        Assert.Single(lab.Sent, d => d.Destination == IpAddress.Parse(to) && d.Payload[0] >> 4 == type);

    /// <summary>The authentication field of a Map-Register / Map-Notify holds the HMAC-SHA-1 of the message with it zeroed.</summary>
    private static void AssertSha1Signed(byte[] message, int length)
    {
        Assert.Equal(length, BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(14)));
        byte[] zeroed = message.ToArray();
        zeroed.AsSpan(16, length).Clear();
        Assert.Equal(HMACSHA1.HashData(Encoding.UTF8.GetBytes(SharedKey), zeroed)[..length], message[16..(16 + length)]);
    }

    [Theory]
    [InlineData(20)]
    [InlineData(12)]
    public void The_map_server_accepts_either_hmac_form_and_answers_in_the_form_it_received(int authenticationLength)
    {
        var lab = new LispControlLab();
        var ms = lab.Add("ms", MsConfig(SharedKeySites));

        Deliver(ms, SiteBEtr, Ms, PlainRegister(1, "10.98.2.0", 24, SiteBEtr, authenticationLength: authenticationLength));
        lab.Run(20);

        var registration = Assert.Single(ms.Control.MappingSystem!.Registrations);
        Assert.Equal(EidPrefix.Parse("10.98.2.0/24"), registration.Prefix);
        Assert.Equal("site-b", registration.Site);
        byte[] notify = SentOfType(lab, SiteBEtr, 4).Payload;
        AssertSha1Signed(notify, authenticationLength);
        Assert.Equal(0, ms.Control.Counters[LispControlEvent.Malformed]);
    }

    [Fact]
    public void A_site_configured_for_the_truncated_form_gets_it_whatever_it_sent()
    {
        var lab = new LispControlLab();
        var ms = lab.Add("ms", MsConfig($$"""{ "name": "site-b", "keyId": 1, "key": "{{SharedKey}}", "eidPrefixes": ["10.98.2.0/24"], "truncatedHmac": true }"""));

        Deliver(ms, SiteBEtr, Ms, PlainRegister(1, "10.98.2.0", 24, SiteBEtr));
        lab.Run(20);

        AssertSha1Signed(SentOfType(lab, SiteBEtr, 4).Payload, 12);
    }

    [Fact]
    public void Two_sites_sharing_one_key_both_register_each_under_its_own_site()
    {
        var lab = new LispControlLab();
        var ms = lab.Add("ms", MsConfig(SharedKeySites));

        Deliver(ms, SiteAEtr, Ms, PlainRegister(1, "10.98.1.0", 24, SiteAEtr));
        Deliver(ms, SiteBEtr, Ms, PlainRegister(2, "10.98.2.0", 24, SiteBEtr));

        var bySite = ms.Control.MappingSystem!.Registrations.ToDictionary(r => r.Site);
        Assert.Equal(EidPrefix.Parse("10.98.1.0/24"), bySite["site-a"].Prefix);
        Assert.Equal(IpAddress.Parse(SiteAEtr), bySite["site-a"].Registrant);
        Assert.Equal(EidPrefix.Parse("10.98.2.0/24"), bySite["site-b"].Prefix);
        Assert.Equal(0, ms.Control.Counters[LispControlEvent.PrefixNotAllowed]);
    }

    [Fact]
    public void A_site_that_does_not_accept_more_specifics_registers_exactly_its_prefix()
    {
        var lab = new LispControlLab();
        var ms = lab.Add("ms", MsConfig($$"""{ "name": "site-b", "keyId": 1, "key": "{{SharedKey}}", "eidPrefixes": ["10.98.2.0/24"], "acceptMoreSpecifics": false }"""));

        Deliver(ms, SiteBEtr, Ms, PlainRegister(1, "10.98.2.128", 25, SiteBEtr));
        Assert.Equal(1, ms.Control.Counters[LispControlEvent.PrefixNotAllowed]);
        Assert.Empty(ms.Control.MappingSystem!.Registrations);

        Deliver(ms, SiteBEtr, Ms, PlainRegister(2, "10.98.2.0", 24, SiteBEtr));
        Assert.Single(ms.Control.MappingSystem.Registrations);
    }

    [Fact]
    public void A_register_for_another_sites_prefix_is_refused_even_with_a_valid_key_of_its_own()
    {
        var lab = new LispControlLab();
        var ms = lab.Add("ms", MsConfig($$"""
            { "name": "site-a", "keyId": 1, "key": "key-a", "eidPrefixes": ["10.98.1.0/24"] },
            { "name": "site-b", "keyId": 1, "key": "key-b", "eidPrefixes": ["10.98.2.0/24"] }
            """));

        Deliver(ms, SiteAEtr, Ms, PlainRegister(1, "10.98.2.0", 24, SiteAEtr, key: "key-a")); // site A's key, site B's prefix
        Assert.Equal(1, ms.Control.Counters[LispControlEvent.BadHmac]);
        Deliver(ms, SiteAEtr, Ms, PlainRegister(2, "10.99.0.0", 16, SiteAEtr, key: "key-a")); // nobody's prefix
        Assert.Equal(1, ms.Control.Counters[LispControlEvent.PrefixNotAllowed]);
        Assert.Empty(ms.Control.MappingSystem!.Registrations);
    }

    [Theory]
    [InlineData(16)] // SHA-256-128's length under key id 1
    [InlineData(32)]
    [InlineData(0)]
    public void An_authentication_length_that_fits_neither_form_is_refused_under_its_own_reason(int authenticationLength)
    {
        var lab = new LispControlLab();
        var ms = lab.Add("ms", MsConfig(SharedKeySites));
        Deliver(ms, SiteBEtr, Ms, PlainRegister(1, "10.98.2.0", 24, SiteBEtr));

        Deliver(ms, SiteAEtr, Ms, PlainRegister(2, "10.98.1.0", 24, SiteAEtr, authenticationLength: authenticationLength));

        Assert.Equal(1, ms.Control.Counters[LispControlEvent.BadAuthenticationLength]);
        Assert.Equal(0, ms.Control.Counters[LispControlEvent.Malformed]);
        Assert.Equal("site-b", Assert.Single(ms.Control.MappingSystem!.Registrations).Site); // state unchanged
    }

    [Theory]
    [InlineData("", 20)]
    [InlineData(", \"truncatedHmac\": true", 12)]
    public void Our_etr_registers_with_the_whole_digest_by_default_and_instance_0_eids_as_plain_afis(string option, int authenticationLength)
    {
        var lab = new LispControlLab();
        lab.Add("ms", MsConfig(SharedKeySites));
        var etr = lab.Add("etr", XtrConfig(SiteBEtr, "[0]10.98.2.0/24", option));
        lab.Run(50);

        byte[] register = SentOfType(lab, Ms, 3).Payload;
        AssertSha1Signed(register, authenticationLength);
        int record = 16 + authenticationLength;
        Assert.Equal(24, register[record + 5]); // EID mask-len
        Assert.Equal(1, BinaryPrimitives.ReadUInt16BigEndian(register.AsSpan(record + 10))); // EID-Prefix-AFI 1, not 16387 (LCAF)
        Assert.Equal(Ipv4("10.98.2.0"), register[(record + 12)..(record + 16)]);
        Assert.Equal(1, etr.Control.Counters[LispControlEvent.RegistrationConfirmed]);
    }

    [Fact]
    public void Our_itr_asks_for_instance_0_eids_as_plain_afis()
    {
        var lab = new LispControlLab();
        var ms = lab.Add("ms", MsConfig(SharedKeySites));
        var itr = lab.Add("itr", XtrConfig(SiteAEtr, "10.98.1.0/24"));
        lab.Run(50);

        itr.Control.Resolver!.OnMiss(0, IpAddress.Parse("10.98.2.7"));
        lab.Run(20);

        // ECM header 4, inner IPv4 20, inner UDP 8, then the Map-Request: first word 4, nonce 8, Source-EID-AFI 0,
        // one ITR-RLOC (AFI 1 + 4), then the record: reserved, mask-len, EID-Prefix-AFI.
        byte[] ecm = SentOfType(lab, Ms, 8).Payload;
        const int Request = 32;
        Assert.Equal(1, ecm[Request] >> 4);
        Assert.Equal(0, BinaryPrimitives.ReadUInt16BigEndian(ecm.AsSpan(Request + 12))); // Source-EID-AFI 0
        Assert.Equal(1, BinaryPrimitives.ReadUInt16BigEndian(ecm.AsSpan(Request + 14))); // ITR-RLOC-AFI 1
        int record = Request + 20;
        Assert.Equal(32, ecm[record + 1]);
        Assert.Equal(1, BinaryPrimitives.ReadUInt16BigEndian(ecm.AsSpan(record + 2))); // plain IPv4, not an LCAF
        Assert.Equal(Ipv4("10.98.2.7"), ecm[(record + 4)..(record + 8)]);
        Assert.Equal(1, ms.Control.Counters[LispControlEvent.EncapsulatedControlReceived]);
    }

    /// <summary>
    /// A Map-Request as Open Overlay Router's ITR sends it to an ETR: its own EID as the source EID, its RLOC as the
    /// ITR-RLOC, the EID asked for as a plain IPv4 /32 record.
    /// </summary>
    private static byte[] PlainMapRequest(ulong nonce, string sourceEid, string itrRloc, string eid) =>
    [
        0x10, 0x00, 0x00, 0x01,                 // Type 1, no flags; IRC 0 (one ITR-RLOC); Record Count 1
        .. BigEndian(nonce),
        0x00, 0x01, .. Ipv4(sourceEid),         // Source-EID-AFI 1, Source EID
        0x00, 0x01, .. Ipv4(itrRloc),           // ITR-RLOC-AFI 1, ITR-RLOC
        0x00, 32, 0x00, 0x01, .. Ipv4(eid),     // Reserved, EID mask-len 32, EID-Prefix-AFI 1, EID-Prefix
    ];

    [Fact]
    public void After_a_change_our_etr_smrs_with_the_changed_eid_as_source_and_the_requesters_eid_as_record()
    {
        const string Peer = "192.0.2.31", PeerEid = "10.98.3.7";
        var lab = new LispControlLab();
        lab.Add("ms", MsConfig(SharedKeySites));
        var etr = lab.Add("etr", XtrConfig(SiteBEtr, "10.98.2.0/24"));
        lab.Run(50);

        Deliver(etr, Peer, SiteBEtr, PlainMapRequest(5, PeerEid, Peer, "10.98.2.9"));
        byte[] reply = SentOfType(lab, Peer, 2).Payload;
        Assert.Equal(1, BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(12 + 10))); // the record's EID-AFI: plain
        byte[] probe = PlainMapRequest(6, PeerEid, Peer, "10.98.2.9");
        probe[0] |= 0x02;                                             // P: an RLOC probe ...
        probe = [.. probe[..12], 0x00, 0x00, .. probe[18..]];         // ... with no source EID, as OOR probes
        Deliver(etr, Peer, SiteBEtr, probe);                          // must not make the ETR forget the peer's EID

        etr.Tables.LocalDatabase.RemoveEidPrefix(EidPrefix.Parse("10.98.2.0/24"));
        lab.Run(20);

        byte[] smr = SentOfType(lab, Peer, 1).Payload;
        Assert.Equal(0x01, smr[0] & 0x01);                                         // S: Solicit-Map-Request
        Assert.Equal(1, BinaryPrimitives.ReadUInt16BigEndian(smr.AsSpan(12)));    // Source-EID-AFI 1
        Assert.Equal(Ipv4("10.98.2.0"), smr[14..18]);                              // Source EID: the changed prefix
        Assert.Equal(1, BinaryPrimitives.ReadUInt16BigEndian(smr.AsSpan(18)));    // ITR-RLOC-AFI 1: ours
        Assert.Equal(Ipv4(SiteBEtr), smr[20..24]);
        Assert.Equal(32, smr[25]);                                                 // the record: the requester's EID, /32
        Assert.Equal(1, BinaryPrimitives.ReadUInt16BigEndian(smr.AsSpan(26)));
        Assert.Equal(Ipv4(PeerEid), smr[28..32]);
    }

    [Fact]
    public void Our_itr_follows_an_smr_in_either_form()
    {
        var lab = new LispControlLab();
        lab.Add("ms", MsConfig(SharedKeySites));
        var etr = lab.Add("etr", XtrConfig(SiteBEtr, "10.98.2.0/24"));
        var itr = lab.Add("itr", XtrConfig(SiteAEtr, "10.98.1.0/24"));
        lab.Run(50);
        itr.Control.Resolver!.OnMiss(0, IpAddress.Parse("10.98.2.9"));
        lab.RunUntil(() => itr.Lookup("10.98.2.9") is { IsNegative: false }, 200);

        // Open Overlay Router's form: source EID = the changed EID, record = our own EID.
        byte[] oorForm = PlainMapRequest(0, "10.98.2.0", SiteBEtr, "10.98.1.1");
        oorForm[0] |= 0x01; // S
        Deliver(itr, SiteBEtr, SiteAEtr, oorForm);
        Assert.Equal(1, itr.Control.Counters[LispControlEvent.SmrInvokedRequestSent]);

        lab.Run(1100); // past the one-request-per-second bound for that EID
        // The other reading: the changed EID in the record, no source EID.
        byte[] recordForm = PlainMapRequest(0, "0.0.0.0", SiteBEtr, "10.98.2.9");
        recordForm[0] |= 0x01;
        byte[] noSource = [.. recordForm[..12], 0x00, 0x00, .. recordForm[18..]]; // Source-EID-AFI 0
        Deliver(itr, SiteBEtr, SiteAEtr, noSource);
        Assert.Equal(2, itr.Control.Counters[LispControlEvent.SmrInvokedRequestSent]);
        Assert.Equal(0, itr.Control.Counters[LispControlEvent.SmrForUncachedEid]);
        Assert.Equal(0, etr.Control.Counters[LispControlEvent.Malformed]);
    }

    [Fact]
    public void A_probe_is_answered_from_the_probed_rloc_with_the_p_bit_on_its_locator()
    {
        const string Peer = "192.0.2.31";
        var lab = new LispControlLab();
        var etr = lab.Add("etr", XtrConfig(SiteBEtr, "10.98.2.0/24"));
        byte[] probe = PlainMapRequest(7, "10.98.3.7", Peer, "10.98.2.0");
        probe[0] |= 0x02; // P
        probe[25] = 24;   // the record: 10.98.2.0/24

        Deliver(etr, Peer, SiteBEtr, probe);

        var reply = SentOfType(lab, Peer, 2);
        Assert.Equal(IpAddress.Parse(SiteBEtr), reply.Source);
        Assert.Equal(0x08, reply.Payload[0] & 0x08); // P: a probe reply (Type=2 |P|E|S|)
        Assert.Equal(0x07, reply.Payload[12 + 16 + 5] & 0x07); // the locator: L (local), p (probed), R (reachable)
    }

    [Theory]
    [InlineData((byte)0, "0.0.0.0")]     // OOR's answer for an EID outside its sites
    [InlineData((byte)24, "10.99.1.0")]  // a negative prefix beside the EID, not covering it
    public void A_negative_reply_that_does_not_describe_the_asked_eid_is_cached_for_that_eid_only(byte maskLength, string prefix)
    {
        var lab = new LispControlLab(); // no map-resolver node: the reply is the one built here, as OOR writes it
        var itr = lab.Add("itr", XtrConfig(SiteAEtr, "10.98.1.0/24"));
        itr.Control.Resolver!.OnMiss(0, IpAddress.Parse("10.99.0.1"));
        lab.Run(20);
        byte[] ecm = SentOfType(lab, Ms, 8).Payload;
        byte[] nonce = ecm[(32 + 4)..(32 + 12)];

        byte[] negative =
        [
            0x20, 0x00, 0x00, 0x01,             // Type 2, no flags, Record Count 1
            .. nonce,
            0x00, 0x00, 0x00, 0x0f,             // Record TTL 15 minutes
            0x00, maskLength,                   // Locator Count 0, EID mask-len
            0x00, 0x00,                         // ACT 0 (No-Action), A=0
            0x00, 0x00,                         // Reserved, Map-Version
            0x00, 0x01, .. Ipv4(prefix),        // EID-Prefix-AFI 1, EID-Prefix
        ];
        Deliver(itr, Ms, SiteAEtr, negative);

        var entry = itr.Lookup("10.99.0.1");
        Assert.NotNull(entry);
        Assert.True(entry.IsNegative);
        Assert.Equal(EidPrefix.Parse("10.99.0.1/32"), entry.Prefix);
        Assert.Null(itr.Lookup("10.98.2.9")); // another EID still misses, so it is still asked for
        Assert.Equal(1, itr.Control.Counters[LispControlEvent.NegativeMapCacheInstalled]);
    }

    [Fact]
    public void Our_itr_names_the_missing_packets_source_as_the_source_eid()
    {
        var lab = new LispControlLab();
        var itr = lab.Add("itr", XtrConfig(SiteAEtr, "10.98.1.0/24"));
        itr.Control.Resolver!.OnMiss(0, IpAddress.Parse("10.98.2.7"), source: IpAddress.Parse("10.98.1.5"));
        lab.Run(20);

        byte[] ecm = SentOfType(lab, Ms, 8).Payload;
        const int Request = 32;
        Assert.Equal(1, BinaryPrimitives.ReadUInt16BigEndian(ecm.AsSpan(Request + 12))); // Source-EID-AFI 1
        Assert.Equal(Ipv4("10.98.1.5"), ecm[(Request + 14)..(Request + 18)]);
    }

    [Fact]
    public void Replies_go_to_the_source_port_of_the_message_they_answer()
    {
        const string Peer = "192.0.2.31";
        var lab = new LispControlLab();
        var ms = lab.Add("ms", MsConfig(SharedKeySites));
        var etr = lab.Add("etr", XtrConfig(SiteBEtr, "10.98.2.0/24"));

        etr.Control.HandleDatagram(new UdpDatagram(IpAddress.Parse(Peer), IpAddress.Parse(SiteBEtr), 50001, 4342,
            PlainMapRequest(5, "10.98.3.7", Peer, "10.98.2.9")));
        ms.Control.HandleDatagram(new UdpDatagram(IpAddress.Parse(SiteAEtr), IpAddress.Parse(Ms), 50002, 4342,
            PlainRegister(1, "10.98.1.0", 24, SiteAEtr)));

        var reply = SentOfType(lab, Peer, 2);
        Assert.Equal(50001, reply.DestinationPort);
        Assert.Equal(4342, reply.SourcePort);
        Assert.Equal(50002, SentOfType(lab, SiteAEtr, 4).DestinationPort); // the Map-Notify
    }
}
