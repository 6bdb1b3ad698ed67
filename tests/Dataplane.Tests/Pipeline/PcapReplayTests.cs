using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Ports.Pcap;
using Dataplane.Ports.Replay;
using Dataplane.Tests.Golden;

namespace Dataplane.Tests.Pipeline;

public sealed class PcapReplayTests : IDisposable
{
    private readonly string scratch = Directory.CreateTempSubdirectory("dataplane-replay-").FullName;

    [Fact]
    public void Progress_reports_packets_and_input_bytes_as_it_goes()
    {
        var goldenCase = new GoldenCase("quickstart-xtr");
        var clock = new ReplayClock();
        var plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Load(goldenCase.ConfigPath), new ForwardingPlaneOptions { Clock = clock, NonceSeed = 1 });
        var reports = new List<(long Packets, long Bytes)>();
        using var input = File.OpenRead(goldenCase.InputPath);
        using var output = new PcapWriter(Path.Combine(scratch, "out.pcap"));
        var replay = new PcapReplay(plane, clock) { Progress = (packets, bytes) => reports.Add((packets, bytes)), ProgressInterval = TimeSpan.Zero };

        var result = replay.Run(input, output, punts: null);

        Assert.True(result.Succeeded);
        var report = Assert.Single(reports); // one batch: the capture holds fewer than 256 packets
        Assert.Equal(result.Counters.Received, report.Packets);
        Assert.Equal(new FileInfo(goldenCase.InputPath).Length, report.Bytes);
    }

    [Fact]
    public void The_clock_follows_capture_time_and_never_goes_back()
    {
        var clock = new ReplayClock();
        clock.AdvanceTo(2_000_000_000);
        clock.AdvanceTo(1_000_000_000);

        Assert.Equal(2_000_000_000, clock.Now);
        Assert.Equal(1_000_000_000, clock.Frequency);
    }

    public void Dispose() => Directory.Delete(scratch, recursive: true);
}
