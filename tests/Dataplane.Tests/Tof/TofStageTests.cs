using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Stages;
using Dataplane.Forwarding.Tof;
using Dataplane.Tests.GtpU;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Tof;

public sealed class TofStageTests : IDisposable
{
    private const string Enb1ToSgw = "Ether(src='02:00:00:00:0e:01', dst='02:00:00:00:05:01')/IP(src='192.0.2.10', dst='198.51.100.20', id=1)/UDP(sport=2152, dport=2152)";
    private const string Enb2ToSgw = "Ether(src='02:00:00:00:0e:02', dst='02:00:00:00:05:01')/IP(src='192.0.2.11', dst='198.51.100.20', id=1)/UDP(sport=2152, dport=2152)";
    private const string SgwToEnb1 = "Ether(src='02:00:00:00:05:01', dst='02:00:00:00:0e:01')/IP(src='198.51.100.20', dst='192.0.2.10', id=2)/UDP(sport=2152, dport=2152)";
    private const string SgwToEnb2 = "Ether(src='02:00:00:00:05:01', dst='02:00:00:00:0e:02')/IP(src='198.51.100.20', dst='192.0.2.11', id=2)/UDP(sport=2152, dport=2152)";
    private const string ToService = "IP(src='10.45.0.2', dst='10.200.0.1', id=5)/UDP(sport=40000, dport=8080)/Raw(b'request')";
    private const string ToInternet = "IP(src='10.45.0.2', dst='192.0.2.200', id=5)/UDP(sport=40000, dport=39999)/Raw(b'elsewhere')";
    private const string FromInternet = "IP(src='192.0.2.200', dst='10.45.0.2', id=6)/UDP(sport=39999, dport=40000)/Raw(b'downlink')";
    private const string AppReply = "Ether(src='02:00:00:00:a0:01', dst='02:00:00:00:e0:04')/IP(src='203.0.113.10', dst='10.45.0.2', ttl=60, id=7)/UDP(sport=8080, dport=40000)/Raw(b'reply')";

    private static readonly Ipv4Address Ue = Ipv4Address.Parse("10.45.0.2");

    private readonly TofTestPlane tof = new();

    [Fact]
    public void Uplink_and_downlink_g_pdus_teach_the_ues_tunnel_and_pass_through_unchanged()
    {
        var frames = ScapyFrames.Build(
            $"{Enb1ToSgw}/GTP_U_Header(teid=0x1001, E=1, next_ex=0x85)/GTPPDUSessionContainer(type=1, QFI=6)/{ToInternet}",
            $"{SgwToEnb1}/GTP_U_Header(teid=0xE001)/{FromInternet}");
        var batch = tof.Process((TofTestPlane.EnbPort, frames[0]), (TofTestPlane.SgwPort, frames[1]));

        Assert.Equal(TofTestPlane.SgwPort, batch[0].EgressPort);
        Assert.Equal(TofTestPlane.EnbPort, batch[1].EgressPort);
        Assert.Equal(Convert.ToHexString(frames[0]), Convert.ToHexString(batch[0].Data));
        Assert.Equal(Convert.ToHexString(frames[1]), Convert.ToHexString(batch[1].Data));
        var tunnel = Assert.Single(tof.Tof.ListTunnels());
        Assert.Equal(Ue, tunnel.UeAddress);
        Assert.Equal(new TofTunnelEndpoint(Ipv4Address.Parse("192.0.2.10"), Ipv4Address.Parse("198.51.100.20"), 0x1001), tunnel.Uplink);
        Assert.Equal(new TofTunnelEndpoint(Ipv4Address.Parse("198.51.100.20"), Ipv4Address.Parse("192.0.2.10"), 0xE001), tunnel.Downlink);
        Assert.Equal((byte)6, tunnel.Qfi);
        Assert.Equal(1, tunnel.UplinkPackets);
        Assert.Equal(1, tunnel.DownlinkPackets);
        Assert.Equal(2, tof.Pipeline.Counters.Counted(ForwardingEvent.TofTunnelLearned));
    }

    [Fact]
    public void A_handover_to_another_enb_updates_both_directions()
    {
        var frames = ScapyFrames.Build(
            $"{Enb1ToSgw}/GTP_U_Header(teid=0x1001)/{ToInternet}",
            $"{SgwToEnb1}/GTP_U_Header(teid=0xE001)/{FromInternet}",
            $"{Enb2ToSgw}/GTP_U_Header(teid=0x1001)/{ToInternet}",
            $"{SgwToEnb2}/GTP_U_Header(teid=0xE002)/{FromInternet}");
        tof.Process((TofTestPlane.EnbPort, frames[0]), (TofTestPlane.SgwPort, frames[1]));
        tof.Process((TofTestPlane.EnbPort, frames[2]), (TofTestPlane.SgwPort, frames[3]));

        Assert.True(tof.Tof.TryGetTunnel(Ue, out var tunnel));
        Assert.Equal(Ipv4Address.Parse("192.0.2.11"), tunnel.Uplink!.Source);
        Assert.Equal(new TofTunnelEndpoint(Ipv4Address.Parse("198.51.100.20"), Ipv4Address.Parse("192.0.2.11"), 0xE002), tunnel.Downlink);
        Assert.Equal(2, tof.Pipeline.Counters.Counted(ForwardingEvent.TofTunnelUpdated));
        Assert.Equal(1, tof.Tof.Tunnels.Count);
    }

    [Fact]
    public void An_end_marker_on_the_current_downlink_closes_it_and_passes_through()
    {
        var frames = ScapyFrames.Build(
            $"{SgwToEnb1}/GTP_U_Header(teid=0xE001)/{FromInternet}",
            $"{SgwToEnb1}/GTP_U_Header(gtp_type=254, teid=0xE999)",
            $"{SgwToEnb1}/GTP_U_Header(gtp_type=254, teid=0xE001)");
        tof.Process((TofTestPlane.SgwPort, frames[0]), (TofTestPlane.SgwPort, frames[1]));
        Assert.True(tof.Tof.TryGetTunnel(Ue, out var tunnel));
        Assert.NotNull(tunnel.Downlink); // an End Marker for another TEID changes nothing

        var batch = tof.Process((TofTestPlane.SgwPort, frames[2]));
        Assert.Null(tunnel.Downlink);
        Assert.Equal(TofTestPlane.EnbPort, batch[0].EgressPort);
        Assert.Equal(Convert.ToHexString(frames[2]), Convert.ToHexString(batch[0].Data));
        Assert.Equal(1, tof.Pipeline.Counters.Counted(ForwardingEvent.TofDownlinkEnded));
    }

    [Fact]
    public void An_error_indication_naming_a_learned_tunnel_removes_it()
    {
        var frames = ScapyFrames.Build(
            $"{Enb1ToSgw}/GTP_U_Header(teid=0x1001)/{ToInternet}",
            $"{SgwToEnb1}/GTP_U_Header(teid=0xE001)/{FromInternet}",
            "Ether(src='02:00:00:00:0e:01', dst='02:00:00:00:05:01')/IP(src='192.0.2.10', dst='198.51.100.20')/UDP(sport=2152, dport=2152)"
            + "/GTP_U_Header(gtp_type=26, S=1, teid=0)/GTPErrorIndication(IE_list=[IE_TEIDI(TEIDI=0xE002), IE_GSNAddress(ipv4_address='192.0.2.10')])",
            "Ether(src='02:00:00:00:0e:01', dst='02:00:00:00:05:01')/IP(src='192.0.2.10', dst='198.51.100.20')/UDP(sport=2152, dport=2152)"
            + "/GTP_U_Header(gtp_type=26, S=1, teid=0)/GTPErrorIndication(IE_list=[IE_TEIDI(TEIDI=0xE001), IE_GSNAddress(ipv4_address='192.0.2.10')])");
        tof.Process((TofTestPlane.EnbPort, frames[0]), (TofTestPlane.SgwPort, frames[1]), (TofTestPlane.EnbPort, frames[2]));
        Assert.True(tof.Tof.TryGetTunnel(Ue, out _)); // another TEID: kept

        var batch = tof.Process((TofTestPlane.EnbPort, frames[3]));
        Assert.False(tof.Tof.TryGetTunnel(Ue, out _));
        Assert.Equal(TofTestPlane.SgwPort, batch[0].EgressPort);
        Assert.Equal(Convert.ToHexString(frames[3]), Convert.ToHexString(batch[0].Data));
        Assert.Equal(1, tof.Pipeline.Counters.Counted(ForwardingEvent.TofTunnelRemoved));
    }

    [Fact]
    public void Idle_tunnels_and_flows_are_purged_after_the_timeout_and_not_before()
    {
        var frames = ScapyFrames.Build($"{Enb1ToSgw}/GTP_U_Header(teid=0x1001)/{ToService}");
        tof.Process((TofTestPlane.EnbPort, frames[0]));
        Assert.Equal(1, tof.Tof.Flows.Count);

        tof.Clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal((0, 0), tof.Tof.PurgeIdle());
        tof.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal((1, 1), tof.Tof.PurgeIdle());
        Assert.Empty(tof.Tof.ListTunnels());
        Assert.Equal(0, tof.Tof.Flows.Count);
    }

    [Fact]
    public void A_ue_a_second_worker_keeps_busy_is_not_purged_though_the_first_last_saw_it_past_the_timeout()
    {
        var frames = ScapyFrames.Build($"{Enb1ToSgw}/GTP_U_Header(teid=0x1001)/{ToService}");
        tof.Process((TofTestPlane.EnbPort, frames[0])); // worker 0 learns the UE and the flow at t = 0

        // A worker made after the tunnel was learned: it stamps and counts on the tunnel's shared overflow line.
        var second = tof.Plane.CreateWorker();
        tof.Clock.Advance(TimeSpan.FromSeconds(50));
        var batch = new PacketBatch();
        var packet = default(PacketDescriptor);
        Assert.True(tof.Pool.TryAllocate(ref packet));
        frames[0].CopyTo(packet.BufferSpan[packet.DataOffset..]);
        Assert.True(packet.TrySetLength(frames[0].Length));
        packet.IngressPort = TofTestPlane.EnbPort;
        Assert.True(batch.TryAdd(packet));
        second.Process(batch);
        Assert.Equal(PacketDisposition.Transmit, batch[0].Disposition);
        tof.Pool.Free(ref batch[0]);

        // 70 s after worker 0's last sight, 20 s after worker 1's: the timeout is 60 s.
        tof.Clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal((0, 0), tof.Tof.PurgeIdle());
        var listed = Assert.Single(tof.Tof.ListTunnels());
        Assert.Equal(20.0, listed.IdleSeconds, precision: 3);
        Assert.Equal(2, listed.UplinkPackets);

        tof.Clock.Advance(TimeSpan.FromSeconds(41));
        Assert.Equal((1, 1), tof.Tof.PurgeIdle());
    }

    [Fact]
    public void An_offloaded_flows_reply_goes_back_into_the_learned_downlink_with_the_qfi()
    {
        var frames = ScapyFrames.Build(
            $"{Enb1ToSgw}/GTP_U_Header(teid=0x1001, E=1, next_ex=0x85)/GTPPDUSessionContainer(type=1, QFI=6)/{ToService}",
            $"{SgwToEnb1}/GTP_U_Header(teid=0xE001)/{FromInternet}",
            AppReply,
            // What must come out: the request NATed toward the application, the reply NATed back inside the tunnel.
            "Ether(src='02:00:00:00:e0:04', dst='02:00:00:00:a0:01')/IP(src='10.45.0.2', dst='203.0.113.10', id=5)/UDP(sport=40000, dport=8080)/Raw(b'request')",
            "Ether(src='02:00:00:00:e0:01', dst='02:00:00:00:0e:01')/IP(src='198.51.100.20', dst='192.0.2.10', ttl=64, id=0, flags=0)/UDP(sport=2152, dport=2152, chksum=0)"
            + "/GTP_U_Header(teid=0xE001, E=1, next_ex=0x85)/GTPPDUSessionContainer(type=0, QFI=6, NextExtHdr=0)"
            + "/IP(src='10.200.0.1', dst='10.45.0.2', ttl=60, id=7)/UDP(sport=8080, dport=40000)/Raw(b'reply')");
        var batch = tof.Process((TofTestPlane.EnbPort, frames[0]), (TofTestPlane.SgwPort, frames[1]), (TofTestPlane.AppsPort, frames[2]));

        Assert.Equal(TofTestPlane.AppsPort, batch[0].EgressPort);
        Assert.Equal(Convert.ToHexString(frames[3]), Convert.ToHexString(batch[0].Data));
        Assert.Equal(TofTestPlane.EnbPort, batch[2].EgressPort);
        Assert.Equal(Convert.ToHexString(frames[4]), Convert.ToHexString(batch[2].Data));
        var counters = tof.Tof.Counters("video");
        Assert.Equal(1, counters.UplinkPackets);
        Assert.Equal(1, counters.DownlinkPackets);
        Assert.Equal(frames[3].Length - 14, counters.UplinkBytes);

        // The same counters on /metrics, per service and direction.
        var metrics = new Dataplane.Control.Metrics.ControlPlaneMetrics();
        new Dataplane.Control.Tof.TofMetrics(tof.Tof, metrics).OnTick(0);
        Assert.Equal(1, metrics.Counter("dataplane_tof_service_packets_total", "", "service", "direction").Value("video", "uplink"));
        Assert.Equal(1, metrics.Counter("dataplane_tof_service_packets_total", "", "service", "direction").Value("video", "downlink"));
        Assert.Equal(frames[3].Length - 14, metrics.Counter("dataplane_tof_service_bytes_total", "", "service", "direction").Value("video", "uplink"));
        Assert.Equal(1, metrics.Gauge("dataplane_tof_tunnels", "").Value());
    }

    [Fact]
    public void A_reply_before_the_downlink_teid_is_known_is_dropped_and_the_ue_is_flagged_for_the_pinger()
    {
        var frames = ScapyFrames.Build($"{Enb1ToSgw}/GTP_U_Header(teid=0x1001)/{ToService}", AppReply);
        var batch = tof.Process((TofTestPlane.EnbPort, frames[0]), (TofTestPlane.AppsPort, frames[1]));

        Assert.Equal(DropReason.TofNoDownlinkTunnel, (DropReason)batch[1].DropReason);
        var wanted = Assert.Single(tof.Tof.TunnelsWantingDownlink());
        Assert.Equal(Ue, wanted.UeAddress);

        var downlink = ScapyFrames.Build($"{SgwToEnb1}/GTP_U_Header(teid=0xE001)/{FromInternet}");
        tof.Process((TofTestPlane.SgwPort, downlink[0]));
        Assert.Empty(tof.Tof.TunnelsWantingDownlink());
    }

    [Fact]
    public void Services_registered_or_removed_at_run_time_take_effect_from_the_next_batch()
    {
        var frames = ScapyFrames.Build($"{Enb1ToSgw}/GTP_U_Header(teid=0x1001)/" + ToService.Replace("10.200.0.1", "10.200.0.9", StringComparison.Ordinal));
        Assert.Equal(TofTestPlane.SgwPort, tof.Process((TofTestPlane.EnbPort, frames[0]))[0].EgressPort);

        // An application belongs to one service (replies find their service by it): "video" gives it up first.
        Assert.True(tof.Tof.Services.TryRemove("video", out _));
        Assert.True(tof.Tof.Services.TryAdd(new TofService("new", Ipv4Address.Parse("10.200.0.9"), Ipv4Address.Parse("203.0.113.10")), out _));
        Assert.Equal(TofTestPlane.AppsPort, tof.Process((TofTestPlane.EnbPort, frames[0]))[0].EgressPort);

        Assert.True(tof.Tof.Services.TryRemove("new", out _));
        Assert.Equal(TofTestPlane.SgwPort, tof.Process((TofTestPlane.EnbPort, frames[0]))[0].EgressPort);
    }

    [Fact]
    public void Non_gtp_traffic_is_bridged_both_ways_and_apps_port_traffic_that_is_no_reply_is_routed()
    {
        var frames = ScapyFrames.Build(
            "Ether(src='02:00:00:00:0e:01', dst='02:00:00:00:05:01')/IP(src='192.0.2.10', dst='198.51.100.20')/ICMP()",
            "Ether(src='02:00:00:00:05:01', dst='02:00:00:00:0e:01')/IP(src='198.51.100.20', dst='192.0.2.10')/UDP(sport=2123, dport=2123)/Raw(b'gtp-c')",
            "Ether(src='02:00:00:00:a0:01', dst='02:00:00:00:e0:04')/IP(src='203.0.113.10', dst='192.0.2.10', ttl=9)/ICMP()");
        var batch = tof.Process((TofTestPlane.EnbPort, frames[0]), (TofTestPlane.SgwPort, frames[1]), (TofTestPlane.AppsPort, frames[2]));

        Assert.Equal(TofTestPlane.SgwPort, batch[0].EgressPort);
        Assert.Equal(TofTestPlane.EnbPort, batch[1].EgressPort);
        Assert.Equal(Convert.ToHexString(frames[1]), Convert.ToHexString(batch[1].Data));
        Assert.Equal(TofTestPlane.EnbPort, batch[2].EgressPort);
        Assert.Equal(8, batch[2].Data[14 + 8]); // routed: TTL 9 - 1
    }

    [Fact]
    public void Offload_reply_and_bridging_allocate_nothing_in_the_steady_state()
    {
        var frames = ScapyFrames.Build(
            $"{Enb1ToSgw}/GTP_U_Header(teid=0x1001, E=1, next_ex=0x85)/GTPPDUSessionContainer(type=1, QFI=6)/{ToService}",
            $"{SgwToEnb1}/GTP_U_Header(teid=0xE001)/{FromInternet}",
            AppReply,
            $"{Enb1ToSgw}/GTP_U_Header(teid=0x1001)/{ToInternet}",
            $"{SgwToEnb1}/GTP_U_Header(gtp_type=254, teid=0xE999)");
        var input = new (ushort, byte[])[]
        {
            (TofTestPlane.EnbPort, frames[0]), (TofTestPlane.SgwPort, frames[1]), (TofTestPlane.AppsPort, frames[2]),
            (TofTestPlane.EnbPort, frames[3]), (TofTestPlane.SgwPort, frames[4]),
        };
        Assert.Equal(0, tof.SteadyStateAllocatedBytes(input));
        Assert.True(tof.Plane.Counters().IsConserved);
        Assert.True(tof.Pipeline.Counters.Counted(ForwardingEvent.TofReturned) >= 500);
    }

    public void Dispose() => tof.Dispose();
}
