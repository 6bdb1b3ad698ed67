using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Tof;
using Dataplane.Tests.GtpU;
using Dataplane.Tests.Tof;

namespace Dataplane.Tests.FlowExport;

/// <summary>
/// The per-flow counters the TOF's workers keep for flow export: only when flowExport is configured, equal to the
/// inner packets' lengths (Scapy's), and without an allocation per packet.
/// </summary>
public sealed class TofFlowTrafficTests : IDisposable
{
    private const string Enb1ToSgw = "Ether(src='02:00:00:00:0e:01', dst='02:00:00:00:05:01')/IP(src='192.0.2.10', dst='198.51.100.20', id=1)/UDP(sport=2152, dport=2152)";
    private const string SgwToEnb1 = "Ether(src='02:00:00:00:05:01', dst='02:00:00:00:0e:01')/IP(src='198.51.100.20', dst='192.0.2.10', id=2)/UDP(sport=2152, dport=2152)";
    private const string ToService = "IP(src='10.45.0.2', dst='10.200.0.1', id=5)/UDP(sport=40000, dport=8080)/Raw(b'request')";
    private const string FromInternet = "IP(src='192.0.2.200', dst='10.45.0.2', id=6)/UDP(sport=39999, dport=40000)/Raw(b'downlink')";
    private const string AppReply = "IP(src='203.0.113.10', dst='10.45.0.2', ttl=60, id=7)/UDP(sport=8080, dport=40000)/Raw(b'a longer reply')";
    private const string AppEthernet = "Ether(src='02:00:00:00:a0:01', dst='02:00:00:00:e0:04')/";

    private readonly List<TofTestPlane> planes = [];

    [Fact]
    public void Each_direction_counts_its_packets_and_the_inner_packets_bytes()
    {
        var tof = Plane(flowExport: true);
        var frames = ScapyFrames.Build($"{Enb1ToSgw}/GTP_U_Header(teid=0x1001)/{ToService}", $"{SgwToEnb1}/GTP_U_Header(teid=0xE001)/{FromInternet}",
            AppEthernet + AppReply, ToService, AppReply);
        int uplinkLength = frames[3].Length, replyLength = frames[4].Length; // the inner IP packets, as Scapy builds them
        var input = new (ushort, byte[])[] { (TofTestPlane.EnbPort, frames[0]), (TofTestPlane.SgwPort, frames[1]), (TofTestPlane.AppsPort, frames[2]) };
        for (int i = 0; i < 3; i++)
        {
            tof.Process(input);
        }

        var flow = Assert.Single(tof.Tof.Flows.Snapshot());
        Assert.NotNull(flow.Traffic);
        Assert.Equal((3L, 3L * uplinkLength, 3L, 3L * replyLength), flow.Traffic.Read());
        Assert.Equal(0, flow.Traffic.LearnedAt); // the manual clock's start: the flow's first packet
    }

    [Fact]
    public void Without_flow_export_a_flow_has_no_counters_of_its_own()
    {
        var tof = Plane(flowExport: false);
        var frames = ScapyFrames.Build($"{Enb1ToSgw}/GTP_U_Header(teid=0x1001)/{ToService}");
        tof.Process((TofTestPlane.EnbPort, frames[0]));
        Assert.Null(Assert.Single(tof.Tof.Flows.Snapshot()).Traffic);
        Assert.False(tof.Tof.CountFlowTraffic);
    }

    [Fact]
    public void Counting_allocates_nothing_in_the_steady_state()
    {
        var tof = Plane(flowExport: true);
        var frames = ScapyFrames.Build($"{Enb1ToSgw}/GTP_U_Header(teid=0x1001)/{ToService}", $"{SgwToEnb1}/GTP_U_Header(teid=0xE001)/{FromInternet}",
            AppEthernet + AppReply);
        var input = new (ushort, byte[])[] { (TofTestPlane.EnbPort, frames[0]), (TofTestPlane.SgwPort, frames[1]), (TofTestPlane.AppsPort, frames[2]) };
        Assert.Equal(0, tof.SteadyStateAllocatedBytes(input));
        Assert.True(tof.Pipeline.Counters.Counted(ForwardingEvent.TofReturned) >= 500);
        Assert.True(Assert.Single(tof.Tof.Flows.Snapshot()).Traffic!.Read().DownlinkPackets >= 500);
    }

    private TofTestPlane Plane(bool flowExport)
    {
        var plane = new TofTestPlane(flowExport: flowExport);
        planes.Add(plane);
        return plane;
    }

    public void Dispose()
    {
        foreach (var plane in planes)
        {
            plane.Dispose();
        }
    }
}
