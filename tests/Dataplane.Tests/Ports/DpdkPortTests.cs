using Dataplane.Tests.Golden;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Ports;

/// <summary>
/// The DPDK port end to end, in a child process on virtual devices: golden cases through net_pcap (the transmitted
/// frames must be exactly the case's expected frames, byte for byte: zero-copy rx, prepend/adjust written back to
/// the mbuf, tx), and a net_ring loop (what a port sends comes back to it until the TTL runs out).
/// </summary>
public sealed class DpdkPortTests
{
    [Theory]
    [InlineData("itr-v4-over-v4")]
    [InlineData("itr-v6-over-v6")]
    [InlineData("etr-v4-in-v4")]
    [InlineData("vtep-l2-decap")]
    [InlineData("vtep-l2-encap")]
    [InlineData("gtpu-encap")]
    [InlineData("gtpu-decap")]
    [InlineData("quickstart-xtr")]
    public void GoldenCaseThroughNetPcapTransmitsExactlyTheExpectedFrames(string caseName)
    {
        DpdkForwardRun.SkipUnlessAvailable();
        string directory = RepositoryPaths.Pcap(Path.Combine("golden", caseName));
        string output = Path.Combine(Path.GetTempPath(), $"dpdk-{caseName}-{Guid.NewGuid():N}.pcap");
        try
        {
            var run = DpdkForwardRun.Start(
                Path.Combine(directory, "config.json"),
                "net_pcap0",
                $"net_pcap0,rx_pcap={Path.Combine(directory, "input.pcap")},tx_pcap={output}");

            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains("conservation holds", run.Output);
            var expected = CaptureFrames.Read(Path.Combine(directory, "expected.pcap"));
            CaptureFrames.AssertEqual(expected, CaptureFrames.Read(output), $"{caseName} through DPDK net_pcap");
            Assert.Equal(CaptureFrames.Read(Path.Combine(directory, "input.pcap")).Count, run.Counter("received"));
            Assert.Equal(expected.Count, run.PortStatistic("tx"));
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Fact]
    public void NetRingLoopForwardsUntilTtlExpiresAndConservesCounters()
    {
        DpdkForwardRun.SkipUnlessAvailable();
        string directory = RepositoryPaths.Pcap(Path.Combine("golden", "native-routing"));
        string input = Path.Combine(directory, "input.pcap");
        int injected = CaptureFrames.Read(input).Count;

        // One net_ring device: its tx ring is its rx ring, so every routed packet comes back on port 0 and is
        // routed again, one TTL less each time, until it expires.
        var run = DpdkForwardRun.Start(Path.Combine(directory, "config.json"), "net_ring0", "net_ring0", "--inject", input);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"injected {injected} frames", run.Output);
        long received = run.Counter("received");
        long transmitted = run.Counter("transmitted");
        Assert.Equal(received, transmitted + run.Counter("punted") + run.Counter("dropped"));
        Assert.True(received > 10 * injected, $"expected many laps of the loop\n{run}");
        Assert.True(run.Counter("TtlExpired") > 0, run.ToString());
        Assert.Equal(received, run.PortStatistic("rx"));
        Assert.Equal(transmitted + injected, run.PortStatistic("tx"));
    }
}
