using System.Text.Json;
using Dataplane.Control.Logging;
using Dataplane.Control.Tof;
using Dataplane.Forwarding.Tof;
using Dataplane.Tests.GtpU;
using Dataplane.Wire.Addresses;
using Microsoft.Extensions.Logging;

namespace Dataplane.Tests.Tof;

public sealed class TofEventTests : IDisposable
{
    private readonly TofTestPlane tof = new();

    [Fact]
    public void Learning_a_handover_and_a_removal_become_events_and_log_lines_in_order()
    {
        var frames = ScapyFrames.Build(
            "Ether()/IP(src='192.0.2.10', dst='198.51.100.20')/UDP(sport=2152, dport=2152)/GTP_U_Header(teid=0x1001)/IP(src='10.45.0.2', dst='8.8.8.8')/ICMP()",
            "Ether()/IP(src='192.0.2.11', dst='198.51.100.20')/UDP(sport=2152, dport=2152)/GTP_U_Header(teid=0x1002)/IP(src='10.45.0.2', dst='8.8.8.8')/ICMP()",
            "Ether()/IP(src='198.51.100.20', dst='192.0.2.11')/UDP(sport=2152, dport=2152)/GTP_U_Header(gtp_type=26, S=1, teid=0)"
            + "/GTPErrorIndication(IE_list=[IE_TEIDI(TEIDI=0x1002), IE_GSNAddress(ipv4_address='198.51.100.20')])");
        tof.Process((TofTestPlane.EnbPort, frames[0]), (TofTestPlane.EnbPort, frames[1]), (TofTestPlane.SgwPort, frames[2]));

        using var logged = new StringWriter();
        using var logging = DaemonLogging.Create(LogFormat.Json, LogLevel.Information, logged);
        var published = new List<TofTunnelEvent>();
        var log = new TofEventLog(tof.Tof, logging.Logger(LogCategories.Tof));
        log.Published += published.Add;
        log.OnTick(0);

        var ue = Ipv4Address.Parse("10.45.0.2");
        Assert.Equal(
            [
                new TofTunnelEvent(TofTunnelEventKind.Learned, ue, TofDirection.Uplink, Ipv4Address.Parse("192.0.2.10"), Ipv4Address.Parse("198.51.100.20"), 0x1001),
                new TofTunnelEvent(TofTunnelEventKind.Updated, ue, TofDirection.Uplink, Ipv4Address.Parse("192.0.2.11"), Ipv4Address.Parse("198.51.100.20"), 0x1002),
                new TofTunnelEvent(TofTunnelEventKind.Removed, ue, TofDirection.Uplink, Ipv4Address.Parse("192.0.2.11"), Ipv4Address.Parse("198.51.100.20"), 0x1002),
            ],
            published);
        var lines = logged.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        using (var first = JsonDocument.Parse(lines[0]))
        {
            var entry = first.RootElement;
            Assert.Equal("UE 10.45.0.2 learned uplink 192.0.2.10 -> 198.51.100.20 TEID 0x1001", entry.GetProperty("Message").GetString());
            Assert.Equal("Dataplane.Control.Tof", entry.GetProperty("Category").GetString());
            Assert.Equal("10.45.0.2", entry.GetProperty("State").GetProperty("Ue").GetString());
            Assert.Equal("learned", entry.GetProperty("State").GetProperty("Kind").GetString());
            Assert.Equal(0x1001, entry.GetProperty("State").GetProperty("Teid").GetInt64());
        }

        Assert.False(tof.Tof.TryGetTunnel(ue, out _));

        log.OnTick(1);
        Assert.Equal(3, published.Count); // drained once
    }

    [Fact]
    public void A_full_ring_drops_events_and_counts_them_instead_of_waiting()
    {
        var ring = new TofEventRing(4);
        for (uint i = 0; i < 6; i++)
        {
            ring.Write(new TofTunnelEvent(TofTunnelEventKind.Learned, new Ipv4Address(i), TofDirection.Uplink, default, default, i));
        }

        Assert.Equal(2, ring.Lost);
        for (uint i = 0; i < 4; i++)
        {
            Assert.True(ring.TryRead(out var read));
            Assert.Equal(i, read.Teid);
        }

        Assert.False(ring.TryRead(out _));
    }

    public void Dispose() => tof.Dispose();
}
