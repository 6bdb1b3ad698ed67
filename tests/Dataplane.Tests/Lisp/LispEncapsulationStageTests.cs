using System.Buffers.Binary;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Lisp;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Stages;
using Dataplane.Ports.Pcap;
using Dataplane.Tables.MapCache;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Lisp;

public sealed class LispEncapsulationStageTests
{
    private const int OuterUdpDestinationPortOffset = 14 + 20 + 2;

    [Fact]
    public void Rtr_reencapsulates_a_packet_that_came_out_of_a_tunnel_whatever_its_source()
    {
        var config = LispTestFrames.GoldenConfig() with { Roles = ["rtr"] };
        using var harness = new LispPlaneHarness(config);
        byte[] frame = LispTestFrames.Ipv4Udp("203.0.113.9", "10.2.0.1", ttl: 10);

        var outcome = harness.Process([frame], PacketFlags.FromLispTunnel).Single();

        Assert.True(outcome.Transmitted);
        Assert.Equal(1, outcome.Port);
        Assert.Equal(4341, BinaryPrimitives.ReadUInt16BigEndian(outcome.Bytes.AsSpan(OuterUdpDestinationPortOffset)));
        Assert.Equal(0x88, outcome.Bytes[14 + 20 + 8]); // N and I
        Assert.Equal(7u, BinaryPrimitives.ReadUInt32BigEndian(outcome.Bytes.AsSpan(14 + 20 + 8 + 4)) >> 8);
        Assert.Equal(9, outcome.Bytes[14 + 36 + 8]); // the inner TTL after the RTR's own hop
        Assert.Equal(9, outcome.Bytes[14 + 8]); // copied into the outer header (RFC 9300 section 5.3)
        var counters = harness.Plane.Counters();
        Assert.Equal(1, counters.Counted(ForwardingEvent.LispReencapsulated));
        Assert.Equal(1, counters.Counted(ForwardingEvent.LispEncapsulated));
        Assert.True(counters.IsConserved);
    }

    [Fact]
    public void Itr_and_pitr_leave_a_decapsulated_packet_to_routing()
    {
        var config = LispTestFrames.GoldenConfig() with { Roles = ["itr", "pitr"] };
        using var harness = new LispPlaneHarness(config);
        byte[] frame = LispTestFrames.Ipv4Udp("10.1.0.10", "10.2.0.1", ttl: 10);

        var outcome = harness.Process([frame], PacketFlags.FromLispTunnel).Single();

        Assert.True(outcome.Transmitted);
        Assert.Equal(frame.Length, outcome.Bytes.Length); // routed natively by [7]0.0.0.0/0, not encapsulated
        var counters = harness.Plane.Counters();
        Assert.Equal(0, counters.Counted(ForwardingEvent.LispEncapsulated));
        Assert.Equal(1, counters.Counted(ForwardingEvent.Routed));
        Assert.True(counters.IsConserved);
    }

    [Fact]
    public void Itr_does_not_encapsulate_a_packet_whose_source_is_not_a_local_eid_but_a_pitr_does()
    {
        byte[] frame = LispTestFrames.Ipv4Udp("203.0.113.9", "10.2.0.1");
        using (var itr = new LispPlaneHarness(LispTestFrames.GoldenConfig()))
        {
            Assert.Equal(frame.Length, itr.Process([frame]).Single().Bytes.Length);
            Assert.Equal(0, itr.Plane.Counters().Counted(ForwardingEvent.LispEncapsulated));
        }

        using var pitr = new LispPlaneHarness(LispTestFrames.GoldenConfig() with { Roles = ["pitr"] });
        var outcome = pitr.Process([frame]).Single();
        Assert.True(outcome.Transmitted);
        Assert.Equal(4341, BinaryPrimitives.ReadUInt16BigEndian(outcome.Bytes.AsSpan(OuterUdpDestinationPortOffset)));
    }

    [Fact]
    public void Expired_entry_is_punted_and_counted()
    {
        var golden = LispTestFrames.GoldenConfig();
        var lisp = golden.Lisp! with { MapCache = [new MapCacheEntryConfig { Eid = "[7]10.2.0.0/16", TtlMinutes = 1, Locators = [new LocatorConfig { Address = "198.51.100.1" }] }] };
        using var harness = new LispPlaneHarness(golden with { Lisp = lisp });
        byte[] frame = LispTestFrames.Ipv4Udp("10.1.0.10", "10.2.0.1");

        Assert.True(harness.Process([frame]).Single().Transmitted);
        harness.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(PacketDisposition.Punt, harness.Process([frame]).Single().Disposition);

        var counters = harness.Plane.Counters();
        Assert.Equal(1, counters.Counted(ForwardingEvent.MapCacheExpiredPunted));
        Assert.Equal(1, counters.Punted);
        Assert.True(counters.IsConserved);
    }

    [Fact]
    public void An_entry_in_its_last_expiry_unit_still_encapsulates_by_the_entry_and_expires_on_the_tick()
    {
        // The slot's forwarding word counts expiry in 2^29 ticks of this nanosecond clock (537 ms) and lets go up to
        // one unit early (60 s = 111.76 units: from unit 111 on, 59.59 s); the entry path must then give the same answer up to the exact expiry tick.
        var golden = LispTestFrames.GoldenConfig();
        var lisp = golden.Lisp! with { MapCache = [new MapCacheEntryConfig { Eid = "[7]10.2.0.0/16", TtlMinutes = 1, Locators = [new LocatorConfig { Address = "198.51.100.1" }] }] };
        using var harness = new LispPlaneHarness(golden with { Lisp = lisp });
        byte[] frame = LispTestFrames.Ipv4Udp("10.1.0.10", "10.2.0.1");
        long start = harness.Clock.Now;

        var early = harness.Process([frame]).Single();                  // by the word
        harness.Clock.AdvanceTicks(60_000_000_000 - 50_000_000);          // 50 ms before expiry: inside the last unit
        var late = harness.Process([frame]).Single();                   // by the entry
        harness.Clock.AdvanceTicks(50_000_000);                          // the expiry tick
        var expired = harness.Process([frame]).Single();

        Assert.Equal(1_000_000_000, harness.Clock.Frequency);
        Assert.Equal(0, start);
        Assert.True(early.Transmitted);
        Assert.True(late.Transmitted);
        Assert.Equal(early.Bytes[(14 + 16)..(14 + 20)], late.Bytes[(14 + 16)..(14 + 20)]); // same RLOC 198.51.100.1
        Assert.Equal(new byte[] { 198, 51, 100, 1 }, late.Bytes[(14 + 16)..(14 + 20)]);
        Assert.Equal(PacketDisposition.Punt, expired.Disposition);
        var counters = harness.Plane.Counters();
        Assert.Equal(2, counters.Counted(ForwardingEvent.LispEncapsulated));
        Assert.Equal(1, counters.Counted(ForwardingEvent.MapCacheExpiredPunted));
        Assert.True(counters.IsConserved);
    }

    [Fact]
    public void Entry_with_every_locator_down_drops_as_no_usable_locator()
    {
        var golden = LispTestFrames.GoldenConfig();
        var lisp = golden.Lisp! with
        {
            MapCache = [new MapCacheEntryConfig { Eid = "[7]10.2.0.0/16", Locators = [new LocatorConfig { Address = "198.51.100.1", Up = false }] }],
        };
        using var harness = new LispPlaneHarness(golden with { Lisp = lisp });

        Assert.Equal(DropReason.NoUsableLocator, harness.Process([LispTestFrames.Ipv4Udp("10.1.0.10", "10.2.0.1")]).Single().Drop);
        Assert.True(harness.Plane.Counters().IsConserved);
    }

    [Fact]
    public void Rloc_of_a_family_we_have_no_local_rloc_of_drops_as_no_local_rloc()
    {
        var golden = LispTestFrames.GoldenConfig();
        var lisp = golden.Lisp! with { LocalRlocs = [new LocatorConfig { Address = "192.0.2.1" }] };
        using var harness = new LispPlaneHarness(golden with { Lisp = lisp });

        // 10.3.0.0/16 maps to IPv6 RLOCs only.
        Assert.Equal(DropReason.NoLocalRloc, harness.Process([LispTestFrames.Ipv4Udp("10.1.0.10", "10.3.0.1")]).Single().Drop);
        Assert.Equal(1, harness.Plane.Counters().Dropped(DropReason.NoLocalRloc));
    }

    [Fact]
    public void Icmp_too_big_errors_are_rate_limited_per_worker_on_the_plane_clock()
    {
        var golden = LispTestFrames.GoldenConfig();
        using var harness = new LispPlaneHarness(golden with { Lisp = golden.Lisp! with { IcmpRateLimitPerSecond = 1 } });
        byte[] big = LispTestFrames.Ipv4Udp("10.1.0.10", "10.2.0.1", payload: 1480 - 28, dontFragment: true);

        var first = harness.Process([big, big]);
        Assert.True(first[0].Transmitted);
        Assert.Equal(DropReason.OverMtu, first[1].Drop);
        harness.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(harness.Process([big]).Single().Transmitted);

        var counters = harness.Plane.Counters();
        Assert.Equal(2, counters.Counted(ForwardingEvent.IcmpTooBigSent));
        Assert.Equal(1, counters.Dropped(DropReason.OverMtu));
        Assert.True(counters.IsConserved);
    }

    [Fact]
    public void Icmp_errors_built_in_place_dissect_cleanly_with_the_mtu_and_checksums_tshark_expects()
    {
        TsharkOracle.RequireInstalled();
        using var harness = new LispPlaneHarness(LispTestFrames.GoldenConfig());
        var outcomes = harness.Process(
        [
            LispTestFrames.Ipv4Udp("10.1.0.10", "10.2.0.1", payload: 1480 - 28, dontFragment: true),
            LispTestFrames.Ipv6Udp("2001:db8:1::10", "2001:db8:3::1", payload: 1460 - 48),
            LispTestFrames.Ipv4Udp("10.1.0.10", "10.2.0.1", payload: 200, dontFragment: true), // under 576: quoted whole
        ]);
        Assert.All(outcomes, o => Assert.True(o.Transmitted));

        string path = Path.Combine(Path.GetTempPath(), $"dataplane-icmp-{Guid.NewGuid():N}.pcap");
        try
        {
            using (var writer = new PcapWriter(path))
            {
                foreach (var outcome in outcomes)
                {
                    writer.Write(outcome.Bytes, 0);
                }
            }

            Assert.Empty(TsharkOracle.Problems(path));
            var frames = TsharkOracle.Fields(path, "ip.src", "ip.dst", "ip.checksum.status", "icmp.type", "icmp.code", "icmp.mtu",
                "icmp.checksum.status", "icmpv6.type", "icmpv6.mtu", "icmpv6.checksum.status", "ipv6.src", "ipv6.dst", "frame.len");
            Assert.Equal(["10.1.0.254", "10.1.0.10"], frames[0]["ip.src"].Take(1).Concat(frames[0]["ip.dst"].Take(1)));
            Assert.Equal("3", frames[0]["icmp.type"][0]);
            Assert.Equal("4", frames[0]["icmp.code"][0]);
            Assert.Equal("1464", frames[0]["icmp.mtu"][0]);
            Assert.Equal("1", frames[0]["icmp.checksum.status"][0]); // 1 = good
            Assert.Equal("1", frames[0]["ip.checksum.status"][0]);
            Assert.Equal((14 + 576).ToString(System.Globalization.CultureInfo.InvariantCulture), frames[0]["frame.len"][0]);
            Assert.Equal("2", frames[1]["icmpv6.type"][0]);
            Assert.Equal("1444", frames[1]["icmpv6.mtu"][0]);
            Assert.Equal("1", frames[1]["icmpv6.checksum.status"][0]);
            Assert.Equal(["2001:db8:1::fe", "2001:db8:1::10"], frames[1]["ipv6.src"].Take(1).Concat(frames[1]["ipv6.dst"].Take(1)));
            Assert.Equal((14 + 1280).ToString(System.Globalization.CultureInfo.InvariantCulture), frames[1]["frame.len"][0]);
            Assert.Empty(frames[2]["icmp.type"]); // fits once encapsulated: LISP, no error
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Missing_lisp_section_and_bad_itr_fields_name_the_field()
    {
        var golden = LispTestFrames.GoldenConfig();
        Assert.Equal("lisp", Assert.Throws<ConfigurationException>(() => ForwardingPlaneBuilder.Build(golden with { Lisp = null })).Field);
        Assert.Equal("lisp.locatorChoice", Assert.Throws<ConfigurationException>(() =>
            ForwardingPlaneBuilder.Build(golden with { Lisp = golden.Lisp! with { LocatorChoice = "random" } })).Field);
        Assert.Equal("lisp.overMtu", Assert.Throws<ConfigurationException>(() =>
            ForwardingPlaneBuilder.Build(golden with { Lisp = golden.Lisp! with { OverMtu = "fragment" } })).Field);
        Assert.Equal("lisp.icmpRateLimitPerSecond", Assert.Throws<ConfigurationException>(() =>
            ForwardingPlaneBuilder.Build(golden with { Lisp = golden.Lisp! with { IcmpRateLimitPerSecond = -1 } })).Field);
    }

    [Fact]
    public void Encapsulation_feature_is_created_for_itr_pitr_and_rtr_only()
    {
        var golden = LispTestFrames.GoldenConfig();
        foreach (string role in new[] { "itr", "pitr", "rtr" })
        {
            Assert.NotNull(ForwardingPlaneBuilder.Build(golden with { Roles = [role] }).Feature<LispEncapsulationFeature>());
        }

        Assert.Null(ForwardingPlaneBuilder.Build(golden with { Roles = ["etr"] }).Feature<LispEncapsulationFeature>());
    }

    [Fact]
    public void Ethernet_padding_after_a_short_inner_packet_does_not_travel_in_the_tunnel()
    {
        using var harness = new LispPlaneHarness(LispTestFrames.GoldenConfig());
        byte[] packet = LispTestFrames.Ipv4Udp("10.1.0.10", "10.2.0.1", payload: 2); // 44 bytes: padded to 60 on the wire
        byte[] padded = [.. packet, .. new byte[60 - packet.Length]];

        var outcome = harness.Process([padded]).Single();

        Assert.True(outcome.Transmitted);
        Assert.Equal(14 + 36 + (packet.Length - 14), outcome.Bytes.Length);
        Assert.Equal(8 + 8 + 30, BinaryPrimitives.ReadUInt16BigEndian(outcome.Bytes.AsSpan(14 + 20 + 4))); // UDP length
    }

    [Fact]
    public void Rtr_decapsulates_with_the_etr_stage_then_reencapsulates_toward_the_mapped_rloc()
    {
        // Built by Scapy: a LISP packet to our RLOC 192.0.2.1, instance 7, inner 203.0.113.9 -> 10.2.0.1 (TTL 10).
        string script = """
            from scapy.all import Ether, IP, UDP, Raw
            inner = IP(src="203.0.113.9", dst="10.2.0.1", ttl=10) / UDP(sport=1000, dport=2000) / Raw(b"rtr")
            lisp = bytes([0x88, 0x12, 0x34, 0x56, 0x00, 0x00, 0x07, 0x00])
            p = Ether(src="02:00:00:00:ff:01", dst="02:00:00:00:00:02") / IP(src="198.51.100.9", dst="192.0.2.1", ttl=20) / UDP(sport=50000, dport=4341, chksum=0) / Raw(lisp + bytes(inner))
            print(bytes(p).hex())
            """;
        byte[] frame = Convert.FromHexString(ScapyOracle.Run("-c", script).Trim());
        using var harness = new LispPlaneHarness(LispTestFrames.GoldenConfig() with { Roles = ["rtr"] });

        var outcome = harness.Process([frame]).Single();

        Assert.True(outcome.Transmitted, $"{outcome.Disposition} {outcome.Drop}");
        Assert.Equal(1, outcome.Port);
        Assert.Equal(4341, BinaryPrimitives.ReadUInt16BigEndian(outcome.Bytes.AsSpan(OuterUdpDestinationPortOffset)));
        uint outerDestination = BinaryPrimitives.ReadUInt32BigEndian(outcome.Bytes.AsSpan(14 + 16));
        Assert.Contains(outerDestination, new[] { 0xC6336401u, 0xC6336402u }); // 198.51.100.1 or .2
        Assert.Equal(0x0A020001u, BinaryPrimitives.ReadUInt32BigEndian(outcome.Bytes.AsSpan(14 + 36 + 16))); // inner destination
        var counters = harness.Plane.Counters();
        Assert.Equal(1, counters.Counted(ForwardingEvent.LispDecapsulated));
        Assert.Equal(1, counters.Counted(ForwardingEvent.LispReencapsulated));
        Assert.True(counters.IsConserved);
    }

    /// <summary>
    /// The RLOC's next hop has no MAC yet: the first packet becomes the ARP request for it (RFC 826, checked field by
    /// field), sent from the RLOC port's address; the rest of the burst is dropped under NoNeighbour (one request per
    /// next hop per quarter second), and everything is accounted for.
    /// </summary>
    [Fact]
    public void Itr_asks_for_an_unknown_rloc_next_hop_by_arp_instead_of_dropping_silently()
    {
        var config = LispTestFrames.GoldenConfig();
        using var harness = new LispPlaneHarness(config with { Neighbours = [.. config.Neighbours.Where(n => n.Address != "192.0.2.254")] });
        byte[] frame = LispTestFrames.Ipv4Udp("10.1.0.10", "10.2.0.1");

        var outcomes = harness.Process([frame, frame, frame]);

        var arp = outcomes[0];
        Assert.True(arp.Transmitted, $"{arp.Disposition} {arp.Drop}");
        Assert.Equal(1, arp.Port); // rloc-side
        Assert.Equal(Convert.FromHexString("ffffffffffff" + "020000000002" + "0806"), arp.Bytes[..14]);
        Assert.Equal(Convert.FromHexString("0001" + "0800" + "06" + "04" + "0001"), arp.Bytes[14..22]); // Ethernet, IPv4, request
        Assert.Equal(Convert.FromHexString("020000000002" + "c0000201"), arp.Bytes[22..32]);             // sender: us, 192.0.2.1
        Assert.Equal(Convert.FromHexString("000000000000" + "c00002fe"), arp.Bytes[32..42]);             // target: 192.0.2.254
        Assert.All(outcomes.Skip(1), o => Assert.Equal(DropReason.NoNeighbour, o.Drop));
        var counters = harness.Plane.Counters();
        Assert.Equal(1, counters.Counted(ForwardingEvent.NeighbourRequestSent));
        Assert.Equal(0, counters.Counted(ForwardingEvent.LispEncapsulated));
        Assert.True(counters.IsConserved);
    }

    [Fact]
    public void Itr_asks_for_an_unknown_ipv6_rloc_next_hop_by_neighbor_solicitation()
    {
        var config = LispTestFrames.GoldenConfig();
        using var harness = new LispPlaneHarness(config with { Neighbours = [.. config.Neighbours.Where(n => n.Address != "2001:db8:ff::fe")] });
        byte[] frame = LispTestFrames.Ipv4Udp("10.1.0.10", "10.3.0.1"); // 10.3/16 maps to IPv6 RLOCs

        var solicitation = harness.Process([frame]).Single();

        Assert.True(solicitation.Transmitted, $"{solicitation.Disposition} {solicitation.Drop}");
        Assert.Equal(Convert.FromHexString("3333ff0000fe" + "020000000002" + "86dd"), solicitation.Bytes[..14]); // solicited-node group of ::fe
        Assert.Equal(135, solicitation.Bytes[14 + 40]); // ICMPv6 Neighbor Solicitation
        Assert.Equal(System.Net.IPAddress.Parse("2001:db8:ff::fe").GetAddressBytes(), solicitation.Bytes[(14 + 40 + 8)..(14 + 40 + 24)]);
        Assert.Equal(1, harness.Plane.Counters().Counted(ForwardingEvent.NeighbourRequestSent));
    }
}
