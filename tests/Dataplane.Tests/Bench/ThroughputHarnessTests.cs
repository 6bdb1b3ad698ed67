using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Ports.Pcap;
using Dataplane.Tests.Oracles;
using Dataplane.Throughput;
using Dataplane.Throughput.Scenarios;

namespace Dataplane.Tests.Bench;

/// <summary>
/// The in-memory throughput harness (bench/Dataplane.Throughput) measures what it says: every scenario's packets all
/// take the intended path, leave with the length the RFCs' header sizes give, and the measured loop allocates
/// nothing; the reports hold every cell and the line-rate arithmetic is 10GbE's.
/// </summary>
public sealed class ThroughputHarnessTests
{
    // Header sizes from the specifications, not from the harness: Ethernet II 14 (IEEE 802.3), IPv4 20 without
    // options (RFC 791), IPv6 40 (RFC 8200), UDP 8 (RFC 768), LISP 8 (RFC 9300 section 5.1), VXLAN 8 (RFC 7348
    // section 5), GTP-U 8 without optional fields (TS 29.281 section 5.1).
    private const int Ethernet = 14, Ipv4 = 20, Ipv6 = 40, Udp = 8, Lisp = 8, Vxlan = 8, GtpU = 8, NshMdType1 = 24;

    public static TheoryData<string, int> Cells()
    {
        var data = new TheoryData<string, int>();
        foreach (var scenario in ScenarioCatalog.All)
        {
            data.Add(scenario.Name, 64);
            data.Add(scenario.Name, 1500);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void EveryPacketTakesTheIntendedPathWithTheRfcOverheadAndNoAllocation(string name, int size)
    {
        var scenario = ScenarioCatalog.Find(name)!;
        var settings = new ScenarioSettings(Prefixes: 1024);
        var (_, pipelines) = CellRunner.Build(scenario, settings, 1);

        var cell = CellRunner.Run(scenario, settings, pipelines, size, 1, new CellSettings(TimeSpan.FromSeconds(0.2), TimeSpan.FromSeconds(0.05), 3, 1024));

        Assert.False(cell.Failed, cell.Failure);
        Assert.Equal(3, cell.Runs.Count);
        Assert.All(cell.Runs, run => Assert.True(run.Packets > 0));

        // Counters of the whole cell (ring check, warm-up, windows): conserved, and every packet transmitted and
        // counted once under the scenario's event.
        var counters = CounterSnapshot.Sum([pipelines[0].Counters]);
        Assert.True(counters.IsConserved, counters.ToTable());
        Assert.True(counters.Received > 0);
        Assert.Equal(counters.Received, counters.Transmitted);
        Assert.Equal(0, counters.Punted);
        Assert.Equal(0, counters.TotalDropped);
        Assert.Equal(counters.Received, counters.Counted(scenario.Event));

        var (smallest, change) = Expected(name);
        int received = Math.Max(size - 4, smallest);
        Assert.Equal(received, cell.ReceivedLength);
        Assert.Equal(received + 4, cell.FrameBytes);
        Assert.Equal(received + change, cell.TransmittedLength);

        // The runtime sometimes allocates a few bytes of its own in a window: the best of three must be zero.
        Assert.Equal(0, cell.MinThreadAllocatedBytes);
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void RingFramesAndWhatThePipelineMakesOfThemDissectCleanly(string name, int size)
    {
        TsharkOracle.RequireInstalled();
        var scenario = ScenarioCatalog.Find(name)!;
        var settings = new ScenarioSettings(Prefixes: 1024);
        var (_, pipelines) = CellRunner.Build(scenario, settings, 1);
        using var ring = new PacketRing(scenario, settings, 256, Math.Max(size - 4, scenario.MinimumFrameLength));
        var batch = new PacketBatch();
        ring.Receive(batch);
        pipelines[0].Process(batch);

        string directory = Path.Combine(Path.GetTempPath(), $"throughput-dissect-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            string received = Path.Combine(directory, "received.pcap"), transmitted = Path.Combine(directory, "transmitted.pcap");
            using (var writer = new PcapWriter(received))
            {
                for (int i = 0; i < 16; i++)
                {
                    writer.Write(ring.Template(i), i * 1000L);
                }
            }

            using (var writer = new PcapWriter(transmitted))
            {
                for (int i = 0; i < 16; i++)
                {
                    Assert.Equal(PacketDisposition.Transmit, batch[i].Disposition);
                    writer.Write(batch[i].Data, i * 1000L);
                }
            }

            foreach (string capture in new[] { received, transmitted })
            {
                var frames = ItrBaselineTests.Tshark(capture, "_ws.malformed", "_ws.expert.severity", "_ws.expert.message");
                Assert.Equal(16, frames.Length);
                foreach (string[] columns in frames)
                {
                    Assert.True(columns[0].Length == 0, $"{Path.GetFileName(capture)}: malformed: {string.Join(" ", columns)}");
                    foreach (string severity in columns[1].Split('|', StringSplitOptions.RemoveEmptyEntries))
                    {
                        Assert.True(int.Parse(severity, CultureInfo.InvariantCulture) < TsharkOracle.SeverityWarn, $"{Path.GetFileName(capture)}: {columns[2]}");
                    }
                }
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void ItrV4RingIsTheCBaselinesFramesAndEncapsulatesThemAlike()
    {
        string baseline = Path.Combine(RepositoryPaths.Root, "artifacts", "native", "itr_baseline");
        if (!File.Exists(baseline))
        {
            Assert.Skip($"{baseline} is missing: build it with scripts/build-native.sh (scripts/test does)");
        }

        string dump = Path.Combine(Path.GetTempPath(), $"throughput-baseline-{Environment.ProcessId}-{Guid.NewGuid():N}.pcap");
        try
        {
            var start = new ProcessStartInfo(baseline) { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (string argument in new[] { "--prefixes", "1024", "--frames", "256", "--seconds", "0.02", "--runs", "1", "--json", "--dump", dump })
            {
                start.ArgumentList.Add(argument);
            }

            using (var process = Process.Start(start)!)
            {
                process.StandardOutput.ReadToEnd();
                Assert.True(process.WaitForExit(60_000));
                Assert.Equal(0, process.ExitCode);
            }

            byte[][] cFrames = PcapFrames(File.ReadAllBytes(dump));
            Assert.Equal(16, cFrames.Length);

            var scenario = new ItrV4Scenario();
            var settings = new ScenarioSettings(Prefixes: 1024);
            var (_, pipelines) = CellRunner.Build(scenario, settings, 1);
            using var ring = new PacketRing(scenario, settings, 256, 60);
            var batch = new PacketBatch();
            ring.Receive(batch);
            pipelines[0].Process(batch);
            for (int i = 0; i < cFrames.Length; i++)
            {
                byte[] ours = batch[i].Data.ToArray();
                Assert.Equal(cFrames[i].Length, ours.Length);
                // The inner packet (after the TTL decrement) and the outer headers up to the LISP nonce are the same
                // bytes; the 24-bit nonce (LISP header bytes 1-3) comes from each side's own generator.
                Assert.Equal(cFrames[i].AsSpan(50).ToArray(), ours.AsSpan(50).ToArray());
                Assert.Equal(cFrames[i].AsSpan(0, 43).ToArray(), ours.AsSpan(0, 43).ToArray());
                Assert.Equal(cFrames[i].AsSpan(46, 4).ToArray(), ours.AsSpan(46, 4).ToArray());
            }
        }
        finally
        {
            File.Delete(dump);
        }
    }

    [Fact]
    public void LineRateIsTenGigabitEthernets()
    {
        Assert.Equal(14.88, LineRate.TenGigabitMpps(64), 2);
        Assert.Equal(0.8224, LineRate.TenGigabitMpps(1500), 4);
        Assert.Equal(10.0, LineRate.WireGbps(LineRate.TenGigabitMpps(512), 512), 9);
    }

    [Fact]
    public void QuickRunWritesEveryCellToJsonAndAChartWithTheLineRate()
    {
        string output = Path.Combine(Path.GetTempPath(), $"throughput-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int exit = Harness.Run(["--quick", "--ring", "512", "--first-warmup", "0.1", "--warmup", "0.05", "--seconds", "0.05", "--out", output, "--baseline", Path.Combine(output, "no-such-baseline")], stdout, stderr);

            Assert.True(exit == 0, stderr.ToString());
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "throughput.json")));
            var cells = json.RootElement.GetProperty("cells").EnumerateArray().ToArray();
            foreach (var scenario in ScenarioCatalog.All)
            {
                foreach (int size in new[] { 64, 1500 })
                {
                    var cell = Assert.Single(cells, cell => cell.GetProperty("scenario").GetString() == scenario.Name && cell.GetProperty("requestedFrameBytes").GetInt32() == size);
                    Assert.True(cell.GetProperty("medianTotalMpps").GetDouble() > 0);
                    Assert.Equal(1, cell.GetProperty("runs").GetArrayLength());
                    Assert.Equal(JsonValueKind.Null, cell.GetProperty("failure").ValueKind);
                    var stages = cell.GetProperty("stages").EnumerateArray().ToArray();
                    Assert.Equal("classify", stages[0].GetProperty("stage").GetString());
                    Assert.Equal("settle", stages[^1].GetProperty("stage").GetString());
                    // Classify and settle see every packet, and some stage between them is handed every packet too (the
                    // scenario's own work); a stage that is never handed a packet is never called.
                    long received = stages[0].GetProperty("packets").GetInt64();
                    Assert.True(received > 0);
                    Assert.Equal(received, stages[^1].GetProperty("packets").GetInt64());
                    Assert.Contains(stages[1..^1], stage => stage.GetProperty("packets").GetInt64() == received);
                    Assert.All(stages, stage => Assert.Equal(stage.GetProperty("calls").GetInt64() == 0, stage.GetProperty("packets").GetInt64() == 0));
                }
            }

            var itr = cells.Single(cell => cell.GetProperty("scenario").GetString() == "itr-v4" && cell.GetProperty("requestedFrameBytes").GetInt32() == 64);
            var encapsulation = itr.GetProperty("stages").EnumerateArray().Single(stage => stage.GetProperty("stage").GetString() == "lisp-encapsulation");
            Assert.True(encapsulation.GetProperty("nsPerPacket").GetDouble() > 0, encapsulation.ToString());

            Assert.Equal(ScenarioCatalog.All.Count * 2, cells.Length);
            Assert.Contains("is missing", json.RootElement.GetProperty("baseline").GetProperty("problem").GetString());

            var svg = XDocument.Load(Path.Combine(output, "throughput.svg"));
            XNamespace ns = "http://www.w3.org/2000/svg";
            var lineRate = svg.Descendants(ns + "polyline").Single(element => (string?)element.Attribute("id") == "line-rate");
            Assert.True(lineRate.Attribute("points")!.Value.Split(' ').Length > 10);
            Assert.Contains(svg.Descendants(ns + "text"), text => text.Value.Contains("10GbE line rate", StringComparison.Ordinal));
            Assert.Equal(ScenarioCatalog.All.Count, svg.Descendants(ns + "polyline").Count(element => (string?)element.Attribute("class") == "scenario"));

            string markdown = File.ReadAllText(Path.Combine(output, "throughput.md"));
            Assert.Equal(markdown, stdout.ToString());
            Assert.Contains("| itr-v4 | 64 |", markdown);
            Assert.Contains("## Where the time goes", markdown);
            Assert.Matches(@"\| itr-v4 \| 64 \| 1 \| classify [0-9.]+ · .*lisp-encapsulation [0-9.]+ · .*settle [0-9.]+ \|", markdown);
            Assert.Contains("not measured:", markdown);
        }
        finally
        {
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("--ring", "300")]
    [InlineData("--scenarios", "itr-v9")]
    [InlineData("--sizes", "64,abc")]
    [InlineData("--seconds", "0")]
    [InlineData("--workers")]
    public void BadArgumentsExitTwoWithAMessage(params string[] args)
    {
        var stderr = new StringWriter();
        int exit = Harness.Run(args, new StringWriter(), stderr);

        Assert.Equal(2, exit);
        Assert.StartsWith("throughput: ", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("usage:", stderr.ToString(), StringComparison.Ordinal);
    }

    /// <summary>The frames of a classic little-endian pcap file (24-byte file header, 16-byte record headers).</summary>
    private static byte[][] PcapFrames(byte[] file)
    {
        var frames = new List<byte[]>();
        for (int offset = 24; offset + 16 <= file.Length;)
        {
            int length = BitConverter.ToInt32(file, offset + 8);
            frames.Add(file.AsSpan(offset + 16, length).ToArray());
            offset += 16 + length;
        }

        return frames.ToArray();
    }

    /// <summary>The smallest frame (no FCS) whose headers fit, and what the pipeline adds (+) or strips (-).</summary>
    private static (int Smallest, int Change) Expected(string scenario) => scenario switch
    {
        // An ITR replaces the inner Ethernet header by outer Ethernet + IPv4 + UDP + LISP (RFC 9300 section 5.1).
        "itr-v4" => (60, Ipv4 + Udp + Lisp),
        "itr-v6" => (Ethernet + Ipv6 + Udp, Ipv4 + Udp + Lisp),
        // An ETR strips outer IPv4 + UDP + LISP, the routed packet gets a fresh Ethernet header.
        "etr-v4" => (Ethernet + Ipv4 + Udp + Lisp + Ipv4 + Udp, -(Ipv4 + Udp + Lisp)),
        // An RTR swaps one outer IPv4 + UDP + LISP for another.
        "rtr" => (Ethernet + Ipv4 + Udp + Lisp + Ipv4 + Udp, 0),
        // A VTEP puts the whole L2 frame behind outer Ethernet + IPv4 + UDP + VXLAN, and takes them off again.
        "vtep-encap" => (60, Ethernet + Ipv4 + Udp + Vxlan),
        "vtep-decap" => (Ethernet + Ipv4 + Udp + Vxlan + Ethernet + Ipv4 + Udp, -(Ethernet + Ipv4 + Udp + Vxlan)),
        // GTP-U: outer IPv4 + UDP + the 8-byte G-PDU header around the IP packet.
        "gtpu-encap" => (60, Ipv4 + Udp + GtpU),
        "gtpu-decap" or "tof-offload" or "tof-offload-export" or "tof-offload-rules1000" or "tof-offload-cluster" => (Ethernet + Ipv4 + Udp + GtpU + Ipv4 + Udp, -(Ipv4 + Udp + GtpU)),
        // An NSH SFF hop (RFC 8300): the VXLAN-GPE transport (outer IPv4 + UDP + GPE) from one function is replaced by
        // an Ethernet header toward the next; NSH with MD type 1 (8-byte base and path headers, 16 bytes of context) stays.
        "nsh-sff" => (Ethernet + Ipv4 + Udp + Vxlan + NshMdType1 + Ipv4 + Udp, -(Ipv4 + Udp + Vxlan)),
        _ => throw new ArgumentOutOfRangeException(nameof(scenario), scenario, "no expectation written for it"),
    };
}
