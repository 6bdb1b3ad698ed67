using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Tof;
using Dataplane.Ports.Pcap;
using Dataplane.Ports.Replay;
using Dataplane.Tests.Golden;
using Dataplane.Tests.Hostile;

namespace Dataplane.Tests.Tof;

/// <summary>
/// The hostile corpus's IPv6 TOF family (pcaps/hostile/tof-ipv6.pcap) against its 16-slot IPv6 tunnel table: lying
/// inner lengths, extension chains the TOF must not rewrite, cuts, and 40 UEs' /64s more than the table holds.
/// </summary>
public sealed class TofIpv6HostileTests : IDisposable
{
    private readonly string scratch = Directory.CreateTempSubdirectory("tof6-hostile").FullName;

    [Fact]
    public void The_ipv6_tunnel_table_fills_to_its_capacity_refuses_the_rest_and_every_hostile_packet_is_accounted_for()
    {
        var entry = HostileCorpus.Families["tof-ipv6"];
        var clock = new ReplayClock();
        var plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Load(new GoldenCase(entry.Config).ConfigPath),
            new ForwardingPlaneOptions { Clock = clock, NonceSeed = 1 });
        ReplayResult result;
        using (var input = File.OpenRead(HostileCorpus.PcapPath("tof-ipv6")))
        using (var output = new PcapWriter(Path.Combine(scratch, "out.pcap"), CaptureLinkType.Ethernet, PcapTimestampPrecision.Nanoseconds))
        using (var punts = new PcapWriter(Path.Combine(scratch, "punt.pcap"), CaptureLinkType.Ethernet, PcapTimestampPrecision.Nanoseconds))
        {
            result = new PcapReplay(plane, clock).Run(input, output, punts);
        }

        var counters = result.Counters;
        var tof = plane.Feature<TofFeature>()!;
        Assert.True(counters.IsConserved, counters.ToTable());
        Assert.Equal(entry.Packets, counters.Received);
        // 2001:db8:1:2::/64 (the malformed family's UE) and 15 of the 40 /64s fill the 16 slots; the other 25 are refused.
        Assert.Equal(16, tof.Tunnels6.Count);
        Assert.Equal(25, counters.Counted(ForwardingEvent.TofTunnelTableFull));
        // Of everything sent to the IPv6 service only the 15 learned UEs' well-formed datagrams are rewritten; no malformed one.
        Assert.Equal(15, counters.Counted(ForwardingEvent.TofOffloaded));
        Assert.Equal(0, tof.Tunnels.Count);
    }

    public void Dispose() => Directory.Delete(scratch, recursive: true);
}
