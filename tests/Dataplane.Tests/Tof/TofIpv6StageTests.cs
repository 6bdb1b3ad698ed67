using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Tof;
using Dataplane.Tests.GtpU;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Tof;

/// <summary>
/// The TOF with IPv6 in each place deployed networks put it: IPv6 UEs over IPv6 and over IPv4 S1-U, IPv4 UEs over
/// IPv6 S1-U, dual-stack UEs. Every expected frame is built by Scapy from the specifications (checksums of its own).
/// </summary>
public sealed class TofIpv6StageTests : IDisposable
{
    private const string Enb6ToSgw = "Ether(src='02:00:00:00:0e:01', dst='02:00:00:00:05:01')/IPv6(src='2001:db8:e::10', dst='2001:db8:5::20')/UDP(sport=2152, dport=2152)";
    private const string Sgw6ToEnb = "Ether(src='02:00:00:00:05:01', dst='02:00:00:00:0e:01')/IPv6(src='2001:db8:5::20', dst='2001:db8:e::10')/UDP(sport=2152, dport=2152)";
    private const string Enb4ToSgw = "Ether(src='02:00:00:00:0e:01', dst='02:00:00:00:05:01')/IP(src='192.0.2.10', dst='198.51.100.20', id=1)/UDP(sport=2152, dport=2152)";
    private const string Sgw4ToEnb = "Ether(src='02:00:00:00:05:01', dst='02:00:00:00:0e:01')/IP(src='198.51.100.20', dst='192.0.2.10', id=2)/UDP(sport=2152, dport=2152)";

    private const string ToService6 = "IPv6(src='2001:db8:1:2::a', dst='2001:db8:100::1', hlim=63)/UDP(sport=40000, dport=8080)/Raw(b'request')";
    private const string FromInternet6 = "IPv6(src='2001:db8:ff::1', dst='2001:db8:1:2::a')/UDP(sport=39999, dport=40000)/Raw(b'downlink')";
    private const string AppReply6 = "Ether(src='02:00:00:00:a0:01', dst='02:00:00:00:e0:04')/IPv6(src='2001:db8:a::10', dst='2001:db8:1:2::a', hlim=60)/UDP(sport=8080, dport=40000)/Raw(b'reply')";
    private const string Offloaded6 = "Ether(src='02:00:00:00:e0:04', dst='02:00:00:00:a0:01')/IPv6(src='2001:db8:1:2::a', dst='2001:db8:a::10', hlim=63)/UDP(sport=40000, dport=8080)/Raw(b'request')";
    private const string Returned6Inner = "IPv6(src='2001:db8:100::1', dst='2001:db8:1:2::a', hlim=60)/UDP(sport=8080, dport=40000)/Raw(b'reply')";
    private const string ReplyOuter6 = "Ether(src='02:00:00:00:e0:01', dst='02:00:00:00:0e:01')/IPv6(src='2001:db8:5::20', dst='2001:db8:e::10', hlim=64)/UDP(sport=2152, dport=2152)";
    private const string ReplyOuter4 = "Ether(src='02:00:00:00:e0:01', dst='02:00:00:00:0e:01')/IP(src='198.51.100.20', dst='192.0.2.10', ttl=64, id=0, flags=0)/UDP(sport=2152, dport=2152, chksum=0)";

    private static readonly IpAddress UePrefix = Ipv6Address.Parse("2001:db8:1:2::");

    private readonly TofTestPlane tof = new(ipv6: true);

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);

    [Fact]
    public void An_ipv6_ue_over_ipv6_s1u_is_learned_offloaded_and_answered_in_its_ipv6_downlink()
    {
        var frames = ScapyFrames.Build(
            $"{Enb6ToSgw}/GTP_U_Header(teid=0x1001)/{ToService6}",
            $"{Sgw6ToEnb}/GTP_U_Header(teid=0xE001)/{FromInternet6}",
            AppReply6,
            Offloaded6,
            $"{ReplyOuter6}/GTP_U_Header(teid=0xE001)/{Returned6Inner}");
        var batch = tof.Process((TofTestPlane.EnbPort, frames[0]), (TofTestPlane.SgwPort, frames[1]), (TofTestPlane.AppsPort, frames[2]));

        Assert.Equal(TofTestPlane.AppsPort, batch[0].EgressPort);
        Assert.Equal(Hex(frames[3]), Hex(batch[0].Data));
        Assert.Equal(TofTestPlane.EnbPort, batch[1].EgressPort);
        Assert.Equal(Hex(frames[1]), Hex(batch[1].Data)); // the downlink G-PDU is bridged untouched
        Assert.Equal(TofTestPlane.EnbPort, batch[2].EgressPort);
        Assert.Equal(Hex(frames[4]), Hex(batch[2].Data));

        var tunnel = Assert.Single(tof.Tof.ListTunnels());
        Assert.Equal(UePrefix, tunnel.UeAddress);
        Assert.Equal(new TofTunnelEndpoint(Ipv6Address.Parse("2001:db8:e::10"), Ipv6Address.Parse("2001:db8:5::20"), 0x1001), tunnel.Uplink);
        Assert.Equal(new TofTunnelEndpoint(Ipv6Address.Parse("2001:db8:5::20"), Ipv6Address.Parse("2001:db8:e::10"), 0xE001), tunnel.Downlink);
        Assert.Equal(2, tunnel.DownlinkPackets); // the G-PDU seen and the reply sent
        Assert.Equal(1, tof.Tof.Flows6.Count);
        Assert.Equal(0, tof.Tof.Flows.Count);
        var counters = tof.Tof.Counters("video6");
        Assert.Equal((1, 1), (counters.UplinkPackets, counters.DownlinkPackets));
        Assert.Equal(frames[3].Length - 14, counters.UplinkBytes);
    }

    [Fact]
    public void An_ipv6_ue_over_ipv4_s1u_is_answered_in_its_ipv4_downlink()
    {
        var frames = ScapyFrames.Build(
            $"{Enb4ToSgw}/GTP_U_Header(teid=0x1001)/{ToService6}",
            $"{Sgw4ToEnb}/GTP_U_Header(teid=0xE001)/{FromInternet6}",
            AppReply6,
            Offloaded6,
            $"{ReplyOuter4}/GTP_U_Header(teid=0xE001)/{Returned6Inner}");
        var batch = tof.Process((TofTestPlane.EnbPort, frames[0]), (TofTestPlane.SgwPort, frames[1]), (TofTestPlane.AppsPort, frames[2]));

        Assert.Equal(Hex(frames[3]), Hex(batch[0].Data));
        Assert.Equal(TofTestPlane.AppsPort, batch[0].EgressPort);
        Assert.Equal(Hex(frames[4]), Hex(batch[2].Data));
        Assert.Equal(TofTestPlane.EnbPort, batch[2].EgressPort);
        var tunnel = Assert.Single(tof.Tof.ListTunnels());
        Assert.Equal(UePrefix, tunnel.UeAddress);
        Assert.Equal(new TofTunnelEndpoint(Ipv4Address.Parse("198.51.100.20"), Ipv4Address.Parse("192.0.2.10"), 0xE001), tunnel.Downlink);
    }

    [Fact]
    public void An_ipv4_ue_over_ipv6_s1u_is_offloaded_and_answered_in_its_ipv6_downlink()
    {
        var frames = ScapyFrames.Build(
            $"{Enb6ToSgw}/GTP_U_Header(teid=0x1001, E=1, next_ex=0x85)/GTPPDUSessionContainer(type=1, QFI=5)/IP(src='10.45.0.2', dst='10.200.0.1', id=5)/UDP(sport=40000, dport=8080)/Raw(b'request')",
            $"{Sgw6ToEnb}/GTP_U_Header(teid=0xE001)/IP(src='192.0.2.200', dst='10.45.0.2')/UDP(sport=39999, dport=40000)",
            "Ether(src='02:00:00:00:a0:01', dst='02:00:00:00:e0:04')/IP(src='203.0.113.10', dst='10.45.0.2', ttl=60, id=7)/UDP(sport=8080, dport=40000)/Raw(b'reply')",
            "Ether(src='02:00:00:00:e0:04', dst='02:00:00:00:a0:01')/IP(src='10.45.0.2', dst='203.0.113.10', id=5)/UDP(sport=40000, dport=8080)/Raw(b'request')",
            $"{ReplyOuter6}/GTP_U_Header(teid=0xE001, E=1, next_ex=0x85)/GTPPDUSessionContainer(type=0, QFI=5, NextExtHdr=0)"
            + "/IP(src='10.200.0.1', dst='10.45.0.2', ttl=60, id=7)/UDP(sport=8080, dport=40000)/Raw(b'reply')");
        var batch = tof.Process((TofTestPlane.EnbPort, frames[0]), (TofTestPlane.SgwPort, frames[1]), (TofTestPlane.AppsPort, frames[2]));

        Assert.Equal(TofTestPlane.AppsPort, batch[0].EgressPort);
        Assert.Equal(Hex(frames[3]), Hex(batch[0].Data));
        Assert.Equal(TofTestPlane.EnbPort, batch[2].EgressPort);
        Assert.Equal(Hex(frames[4]), Hex(batch[2].Data));
        Assert.True(tof.Tof.TryGetTunnel(Ipv4Address.Parse("10.45.0.2"), out var tunnel));
        Assert.Equal(new TofTunnelEndpoint(Ipv6Address.Parse("2001:db8:e::10"), Ipv6Address.Parse("2001:db8:5::20"), 0x1001), tunnel.Uplink);
        Assert.Equal(5, tunnel.Qfi);
    }

    [Fact]
    public void A_dual_stack_ue_has_a_tunnel_of_each_family_on_the_same_teids_and_both_families_are_offloaded()
    {
        var frames = ScapyFrames.Build(
            $"{Enb4ToSgw}/GTP_U_Header(teid=0x1001)/IP(src='10.45.0.2', dst='10.200.0.1', id=5)/UDP(sport=40000, dport=8080)/Raw(b'request')",
            $"{Enb4ToSgw}/GTP_U_Header(teid=0x1001)/{ToService6}",
            $"{Sgw4ToEnb}/GTP_U_Header(teid=0xE001)/{FromInternet6}",
            $"{Sgw4ToEnb}/GTP_U_Header(teid=0xE001)/IP(src='192.0.2.200', dst='10.45.0.2')/UDP(sport=39999, dport=40000)");
        var batch = tof.Process((TofTestPlane.EnbPort, frames[0]), (TofTestPlane.EnbPort, frames[1]), (TofTestPlane.SgwPort, frames[2]),
            (TofTestPlane.SgwPort, frames[3]));

        Assert.Equal(TofTestPlane.AppsPort, batch[0].EgressPort);
        Assert.Equal(TofTestPlane.AppsPort, batch[1].EgressPort);
        var tunnels = tof.Tof.ListTunnels();
        Assert.Equal(2, tunnels.Count);
        Assert.Equal(IpAddress.Parse("10.45.0.2"), tunnels[0].UeAddress); // IPv4 first
        Assert.Equal(UePrefix, tunnels[1].UeAddress);
        Assert.All(tunnels, t => Assert.Equal(new TofTunnelEndpoint(Ipv4Address.Parse("192.0.2.10"), Ipv4Address.Parse("198.51.100.20"), 0x1001), t.Uplink));
        Assert.All(tunnels, t => Assert.Equal(0xE001u, t.Downlink!.Teid));
        Assert.Equal((1, 1), (tof.Tof.Flows.Count, tof.Tof.Flows6.Count));
    }

    [Fact]
    public void Another_address_of_the_ues_64_rides_the_same_tunnel_and_its_reply_goes_into_it()
    {
        const string privacy = "2001:db8:1:2:1234:5678:9abc:def0";
        var frames = ScapyFrames.Build(
            $"{Enb6ToSgw}/GTP_U_Header(teid=0x1001)/{ToService6}",
            $"{Sgw6ToEnb}/GTP_U_Header(teid=0xE001)/{FromInternet6}",
            $"{Enb6ToSgw}/GTP_U_Header(teid=0x1001)/IPv6(src='{privacy}', dst='2001:db8:100::1')/TCP(sport=40001, dport=443, flags='S', seq=1000)",
            $"Ether(src='02:00:00:00:a0:01', dst='02:00:00:00:e0:04')/IPv6(src='2001:db8:a::10', dst='{privacy}')/TCP(sport=443, dport=40001, flags='SA', seq=5000, ack=1001)",
            $"Ether(src='02:00:00:00:e0:04', dst='02:00:00:00:a0:01')/IPv6(src='{privacy}', dst='2001:db8:a::10')/TCP(sport=40001, dport=443, flags='S', seq=1000)",
            $"{ReplyOuter6}/GTP_U_Header(teid=0xE001)/IPv6(src='2001:db8:100::1', dst='{privacy}')/TCP(sport=443, dport=40001, flags='SA', seq=5000, ack=1001)");
        tof.Process((TofTestPlane.EnbPort, frames[0]), (TofTestPlane.SgwPort, frames[1]));
        var batch = tof.Process((TofTestPlane.EnbPort, frames[2]), (TofTestPlane.AppsPort, frames[3]));

        Assert.Equal(Hex(frames[4]), Hex(batch[0].Data));
        Assert.Equal(Hex(frames[5]), Hex(batch[1].Data));
        Assert.Equal(1, tof.Tof.Tunnels6.Count);
        Assert.Equal(2, tof.Tof.Flows6.Count);
    }

    [Fact]
    public void Icmpv6_echo_to_an_ipv6_service_is_offloaded_and_its_reply_returned_with_the_pseudo_header_checksum_mended()
    {
        var frames = ScapyFrames.Build(
            $"{Enb6ToSgw}/GTP_U_Header(teid=0x1001)/IPv6(src='2001:db8:1:2::a', dst='2001:db8:100::1')/ICMPv6EchoRequest(id=0x77, seq=1, data=b'ping')",
            $"{Sgw6ToEnb}/GTP_U_Header(teid=0xE001)/{FromInternet6}",
            "Ether(src='02:00:00:00:a0:01', dst='02:00:00:00:e0:04')/IPv6(src='2001:db8:a::10', dst='2001:db8:1:2::a')/ICMPv6EchoReply(id=0x77, seq=1, data=b'ping')",
            "Ether(src='02:00:00:00:e0:04', dst='02:00:00:00:a0:01')/IPv6(src='2001:db8:1:2::a', dst='2001:db8:a::10')/ICMPv6EchoRequest(id=0x77, seq=1, data=b'ping')",
            $"{ReplyOuter6}/GTP_U_Header(teid=0xE001)/IPv6(src='2001:db8:100::1', dst='2001:db8:1:2::a')/ICMPv6EchoReply(id=0x77, seq=1, data=b'ping')");
        var batch = tof.Process((TofTestPlane.EnbPort, frames[0]), (TofTestPlane.SgwPort, frames[1]), (TofTestPlane.AppsPort, frames[2]));

        Assert.Equal(Hex(frames[3]), Hex(batch[0].Data));
        Assert.Equal(Hex(frames[4]), Hex(batch[2].Data));
    }

    [Fact]
    public void Hop_by_hop_options_are_kept_and_the_packet_offloaded()
    {
        var frames = ScapyFrames.Build(
            $"{Enb6ToSgw}/GTP_U_Header(teid=0x1001)/IPv6(src='2001:db8:1:2::a', dst='2001:db8:100::1')/IPv6ExtHdrHopByHop()/UDP(sport=40000, dport=8080)/Raw(b'request')",
            "Ether(src='02:00:00:00:e0:04', dst='02:00:00:00:a0:01')/IPv6(src='2001:db8:1:2::a', dst='2001:db8:a::10')/IPv6ExtHdrHopByHop()/UDP(sport=40000, dport=8080)/Raw(b'request')");
        var batch = tof.Process((TofTestPlane.EnbPort, frames[0]));

        Assert.Equal(TofTestPlane.AppsPort, batch[0].EgressPort);
        Assert.Equal(Hex(frames[1]), Hex(batch[0].Data));
        Assert.Equal(14 + 40 + 8, batch[0].L4Offset - batch[0].DataOffset);
    }

    [Theory]
    [InlineData("IPv6ExtHdrRouting(addresses=['2001:db8:100::1'], segleft=1)/UDP(sport=40000, dport=8080)")] // the pseudo-header holds the last segment
    [InlineData("IPv6ExtHdrFragment(id=9, m=1)/UDP(sport=40000, dport=8080)/Raw(b'first')")] // the rest is in other fragments
    [InlineData("UDP(sport=40000, dport=8080, chksum=0)/Raw(b'no-checksum')")] // RFC 8200 forbids it; a NAT cannot mend it
    [InlineData("IPv6ExtHdrDestOpt()/IPv6ExtHdrHopByHop()/UDP(sport=40000, dport=8080)")] // hop-by-hop not first: an invalid chain
    [InlineData("ICMPv6EchoReply(id=1)")] // ICMPv6 other than an echo request keys no flow
    [InlineData("IPv6ExtHdrDestOpt()/ESP(spi=1, seq=1)")]
    public void An_ipv6_uplink_to_a_service_the_tof_cannot_rewrite_goes_to_the_sgw_unchanged_and_its_tunnel_is_learned(string upper)
    {
        var frames = ScapyFrames.Build($"{Enb6ToSgw}/GTP_U_Header(teid=0x1001)/IPv6(src='2001:db8:1:2::a', dst='2001:db8:100::1')/{upper}");
        var batch = tof.Process((TofTestPlane.EnbPort, frames[0]));

        Assert.Equal(TofTestPlane.SgwPort, batch[0].EgressPort);
        Assert.Equal(Hex(frames[0]), Hex(batch[0].Data));
        Assert.Equal(1, tof.Tof.Tunnels6.Count);
        Assert.Equal(0, tof.Tof.Flows6.Count);
        Assert.Equal(0, tof.Pipeline.Counters.Counted(ForwardingEvent.TofOffloaded));
    }

    [Theory]
    [InlineData("IPv6(src='2001:db8:1:2::a', dst='2001:db8:100::1', plen=400)/UDP(sport=40000, dport=8080)/Raw(b'short')")] // payload length past the G-PDU
    [InlineData("Raw(bytes.fromhex('6000000000081140'))")] // 8 bytes of an IPv6 header
    [InlineData("Raw(bytes.fromhex('70') + bytes(47))")] // version 7
    public void A_malformed_inner_ipv6_packet_is_passed_to_the_sgw_unchanged_and_teaches_nothing(string inner)
    {
        var frames = ScapyFrames.Build($"{Enb6ToSgw}/GTP_U_Header(teid=0x1001)/{inner}");
        var batch = tof.Process((TofTestPlane.EnbPort, frames[0]));

        Assert.Equal(TofTestPlane.SgwPort, batch[0].EgressPort);
        Assert.Equal(Hex(frames[0]), Hex(batch[0].Data));
        Assert.Empty(tof.Tof.ListTunnels());
    }

    [Fact]
    public void A_full_ipv6_tunnel_table_refuses_the_next_64_and_passes_its_packets_on_while_ipv4_ues_still_learn()
    {
        using var small = new TofTestPlane(""", "tunnelCapacity": 16""", ipv6: true);
        var expressions = Enumerable.Range(0, 17)
            .Select(i => $"{Enb6ToSgw}/GTP_U_Header(teid=0x1001)/IPv6(src='2001:db8:1:{i:x}::a', dst='2001:db8:100::1')/UDP(sport=40000, dport=8080)")
            .Append($"{Enb4ToSgw}/GTP_U_Header(teid=0x1001)/IP(src='10.45.0.2', dst='192.0.2.200')/UDP(sport=40000, dport=39999)")
            .ToArray();
        var frames = ScapyFrames.Build(expressions);
        var batch = small.Process(frames.Select(f => (TofTestPlane.EnbPort, f)).ToArray());

        Assert.Equal(16, small.Tof.Tunnels6.Count);
        Assert.Equal(1, small.Pipeline.Counters.Counted(ForwardingEvent.TofTunnelTableFull));
        Assert.Equal(TofTestPlane.SgwPort, batch[16].EgressPort); // refused: the TOF is transparent to it
        Assert.Equal(Hex(frames[16]), Hex(batch[16].Data));
        Assert.Equal(16, small.Pipeline.Counters.Counted(ForwardingEvent.TofOffloaded));
        Assert.Equal(1, small.Tof.Tunnels.Count);
    }

    [Fact]
    public void An_end_marker_and_an_error_indication_over_ipv6_close_and_remove_the_ipv6_tunnel()
    {
        var frames = ScapyFrames.Build(
            $"{Enb6ToSgw}/GTP_U_Header(teid=0x1001)/{ToService6}",
            $"{Sgw6ToEnb}/GTP_U_Header(teid=0xE001)/{FromInternet6}",
            $"{Sgw6ToEnb}/GTP_U_Header(gtp_type=254, teid=0xE001)",
            $"{Sgw6ToEnb}/GTP_U_Header(teid=0xE002)/{FromInternet6}",
            $"{Enb6ToSgw}/GTP_U_Header(gtp_type=26, S=1, teid=0)/GTPErrorIndication(IE_list=[IE_TEIDI(TEIDI=0xE002), IE_GSNAddress(length=16, ipv6_address='2001:db8:e::10')])");
        tof.Process((TofTestPlane.EnbPort, frames[0]), (TofTestPlane.SgwPort, frames[1]));
        Assert.True(tof.Tof.TryGetTunnel(Ipv6Address.Parse("2001:db8:1:2::a"), out var tunnel));

        var ended = tof.Process((TofTestPlane.SgwPort, frames[2]));
        Assert.Null(tunnel.Downlink);
        Assert.Equal(Hex(frames[2]), Hex(ended[0].Data));
        Assert.Equal(1, tof.Pipeline.Counters.Counted(ForwardingEvent.TofDownlinkEnded));

        tof.Process((TofTestPlane.SgwPort, frames[3]));
        Assert.Equal(0xE002u, tunnel.Downlink!.Teid);
        var removed = tof.Process((TofTestPlane.EnbPort, frames[4]));
        Assert.Equal(TofTestPlane.SgwPort, removed[0].EgressPort);
        Assert.False(tof.Tof.TryGetTunnel(Ipv6Address.Parse("2001:db8:1:2::a"), out _));
        Assert.Equal(1, tof.Pipeline.Counters.Counted(ForwardingEvent.TofTunnelRemoved));
    }

    [Fact]
    public void A_reply_before_the_ipv6_downlink_is_known_is_dropped_and_flags_the_ue_for_the_pinger()
    {
        var frames = ScapyFrames.Build($"{Enb6ToSgw}/GTP_U_Header(teid=0x1001)/{ToService6}", AppReply6);
        var batch = tof.Process((TofTestPlane.EnbPort, frames[0]), (TofTestPlane.AppsPort, frames[1]));

        Assert.Equal(DropReason.TofNoDownlinkTunnel, (DropReason)batch[1].DropReason);
        Assert.Equal(UePrefix, Assert.Single(tof.Tof.TunnelsWantingDownlink()).UeAddress);
    }

    [Fact]
    public void Ipv6_tunnels_and_flows_are_purged_after_the_idle_timeout()
    {
        var frames = ScapyFrames.Build($"{Enb6ToSgw}/GTP_U_Header(teid=0x1001)/{ToService6}");
        tof.Process((TofTestPlane.EnbPort, frames[0]));
        tof.Clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal((0, 0), tof.Tof.PurgeIdle());
        tof.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal((1, 1), tof.Tof.PurgeIdle());
        Assert.Equal((0, 0), (tof.Tof.Tunnels6.Count, tof.Tof.Flows6.Count));
    }

    [Fact]
    public void An_app_reply_of_no_recorded_ipv6_flow_is_left_to_routing()
    {
        var frames = ScapyFrames.Build(
            "Ether(src='02:00:00:00:a0:01', dst='02:00:00:00:e0:04')/IPv6(src='2001:db8:a::10', dst='2001:db8:e::10', hlim=9)/UDP(sport=8080, dport=40000)");
        var batch = tof.Process((TofTestPlane.AppsPort, frames[0]));

        Assert.Equal(TofTestPlane.EnbPort, batch[0].EgressPort);
        Assert.Equal(8, batch[0].Data[14 + 7]); // routed: hop limit 9 - 1
    }

    [Fact]
    public void Ipv6_offload_reply_and_bridging_allocate_nothing_in_the_steady_state()
    {
        var frames = ScapyFrames.Build(
            $"{Enb6ToSgw}/GTP_U_Header(teid=0x1001, E=1, next_ex=0x85)/GTPPDUSessionContainer(type=1, QFI=6)/{ToService6}",
            $"{Sgw6ToEnb}/GTP_U_Header(teid=0xE001)/{FromInternet6}",
            AppReply6,
            $"{Enb4ToSgw}/GTP_U_Header(teid=0x1002)/IPv6(src='2001:db8:1:3::a', dst='2001:db8:100::1')/ICMPv6EchoRequest(id=3)",
            $"{Sgw6ToEnb}/GTP_U_Header(gtp_type=254, teid=0xE999)",
            $"{Enb6ToSgw}/GTP_U_Header(teid=0x1003)/IP(src='10.45.0.9', dst='10.200.0.1')/UDP(sport=1, dport=2)");
        var input = frames.Select((f, i) => (i is 1 or 4 ? TofTestPlane.SgwPort : i == 2 ? TofTestPlane.AppsPort : TofTestPlane.EnbPort, f)).ToArray();
        Assert.Equal(0, tof.SteadyStateAllocatedBytes(input));
        Assert.True(tof.Plane.Counters().IsConserved);
        Assert.True(tof.Pipeline.Counters.Counted(ForwardingEvent.TofReturned) >= 500);
        Assert.True(tof.Pipeline.Counters.Counted(ForwardingEvent.TofOffloaded) >= 1500);
    }

    public void Dispose() => tof.Dispose();
}
