using System.Buffers.Binary;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Lisp;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Stages;
using Dataplane.Tables.MapCache;
using Dataplane.Tests.Golden;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Lisp;

/// <summary>
/// The decapsulation stage on its own (after classification, before routing): what it decides for each packet, and
/// what the descriptor looks like when it leaves the packet pending. Inputs are the golden cases' Scapy-made frames
/// or Scapy-made on the spot; expected offsets come from the header sizes of RFC 791 / 8200 / 768 / 9300.
/// </summary>
public sealed class LispDecapsulationStageTests
{
    private const int Ethernet = 14;
    private const int Ipv4 = 20;
    private const int Ipv6 = 40;
    private const int UdpAndLisp = 8 + 8;

    [Fact]
    public void Strips_ethernet_ipv4_udp_and_lisp_by_moving_the_start_and_points_the_offsets_at_the_inner_headers()
    {
        using var harness = new LispDecapsulationHarness();
        var frames = LispDecapsulationHarness.GoldenInput("etr-v4-in-v4");
        var packets = harness.RunStage(frames);
        int outer = Ethernet + Ipv4 + UdpAndLisp;
        for (int i = 0; i < packets.Length; i++)
        {
            ref var packet = ref packets[i];
            Assert.True(packet.IsPending(), $"packet {i}: dropped as {(DropReason)packet.DropReason}");
            Assert.Equal(PacketKind.NativeIpv4, packet.Kind);
            Assert.Equal(256 + outer, packet.DataOffset); // the pool's headroom plus what was stripped: no copy
            Assert.Equal(frames[i].Length - outer, packet.Length);
            Assert.Equal(packet.DataOffset, packet.L3Offset);
            Assert.Equal(packet.L3Offset + Ipv4, packet.L4Offset);
            Assert.Equal(PacketFlags.Decapsulated | PacketFlags.FromLispTunnel, packet.Flags & (PacketFlags.Decapsulated | PacketFlags.FromLispTunnel));
            Assert.Equal(frames[i].AsSpan(outer).ToArray(), packet.Data.ToArray()); // outer TTL 64 = inner TTL: inner untouched
        }

        Assert.Equal([0u, 0u, 7u, 0u, 0u], packets.ToArray().Select(p => p.InstanceId));
        Assert.Equal(packets.Length, harness.StageCounters.Counted(ForwardingEvent.LispDecapsulated));
    }

    [Fact]
    public void Strips_an_ipv6_outer_header_with_or_without_extensions_and_finds_the_inner_ipv6_upper_layer()
    {
        using var harness = new LispDecapsulationHarness();
        var frames = LispDecapsulationHarness.GoldenInput("etr-v6-in-v6");
        var packets = harness.RunStage(frames);
        int outer = Ethernet + Ipv6 + UdpAndLisp;
        int[] outerLengths = [outer, outer, outer + 8]; // the third has an 8-byte destination-options header
        Assert.Equal(outerLengths.Length, packets.Length);
        for (int i = 0; i < packets.Length; i++)
        {
            var packet = packets[i];
            Assert.True(packet.IsPending(), $"packet {i}: dropped as {(DropReason)packet.DropReason}");
            Assert.Equal(PacketKind.NativeIpv6, packet.Kind);
            Assert.Equal(256 + outerLengths[i], packet.DataOffset);
            Assert.Equal(frames[i].AsSpan(outerLengths[i]).ToArray(), packet.Data.ToArray());
            Assert.Equal(packet.L3Offset + Ipv6, packet.L4Offset);
            Assert.Equal(6, packet.Data[0] >> 4);
        }
    }

    [Fact]
    public void Trims_bytes_after_the_inner_packet()
    {
        using var harness = new LispDecapsulationHarness();
        var frames = LispDecapsulationHarness.Scapy("""
            inner = IP(src="10.2.0.5", dst="10.1.0.10", ttl=64) / UDP(sport=1, dport=2) / Raw(b"abcd")
            emit(Ether(dst="02:00:00:00:00:01", src="02:00:00:00:00:fe") / IP(src="198.51.100.1", dst="192.0.2.1") / UDP(sport=49200, dport=4341, chksum=0) / Raw(lisp_header(nonce=1, instance_id=0) + bytes(inner) + b"\x00" * 6))
            """);
        var packet = harness.RunStage(frames)[0];
        Assert.True(packet.IsPending());
        Assert.Equal(20 + 8 + 4, packet.Length); // the inner total length, not the UDP payload
    }

    [Theory]
    [InlineData(5, 64, 5)]
    [InlineData(64, 5, 5)]
    [InlineData(64, 64, 64)]
    [InlineData(255, 1, 1)]
    [InlineData(1, 255, 1)]
    [InlineData(0, 9, 0)]
    public void Inner_ttl_takes_the_outer_ttl_when_that_is_smaller_and_the_checksum_stays_valid(int outerTtl, int innerTtl, int expected)
    {
        using var harness = new LispDecapsulationHarness();
        var frames = LispDecapsulationHarness.Scapy($"""
            inner4 = IP(src="10.2.0.5", dst="10.1.0.10", ttl={innerTtl}, tos=0xb8) / UDP(sport=1, dport=2) / Raw(b"x" * 30)
            inner6 = IPv6(src="2001:db8:2::5", dst="2001:db8:1::10", hlim={innerTtl}) / UDP(sport=1, dport=2) / Raw(b"y" * 30)
            for inner in (inner4, inner6):
                emit(Ether(dst="02:00:00:00:00:01", src="02:00:00:00:00:fe") / IP(src="198.51.100.1", dst="192.0.2.1", ttl={outerTtl}) / UDP(sport=49200, dport=4341, chksum=0) / Raw(lisp_header(nonce=1, instance_id=0) + bytes(inner)))
                emit(Ether(dst="02:00:00:00:00:01", src="02:00:00:00:00:fe") / IPv6(src="2001:db8:ff00::1", dst="2001:db8:ffff::1", hlim={outerTtl}) / UDP(sport=49200, dport=4341) / Raw(lisp_header(nonce=1, instance_id=0) + bytes(inner)))
            """);
        var packets = harness.RunStage(frames);
        Assert.Equal(4, packets.Length);
        for (int i = 0; i < packets.Length; i++)
        {
            var inner = packets[i].Data;
            Assert.True(packets[i].IsPending());
            if (expected <= 1)
            {
                // Forwarding it into the site would expire it: it is now ICMP Time Exceeded (RFC 792 type 11, RFC 4443
                // type 3) quoting the inner packet with the TTL the section 5.3 rule gave it.
                if (i < 2)
                {
                    Assert.Equal((1, 11), (inner[9], inner[20]));
                    Assert.Equal(expected, inner[28 + 8]);
                    Assert.Equal(0xFFFF, FoldedSum(inner[28..48]));
                }
                else
                {
                    Assert.Equal((58, 3), (inner[6], inner[40]));
                    Assert.Equal(expected, inner[48 + 7]);
                }

                continue;
            }

            if (i < 2)
            {
                Assert.Equal(expected, inner[8]);
                Assert.Equal(0xb8, inner[1]); // DSCP kept
                Assert.Equal(0xFFFF, FoldedSum(inner[..20])); // RFC 1071: a valid header sums to all ones
            }
            else
            {
                Assert.Equal(expected, inner[7]);
            }
        }
    }

    [Theory]
    [InlineData("etr-foreign-rloc", DropReason.LispToForeignRloc)]
    [InlineData("etr-truncated-lisp", DropReason.MalformedLisp)]
    [InlineData("etr-lisp-crypto", DropReason.LispCryptoUnsupported)]
    [InlineData("etr-inner-malformed", DropReason.InnerHeaderMalformed)]
    [InlineData("etr-unknown-iid", DropReason.UnknownInstanceId)]
    [InlineData("etr-not-local-eid", DropReason.NotLocalEid)]
    public void Drops_what_an_etr_must_not_decapsulate_under_the_named_reason(string goldenCase, DropReason reason)
    {
        using var harness = new LispDecapsulationHarness();
        var frames = LispDecapsulationHarness.GoldenInput(goldenCase);
        var packets = harness.RunStage(frames);
        foreach (var packet in packets)
        {
            Assert.Equal(reason, (DropReason)packet.DropReason);
        }

        Assert.Equal(frames.Count, harness.StageCounters.Dropped(reason));
        Assert.Equal(0, harness.StageCounters.Counted(ForwardingEvent.LispDecapsulated));
    }

    [Theory]
    [InlineData("petr")]
    [InlineData("rtr")]
    public void With_petr_or_rtr_the_inner_destination_need_not_be_a_local_eid(string otherRole)
    {
        using var harness = new LispDecapsulationHarness("etr-not-local-eid", "etr", otherRole);
        var packets = harness.RunStage(LispDecapsulationHarness.GoldenInput("etr-not-local-eid"));
        foreach (var packet in packets)
        {
            Assert.True(packet.IsPending(), $"dropped as {(DropReason)packet.DropReason}");
            Assert.NotEqual(0, packet.Flags & PacketFlags.Decapsulated);
        }
    }

    [Fact]
    public void An_instance_becomes_served_when_a_local_eid_prefix_is_added_in_it()
    {
        using var harness = new LispDecapsulationHarness();
        byte[] frame = LispDecapsulationHarness.GoldenInput("etr-v4-in-v4")[0];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(Ethernet + Ipv4 + 8 + 4), 9u << 8); // LISP header: IID 9, LSBs 0
        Assert.Equal(DropReason.UnknownInstanceId, (DropReason)harness.RunStage([frame])[0].DropReason);

        harness.Feature.Tables.LocalDatabase.AddEidPrefix(EidPrefix.Parse("[9]10.1.0.0/24"));
        var packet = harness.RunStage([frame])[0];
        Assert.True(packet.IsPending(), $"dropped as {(DropReason)packet.DropReason}");
        Assert.Equal(9u, packet.InstanceId);
    }

    [Fact]
    public void Punts_control_messages_to_our_addresses_and_leaves_others_to_routing()
    {
        using var harness = new LispDecapsulationHarness();
        var packets = harness.RunStage(LispDecapsulationHarness.GoldenInput("etr-control-punt"));
        Assert.Equal(
            [PacketDisposition.Punt, PacketDisposition.Punt, PacketDisposition.Punt, PacketDisposition.Pending],
            packets.ToArray().Select(p => p.Disposition));
        Assert.Equal(PacketKind.NativeIpv4, packets[3].Kind);
        Assert.Equal(3, harness.StageCounters.Counted(ForwardingEvent.LispControlPunted));
        Assert.Equal(1, harness.StageCounters.Counted(ForwardingEvent.LispControlRouted));
    }

    [Fact]
    public void Decapsulating_roles_need_a_lisp_section_rlocs_and_for_a_pure_etr_eids()
    {
        const string Ports = """ "ports": [ { "name": "p0", "mac": "02:00:00:00:00:01" } ] """;
        var missing = Assert.Throws<ConfigurationException>(() => Build($$"""{ "roles": ["etr"], {{Ports}} }"""));
        Assert.Equal("lisp", missing.Field);
        var noRlocs = Assert.Throws<ConfigurationException>(() => Build($$"""{ "roles": ["petr"], {{Ports}}, "lisp": { } }"""));
        Assert.Equal("lisp.localRlocs", noRlocs.Field);
        var noEids = Assert.Throws<ConfigurationException>(() => Build($$"""{ "roles": ["etr"], {{Ports}}, "lisp": { "localRlocs": [ { "address": "192.0.2.1" } ] } }"""));
        Assert.Equal("lisp.localEids", noEids.Field);
        var petr = Build($$"""{ "roles": ["petr"], {{Ports}}, "lisp": { "localRlocs": [ { "address": "192.0.2.1" } ] } }""");
        Assert.NotNull(petr.Feature<LispDecapsulationFeature>());
        Assert.Null(Build($$"""{ "roles": [], {{Ports}} }""").Feature<LispDecapsulationFeature>());
    }

    private static ForwardingPlane Build(string json) => ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(json));

    private static int FoldedSum(ReadOnlySpan<byte> header)
    {
        uint sum = 0;
        for (int i = 0; i + 1 < header.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(header[i..]);
        }

        while (sum > 0xFFFF)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (int)sum;
    }
}
