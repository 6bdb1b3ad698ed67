using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Tof;
using Dataplane.Forwarding.Tof.Clusters;
using Dataplane.Tests.GtpU;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Tof.Clusters;

/// <summary>
/// A service whose application is a cluster, through the TOF stage: new flows spread over the instances by weight,
/// each flow stays on its instance (across workers, updates and the instance's removal from the set), replies from
/// each instance go back into the right UE's tunnel with the service address as source (frames built by Scapy),
/// and a drain moves the flows of an instance. Service "video" 10.200.0.1 is given the instances 203.0.113.10..17.
/// </summary>
public sealed class TofClusterStageTests : IDisposable
{
    private const string Enb1ToSgw = "Ether(src='02:00:00:00:0e:01', dst='02:00:00:00:05:01')/IP(src='192.0.2.10', dst='198.51.100.20', id=1)/UDP(sport=2152, dport=2152)";
    private const string Enb2ToSgw = "Ether(src='02:00:00:00:0e:02', dst='02:00:00:00:05:01')/IP(src='192.0.2.11', dst='198.51.100.20', id=1)/UDP(sport=2152, dport=2152)";
    private const string SgwToEnb1 = "Ether(src='02:00:00:00:05:01', dst='02:00:00:00:0e:01')/IP(src='198.51.100.20', dst='192.0.2.10', id=2)/UDP(sport=2152, dport=2152)";
    private const string SgwToEnb2 = "Ether(src='02:00:00:00:05:01', dst='02:00:00:00:0e:02')/IP(src='198.51.100.20', dst='192.0.2.11', id=2)/UDP(sport=2152, dport=2152)";

    private static readonly Ipv4Address ServiceIp = Ipv4Address.Parse("10.200.0.1");

    private readonly TofTestPlane tof = new(neighboursExtra: Neighbours());

    public void Dispose() => tof.Dispose();

    /// <summary>203.0.113.11..17 with MACs 02:00:00:00:a0:02..08 (203.0.113.10 is the plane's own, a0:01).</summary>
    private static string Neighbours() => string.Concat(Enumerable.Range(1, 7).Select(i =>
        $$"""{ "address": "203.0.113.{{10 + i}}", "mac": "02:00:00:00:a0:{{i + 1:x2}}", "port": "apps" },"""));

    private static TofApplication Instance(int last, int weight = 1, bool drain = false) => new(Ipv4Address.Parse($"203.0.113.{last}"), weight, drain);

    private void Cluster(params TofApplication[] applications) =>
        Assert.True(tof.Tof.Services.TryReplace("video", new TofService("video", ServiceIp, applications), out _, out string conflict), conflict);

    /// <summary>One uplink G-PDU per UE port, from UE 10.45.0.2 behind eNB 1 (or 10.45.0.3 behind eNB 2), UDP to the service's port 8080.</summary>
    /// <remarks>Scapy builds them 256 to a run (a longer command line is refused by the kernel).</remarks>
    private static byte[][] Uplinks(IEnumerable<int> ports, int ue = 2) => [.. ports.Chunk(256).SelectMany(chunk => ScapyFrames.Build(chunk.Select(port =>
        $"{(ue == 2 ? Enb1ToSgw : Enb2ToSgw)}/GTP_U_Header(teid=0x100{ue - 1})/IP(src='10.45.0.{ue}', dst='10.200.0.1', id=5)/UDP(sport={port}, dport=8080)/Raw(b'request')").ToArray()))];

    /// <summary>Runs the frames in batches of 32 and gives, per frame, the application instance it was sent to (its IPv4 destination), or null when it did not leave the Apps port.</summary>
    private List<Ipv4Address?> Offload(byte[][] frames)
    {
        var sentTo = new List<Ipv4Address?>();
        foreach (var chunk in frames.Chunk(32))
        {
            var batch = tof.Process(chunk.Select(frame => (TofTestPlane.EnbPort, frame)).ToArray());
            for (int i = 0; i < chunk.Length; i++)
            {
                sentTo.Add(batch[i].Disposition == PacketDisposition.Transmit && batch[i].EgressPort == TofTestPlane.AppsPort
                    ? Ipv4Address.Read(batch[i].Data[(14 + 16)..])
                    : null);
            }
        }

        return sentTo;
    }

    [Fact]
    public void New_flows_spread_over_the_instances_by_weight()
    {
        int[] weights = [4, 2, 1, 1];
        Cluster(Instance(10, 4), Instance(11, 2), Instance(12), Instance(13));
        var sentTo = Offload(Uplinks(Enumerable.Range(20000, 1600)));

        var counts = Enumerable.Range(10, 4).Select(last => sentTo.Count(a => a == Ipv4Address.Parse($"203.0.113.{last}"))).ToArray();
        Assert.Equal(1600, counts.Sum());
        double chiSquare = 0;
        for (int i = 0; i < counts.Length; i++)
        {
            double expected = 1600.0 * weights[i] / weights.Sum();
            chiSquare += (counts[i] - expected) * (counts[i] - expected) / expected;
        }

        // 3 degrees of freedom: 16.27 is the 0.999 quantile. The flows are fixed, so the test is deterministic.
        Assert.True(chiSquare < 16.27, $"chi-square {chiSquare:F2} of {string.Join(",", counts)} against weights 4:2:1:1");
        Assert.Equal(1600, tof.Tof.Flows.Count);
        Assert.Equal(1600, tof.Tof.Counters("video").UplinkPackets);
    }

    [Fact]
    public void Replies_from_each_instance_go_back_into_the_right_ues_tunnel_from_the_service_address()
    {
        Cluster(Instance(10), Instance(11), Instance(12), Instance(13));
        var downlinks = ScapyFrames.Build(
            $"{SgwToEnb1}/GTP_U_Header(teid=0xE001)/IP(src='192.0.2.200', dst='10.45.0.2')/UDP(sport=39999, dport=40000)",
            $"{SgwToEnb2}/GTP_U_Header(teid=0xE002)/IP(src='192.0.2.200', dst='10.45.0.3')/UDP(sport=39999, dport=40000)");
        tof.Process((TofTestPlane.SgwPort, downlinks[0]), (TofTestPlane.SgwPort, downlinks[1]));
        var ports = Enumerable.Range(40000, 64).ToArray();
        var byUe = new Dictionary<int, List<Ipv4Address?>> { [2] = Offload(Uplinks(ports, ue: 2)), [3] = Offload(Uplinks(ports, ue: 3)) };

        // For each UE and each instance, one flow it carries: the instance answers it.
        var replies = new List<string>();
        var expected = new List<string>();
        foreach (var (ue, sentTo) in byUe)
        {
            for (int last = 10; last <= 13; last++)
            {
                int index = sentTo.IndexOf(Ipv4Address.Parse($"203.0.113.{last}"));
                Assert.True(index >= 0, $"no flow of UE 10.45.0.{ue} went to 203.0.113.{last}");
                int port = ports[index];
                replies.Add($"Ether(src='02:00:00:00:a0:{last - 9:x2}', dst='02:00:00:00:e0:04')/IP(src='203.0.113.{last}', dst='10.45.0.{ue}', ttl=60, id=7)"
                    + $"/UDP(sport=8080, dport={port})/Raw(b'reply')");
                expected.Add($"Ether(src='02:00:00:00:e0:01', dst='02:00:00:00:0e:0{ue - 1}')/IP(src='198.51.100.20', dst='192.0.2.{8 + ue}', ttl=64, id=0, flags=0)"
                    + $"/UDP(sport=2152, dport=2152, chksum=0)/GTP_U_Header(teid=0xE00{ue - 1})"
                    + $"/IP(src='10.200.0.1', dst='10.45.0.{ue}', ttl=60, id=7)/UDP(sport=8080, dport={port})/Raw(b'reply')");
            }
        }

        var frames = ScapyFrames.Build([.. replies, .. expected]);
        var batch = tof.Process(frames[..8].Select(frame => (TofTestPlane.AppsPort, frame)).ToArray());
        for (int i = 0; i < 8; i++)
        {
            Assert.Equal(TofTestPlane.EnbPort, batch[i].EgressPort);
            Assert.Equal(Convert.ToHexString(frames[8 + i]), Convert.ToHexString(batch[i].Data));
        }

        Assert.Equal(8, tof.Pipeline.Counters.Counted(ForwardingEvent.TofReturned));
    }

    [Fact]
    public void A_reply_from_another_instance_than_the_flows_is_not_the_flows()
    {
        Cluster(Instance(10), Instance(11));
        var downlink = ScapyFrames.Build($"{SgwToEnb1}/GTP_U_Header(teid=0xE001)/IP(src='192.0.2.200', dst='10.45.0.2')/UDP(sport=39999, dport=40000)");
        tof.Process((TofTestPlane.SgwPort, downlink[0])); // the downlink is known: a reply taken as the flow's would go into it
        var sentTo = Offload(Uplinks([40000]));
        int other = sentTo[0] == Ipv4Address.Parse("203.0.113.10") ? 11 : 10;
        var reply = ScapyFrames.Build($"Ether(src='02:00:00:00:a0:0{other - 9}', dst='02:00:00:00:e0:04')/IP(src='203.0.113.{other}', dst='10.45.0.2')/UDP(sport=8080, dport=40000)");

        var batch = tof.Process((TofTestPlane.AppsPort, reply[0]));

        Assert.False(batch[0].Disposition == PacketDisposition.Transmit && batch[0].EgressPort == TofTestPlane.EnbPort, "the reply went into the UE's tunnel");
        Assert.Equal(0, tof.Pipeline.Counters.Counted(ForwardingEvent.TofReturned));
        Assert.Equal(0, tof.Tof.Counters("video").DownlinkPackets);
    }

    [Fact]
    public void Every_worker_and_every_daemon_gives_a_new_flow_the_same_instance()
    {
        var applications = Enumerable.Range(10, 8).Select(last => Instance(last, weight: last % 3 + 1)).ToArray();
        Cluster(applications);
        var frames = Uplinks(Enumerable.Range(30000, 256));
        var first = Offload(frames);

        // A second plane (another daemon, or this one after a restart: no flow state), the instances listed in
        // another order, its flows learned by a second worker.
        using var other = new TofTestPlane(neighboursExtra: Neighbours());
        Assert.True(other.Tof.Services.TryReplace("video", new TofService("video", ServiceIp, Enumerable.Reverse(applications).ToArray()), out _, out _));
        var secondWorker = other.Plane.CreateWorker();
        var second = new List<Ipv4Address?>();
        foreach (var frame in frames)
        {
            var batch = new PacketBatch();
            var packet = default(PacketDescriptor);
            Assert.True(other.Pool.TryAllocate(ref packet));
            frame.CopyTo(packet.BufferSpan[packet.DataOffset..]);
            Assert.True(packet.TrySetLength(frame.Length));
            packet.IngressPort = TofTestPlane.EnbPort;
            Assert.True(batch.TryAdd(packet));
            secondWorker.Process(batch);
            second.Add(Ipv4Address.Read(batch[0].Data[(14 + 16)..]));
            other.Pool.Free(ref batch[0]);
        }

        Assert.Equal(first, second);
        Assert.Equal(8, first.Distinct().Count());
    }

    [Fact]
    public void Flows_stay_on_their_instance_across_an_update_and_an_instance_left_out_still_answers_them()
    {
        Cluster(Instance(10), Instance(11), Instance(12), Instance(13));
        var ports = Enumerable.Range(40000, 64).ToArray();
        var frames = Uplinks(ports);
        var before = Offload(frames);
        var downlink = ScapyFrames.Build($"{SgwToEnb1}/GTP_U_Header(teid=0xE001)/IP(src='192.0.2.200', dst='10.45.0.2')/UDP(sport=39999, dport=40000)");
        tof.Process((TofTestPlane.SgwPort, downlink[0]));

        // 203.0.113.12 and .13 leave the set, .14 joins with most of the weight.
        Cluster(Instance(10), Instance(11), Instance(14, weight: 5));
        Assert.Equal(before, Offload(frames));
        var fresh = Offload(Uplinks(Enumerable.Range(41000, 64)));
        Assert.DoesNotContain(Ipv4Address.Parse("203.0.113.12"), fresh);
        Assert.DoesNotContain(Ipv4Address.Parse("203.0.113.13"), fresh);
        Assert.Contains(Ipv4Address.Parse("203.0.113.14"), fresh);
        Assert.Equal([Ipv4Address.Parse("203.0.113.12"), Ipv4Address.Parse("203.0.113.13")], tof.Tof.Services.Retired("video"));

        // The instance left out answers a flow it carries: back into the tunnel, from the service address.
        int port = ports[before.IndexOf(Ipv4Address.Parse("203.0.113.12"))];
        var reply = ScapyFrames.Build(
            $"Ether(src='02:00:00:00:a0:03', dst='02:00:00:00:e0:04')/IP(src='203.0.113.12', dst='10.45.0.2', ttl=60, id=7)/UDP(sport=8080, dport={port})/Raw(b'reply')",
            "Ether(src='02:00:00:00:e0:01', dst='02:00:00:00:0e:01')/IP(src='198.51.100.20', dst='192.0.2.10', ttl=64, id=0, flags=0)/UDP(sport=2152, dport=2152, chksum=0)"
            + $"/GTP_U_Header(teid=0xE001)/IP(src='10.200.0.1', dst='10.45.0.2', ttl=60, id=7)/UDP(sport=8080, dport={port})/Raw(b'reply')");
        var batch = tof.Process((TofTestPlane.AppsPort, reply[0]));
        Assert.Equal(TofTestPlane.EnbPort, batch[0].EgressPort);
        Assert.Equal(Convert.ToHexString(reply[1]), Convert.ToHexString(batch[0].Data));

        // Once its flows have idled out, the address no longer leads to the service.
        tof.Clock.Advance(TimeSpan.FromSeconds(61));
        tof.Tof.PurgeIdle();
        Assert.Empty(tof.Tof.Services.Retired("video"));
        Assert.False(tof.Tof.Services.ByApplicationIp.ContainsKey(Ipv4Address.Parse("203.0.113.12")));
    }

    [Fact]
    public void A_drain_moves_the_flows_of_one_instance_and_leaves_the_others_where_they_are()
    {
        Cluster(Instance(10), Instance(11), Instance(12), Instance(13));
        var frames = Uplinks(Enumerable.Range(40000, 128));
        var before = Offload(frames);
        var drained = Ipv4Address.Parse("203.0.113.11");
        int onDrained = before.Count(a => a == drained);
        Assert.True(onDrained > 0);

        Assert.True(tof.Tof.Services.TryDrain("video", drained, out var service, out int moved, out string problem), problem);
        Assert.Equal(onDrained, moved);
        Assert.True(service.Applications[1].Drain);
        Assert.Equal(128 - onDrained, tof.Tof.Flows.Count);

        var after = Offload(frames);
        Assert.DoesNotContain(drained, after);
        for (int i = 0; i < before.Count; i++)
        {
            if (before[i] != drained)
            {
                Assert.Equal(before[i], after[i]);
            }
        }

        Assert.DoesNotContain(drained, Offload(Uplinks(Enumerable.Range(42000, 64))));
    }

    [Fact]
    public void An_update_with_drain_moves_the_flows_of_the_instances_it_leaves_out()
    {
        Cluster(Instance(10), Instance(11), Instance(12));
        var frames = Uplinks(Enumerable.Range(40000, 96));
        var before = Offload(frames);
        var leftOut = Ipv4Address.Parse("203.0.113.12");

        Assert.True(tof.Tof.Services.TryReplace("video", new TofService("video", ServiceIp, [Instance(10), Instance(11)]), moveFlows: true, out int moved, out _, out _));
        Assert.Equal(before.Count(a => a == leftOut), moved);
        Assert.Empty(tof.Tof.Services.Retired("video"));
        var after = Offload(frames);
        Assert.DoesNotContain(leftOut, after);
        Assert.All(Enumerable.Range(0, before.Count).Where(i => before[i] != leftOut), i => Assert.Equal(before[i], after[i]));
    }

    [Fact]
    public void A_new_flow_when_every_instance_drains_is_dropped_and_flows_in_progress_go_on()
    {
        Cluster(Instance(10), Instance(11));
        var existing = Uplinks([40000]);
        var sentTo = Offload(existing)[0];

        Cluster(Instance(10, drain: true), Instance(11, drain: true));
        var batch = tof.Process((TofTestPlane.EnbPort, Uplinks([40001])[0]));
        Assert.Equal(DropReason.TofNoActiveInstance, (DropReason)batch[0].DropReason);
        Assert.Equal(sentTo, Offload(existing)[0]);
    }

    [Fact]
    public void Offload_and_replies_of_a_cluster_allocate_nothing_in_the_steady_state()
    {
        Cluster(Enumerable.Range(10, 8).Select(last => Instance(last)).ToArray());
        var downlink = ScapyFrames.Build($"{SgwToEnb1}/GTP_U_Header(teid=0xE001)/IP(src='192.0.2.200', dst='10.45.0.2')/UDP(sport=39999, dport=40000)");
        tof.Process((TofTestPlane.SgwPort, downlink[0]));
        var ports = Enumerable.Range(40000, 64).ToArray();
        var uplinks = Uplinks(ports);
        var sentTo = Offload(uplinks);
        var replies = ScapyFrames.Build(ports.Select((port, i) =>
            $"Ether(src='02:00:00:00:a0:01', dst='02:00:00:00:e0:04')/IP(src='{sentTo[i]}', dst='10.45.0.2')/UDP(sport=8080, dport={port})/Raw(b'reply')").ToArray());
        var input = uplinks.Select(frame => (TofTestPlane.EnbPort, frame)).Concat(replies.Select(frame => (TofTestPlane.AppsPort, frame))).ToArray();
        Assert.Equal(0, tof.SteadyStateAllocatedBytes(input));
        Assert.True(tof.Plane.Counters().IsConserved);
        Assert.True(tof.Pipeline.Counters.Counted(ForwardingEvent.TofReturned) >= 500 * 64);
        Assert.Equal(8, sentTo.Distinct().Count());
    }
}
