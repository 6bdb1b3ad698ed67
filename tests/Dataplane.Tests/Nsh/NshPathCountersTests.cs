using Dataplane.Control.Metrics;
using Dataplane.Control.Nsh;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Nsh;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Ports.Pcap;
using Dataplane.Ports.Replay;
using Dataplane.Tests.Golden;

namespace Dataplane.Tests.Nsh;

/// <summary>Per-path counters, on nsh.path.list's source and on /metrics, after the golden SFF and end-of-path inputs.</summary>
public sealed class NshPathCountersTests : IDisposable
{
    private readonly string scratch = Directory.CreateTempSubdirectory("dataplane-nsh-counters-").FullName;

    [Fact]
    public void Paths_count_what_they_sent_and_what_reached_their_end()
    {
        var hop = new GoldenCase("nsh-sff-hop");
        var end = new GoldenCase("nsh-path-end");
        var clock = new ReplayClock();
        var plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Load(hop.ConfigPath), new ForwardingPlaneOptions { Clock = clock, NonceSeed = 1 });
        Replay(plane, clock, hop);
        Replay(plane, clock, end);

        // nsh-sff-hop sends frames 0 and 2 on SPI 10 and frame 1 on SPI 20 (generate_nsh.py); their sizes as Scapy built them.
        var sent = CaptureFrames.Read(hop.ExpectedPath);
        var paths = plane.Feature<NshFeature>()!.Tables.Paths;
        Assert.Equal(2, paths[10].Counters.Packets);
        Assert.Equal(sent[0].Length + sent[2].Length, paths[10].Counters.Bytes);
        Assert.Equal(1, paths[20].Counters.Packets);
        Assert.Equal(sent[1].Length, paths[20].Counters.Bytes);

        // nsh-path-end ends one packet on SPI 10, two on SPI 20 and one on SPI 30 (which drops it).
        Assert.Equal([1L, 2L, 1L], new[] { 10u, 20u, 30u }.Select(spi => paths[spi].Counters.Ended));
        Assert.Equal(0, paths[30].Counters.Packets);

        var metrics = new ControlPlaneMetrics();
        new NshMetrics(plane.Feature<NshFeature>()!, metrics).OnTick(0);
        Assert.Equal(2, metrics.Counter("dataplane_nsh_path_packets_total", "", "spi").Value("10"));
        Assert.Equal(sent[1].Length, metrics.Counter("dataplane_nsh_path_bytes_total", "", "spi").Value("20"));
        Assert.Equal(2, metrics.Counter("dataplane_nsh_path_ended_total", "", "spi").Value("20"));
    }

    private void Replay(ForwardingPlane plane, ReplayClock clock, GoldenCase goldenCase)
    {
        using var input = File.OpenRead(goldenCase.InputPath);
        using var output = new PcapWriter(Path.Combine(scratch, "out.pcap"), CaptureLinkType.Ethernet, PcapTimestampPrecision.Nanoseconds);
        using var punts = new PcapWriter(Path.Combine(scratch, "punt.pcap"), CaptureLinkType.Ethernet, PcapTimestampPrecision.Nanoseconds);
        Assert.Null(new PcapReplay(plane, clock).Run(input, output, punts).InputError);
    }

    public void Dispose() => Directory.Delete(scratch, recursive: true);
}
