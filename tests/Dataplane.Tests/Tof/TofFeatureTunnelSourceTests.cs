using Dataplane.Control.Tof;
using Dataplane.Tests.GtpU;

namespace Dataplane.Tests.Tof;

public sealed class TofFeatureTunnelSourceTests : IDisposable
{
    private readonly TofTestPlane tof = new();

    [Fact]
    public void Get_tunnel_sees_both_halves_of_a_learned_tunnel_and_a_downlink_only_one()
    {
        var frames = ScapyFrames.Build(
            "Ether()/IP(src='192.0.2.10', dst='198.51.100.20')/UDP(sport=2152, dport=2152)/GTP_U_Header(teid=0x1001, E=1, next_ex=0x85)/GTPPDUSessionContainer(type=1, QFI=6)/IP(src='10.45.0.2', dst='8.8.8.8')/ICMP()",
            "Ether()/IP(src='198.51.100.20', dst='192.0.2.10')/UDP(sport=2152, dport=2152)/GTP_U_Header(teid=0xE001)/IP(src='8.8.8.8', dst='10.45.0.2')/ICMP()",
            "Ether()/IP(src='198.51.100.20', dst='192.0.2.11')/UDP(sport=2152, dport=2152)/GTP_U_Header(teid=0xE003)/IP(src='8.8.8.8', dst='10.45.0.3')/ICMP()");
        tof.Process((TofTestPlane.EnbPort, frames[0]), (TofTestPlane.SgwPort, frames[1]), (TofTestPlane.SgwPort, frames[2]));

        var views = new TofFeatureTunnelSource(tof.Tof).List();
        Assert.Equal(2, views.Count);
        Assert.Equal(("10.45.0.2", "192.0.2.10", (uint?)0x1001, "198.51.100.20", (uint?)0xE001, (byte?)6),
            (views[0].UeIp, views[0].EnbAddress, views[0].UplinkTeid, views[0].SgwAddress, views[0].DownlinkTeid, views[0].Qfi));
        Assert.Equal(("10.45.0.3", "192.0.2.11", (uint?)null, "198.51.100.20", (uint?)0xE003, (byte?)null),
            (views[1].UeIp, views[1].EnbAddress, views[1].UplinkTeid, views[1].SgwAddress, views[1].DownlinkTeid, views[1].Qfi));
        Assert.InRange(views[0].LastSeen, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(1));
    }

    public void Dispose() => tof.Dispose();
}
