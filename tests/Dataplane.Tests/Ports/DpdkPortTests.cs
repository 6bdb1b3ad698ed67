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
    [InlineData("vtep-l2-flood")]
    [InlineData("vtep-l2-flood-decap")]
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

    [Fact]
    public void RunDaemonOpensDpdkPortsFromTheConfiguration()
    {
        DpdkForwardRun.SkipUnlessAvailable();
        string directory = RepositoryPaths.Pcap(Path.Combine("golden", "itr-v4-over-v4"));
        string scratch = Directory.CreateTempSubdirectory("dpdk-run-").FullName;
        string prefix = "dprun" + Guid.NewGuid().ToString("N")[..12];
        try
        {
            // Every port a net_pcap vdev of its own, opened by `dataplane run` through driver "dpdk".
            var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "config.json")))!.AsObject();
            var ports = config["ports"]!.AsArray();
            var eal = new System.Text.Json.Nodes.JsonArray("-l", "0", "--no-huge", "-m", "512", "--no-pci", "--no-shconf", "--file-prefix", prefix, "--log-level=warning");
            for (int i = 0; i < ports.Count; i++)
            {
                ports[i]!["driver"] = "dpdk";
                ports[i]!["dpdkDevice"] = $"net_pcap{i}";
                string rx = i == 0 ? $"rx_pcap={Path.Combine(directory, "input.pcap")}," : "";
                eal.Add($"--vdev=net_pcap{i},{rx}tx_pcap={Path.Combine(scratch, $"tx{i}.pcap")}");
            }

            config["dpdk"] = new System.Text.Json.Nodes.JsonObject { ["eal"] = eal };
            string configPath = Path.Combine(scratch, "config.json");
            File.WriteAllText(configPath, config.ToJsonString());

            var run = DpdkForwardRun.StartHost("run", "--config", configPath, "--exit-when-idle", "1", "--nonce-seed", "1");

            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains("conservation holds", run.Output);
            var sent = new List<byte[]>();
            for (int i = 0; i < ports.Count; i++)
            {
                sent.AddRange(CaptureFrames.Read(Path.Combine(scratch, $"tx{i}.pcap")));
            }

            // Ports write their own captures, so compare as sets of frames in a fixed order.
            var expected = CaptureFrames.Read(Path.Combine(directory, "expected.pcap"));
            CaptureFrames.AssertEqual(Sorted(expected), Sorted(sent), "itr-v4-over-v4 through dataplane run on DPDK ports");
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
            DpdkForwardRun.TryDelete(Path.Combine("/var/run/dpdk", prefix));
        }
    }

    [Fact]
    public void RingBenchDrivesTheDaemonRuntimeOverNetRingCables()
    {
        DpdkForwardRun.SkipUnlessAvailable();
        string directory = RepositoryPaths.Pcap(Path.Combine("golden", "itr-v4-over-v4"));
        string scratch = Directory.CreateTempSubdirectory("dpdk-ring-bench-").FullName;
        string prefix = "dpring" + Guid.NewGuid().ToString("N")[..12];
        try
        {
            // Every port a ring-backed net_ring device that the bench verb creates, facing the generator's port.
            var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "config.json")))!.AsObject();
            foreach (var port in config["ports"]!.AsArray())
            {
                port!["driver"] = "dpdk";
                port["dpdkDevice"] = $"net_ring_{port["name"]}";
            }

            config["dpdk"] = new System.Text.Json.Nodes.JsonObject
            {
                ["eal"] = new System.Text.Json.Nodes.JsonArray("-l", "0", "--no-huge", "-m", "512", "--no-pci", "--no-shconf", "--file-prefix", prefix, "--log-level=warning"),
                ["mbufCount"] = 8191,
            };
            string configPath = Path.Combine(scratch, "config.json");
            File.WriteAllText(configPath, config.ToJsonString());

            var run = DpdkForwardRun.StartHost("dpdk-ring-bench", "--config", configPath, "--frames", Path.Combine(directory, "input.pcap"),
                "--ingress", "eid-side", "--seconds", "1", "--warmup", "0.5");

            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains("conservation holds", run.Output);
            Assert.DoesNotContain("warning:", run.Output); // the worker and the generator registered with EAL
            // The case's 13 frames hold 12 for the map-cache and 1 routed natively: both kinds go round the loop.
            long encapsulated = run.Counter("LispEncapsulated"), routed = run.Counter("Routed");
            Assert.True(encapsulated > 10_000, $"expected the loop to run for a second at speed\n{run}");
            Assert.InRange(encapsulated / (double)routed, 10, 14);
            var result = System.Text.Json.JsonDocument.Parse(run.Output.Split('\n').Single(l => l.StartsWith("result: ", StringComparison.Ordinal))["result: ".Length..]).RootElement;
            Assert.True(result.GetProperty("transmitted").GetInt64() > 0, run.ToString());
            Assert.True(result.GetProperty("conserved").GetBoolean(), run.ToString());
            Assert.False(Directory.Exists(Path.Combine("/var/run/dpdk", prefix)), "dpdk-ring-bench left EAL's runtime directory behind");
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
            DpdkForwardRun.TryDelete(Path.Combine("/var/run/dpdk", prefix));
        }
    }

    [Fact]
    public void DotnetReadsAndWritesOfMbufFieldsAgreeWithDpdksOwnAccessors()
    {
        DpdkForwardRun.SkipUnlessAvailable();
        string prefix = "dpmbuf" + Guid.NewGuid().ToString("N")[..12];
        try
        {
            var run = DpdkForwardRun.StartHost("dpdk-mbuf-check", "--eal",
                $"-l 0 --no-huge -m 256 --no-pci --no-shconf --file-prefix {prefix} --log-level=warning --vdev=net_ring0");

            Assert.True(run.ExitCode == 0, run.ToString());
            // What the shim reports: DPDK 22.11's struct rte_mbuf on x86-64 (rte_mbuf_core.h, RTE_IOVA_AS_PA), two
            // cache lines; RTE_PKTMBUF_HEADROOM 128.
            AssertFields(run.Fields("fields"), ("size", "128"), ("buf_addr", "0"), ("data_off", "16"), ("nb_segs", "20"), ("pkt_len", "36"),
                ("data_len", "40"), ("buf_len", "54"), ("pool", "56"), ("headroom", "128"));

            // A fresh mbuf, read by .NET and by DPDK: an empty frame at the headroom of a 2048 + 128 byte buffer
            // (RTE_MBUF_DEFAULT_BUF_SIZE), one segment, from the check's pool.
            AssertFields(run.Fields("fresh"), ("dotnet_data_off", "128"), ("dotnet_data_len", "0"), ("dotnet_pkt_len", "0"), ("dotnet_buf_len", "2176"),
                ("dotnet_nb_segs", "1"), ("dotnet_pool_is_ours", "true"),
                ("dpdk_mtod_offset", "128"), ("dpdk_pkt_len", "0"), ("dpdk_data_len", "0"), ("dpdk_headroom", "128"), ("dpdk_check", "ok"));

            // .NET sets the frame to 300 bytes at offset 100: DPDK's mtod, lengths and headroom follow, rte_mbuf_check agrees.
            AssertFields(run.Fields("dotnet-set 100 300"), ("dpdk_mtod_offset", "100"), ("dpdk_pkt_len", "300"), ("dpdk_data_len", "300"),
                ("dpdk_headroom", "100"), ("dpdk_check", "ok"));

            // DPDK moves the frame (rte_pktmbuf_prepend 20, then rte_pktmbuf_adj 50): .NET reads where it went.
            AssertFields(run.Fields("dpdk-prepend 20"), ("ok", "true"), ("dotnet_data_off", "80"), ("dotnet_data_len", "320"), ("dotnet_pkt_len", "320"));
            AssertFields(run.Fields("dpdk-adj 50"), ("ok", "true"), ("dotnet_data_off", "130"), ("dotnet_data_len", "270"), ("dotnet_pkt_len", "270"));

            // Round a net_ring loop: the 60-byte frame comes back where DPDK says it is, byte for byte.
            AssertFields(run.Fields("received"), ("injected", "true"), ("count", "1"), ("length", "60"), ("data_off", "128"), ("capacity", "2176"),
                ("frame_is_dpdk_mtod", "true"), ("bytes_as_sent", "true"),
                ("dpdk_mtod_offset", "128"), ("dpdk_pkt_len", "60"), ("dpdk_data_len", "60"), ("dpdk_check", "ok"));

            // .NET prepends 36 bytes and transmits (Transmit writes data_off, data_len, pkt_len): 96 bytes from offset 92 come back.
            AssertFields(run.Fields("looped-prepend 36"), ("sent", "1"), ("count", "1"), ("length", "96"), ("data_off", "92"),
                ("frame_is_dpdk_mtod", "true"), ("bytes_as_sent", "true"),
                ("dpdk_mtod_offset", "92"), ("dpdk_pkt_len", "96"), ("dpdk_data_len", "96"), ("dpdk_headroom", "92"), ("dpdk_check", "ok"));

            Assert.False(Directory.Exists(Path.Combine("/var/run/dpdk", prefix)), "dpdk-mbuf-check left EAL's runtime directory behind");
        }
        finally
        {
            DpdkForwardRun.TryDelete(Path.Combine("/var/run/dpdk", prefix));
        }
    }

    private static void AssertFields(Dictionary<string, string> actual, params (string Key, string Value)[] expected)
    {
        foreach (var (key, value) in expected)
        {
            Assert.True(actual.TryGetValue(key, out var found), $"no {key} in [{string.Join(' ', actual.Select(p => $"{p.Key}={p.Value}"))}]");
            Assert.True(value == found, $"{key}: expected {value}, got {found}");
        }
    }

    private static List<byte[]> Sorted(List<byte[]> frames)
    {
        var copy = new List<byte[]>(frames);
        copy.Sort((a, b) => a.AsSpan().SequenceCompareTo(b));
        return copy;
    }
}
