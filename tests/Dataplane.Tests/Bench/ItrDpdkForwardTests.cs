using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.Intrinsics.X86;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dataplane.Tests.Golden;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Bench;

/// <summary>
/// The C DPDK forwarder (native/bench/itr_dpdk_forward.c, built by scripts/build-native.sh) is only a yardstick for
/// our DPDK ITR if it forwards and does the work it claims. Briefly, on net_ring cables without NICs or hugepages:
/// it forwards, its counters are conserved and agree with what its generator saw come back; on itr_baseline's tables
/// the frames it sends are byte for byte those itr_baseline dumps for the same frames (itr_work.c shared, mbufs in
/// between); on the end-to-end benchmark's configuration (bench/ports: its frames, and its flags made from
/// scenarios.itr_config by c_forwarder.py) tshark reads LISP toward the locator the documented flow hash picks.
/// </summary>
public sealed partial class ItrDpdkForwardTests
{
    private static readonly string BinaryPath = Path.Combine(RepositoryPaths.Root, "artifacts", "native", "itr_dpdk_forward");
    private static readonly string BaselinePath = Path.Combine(RepositoryPaths.Root, "artifacts", "native", "itr_baseline");

    /// <summary>Slots of a net_ring cable's ring (RingPorts.DefaultRingSize) less one: what can sit between the two ends.</summary>
    private const int RingHolds = 1023;

    [Fact]
    public void ForwardsItrBaselineFramesExactlyAsItrBaselineEncapsulatesThem()
    {
        RequireBinaries();
        string scratch = Directory.CreateTempSubdirectory("itr-dpdk-forward-").FullName;
        try
        {
            string baseline = Path.Combine(scratch, "baseline.pcap"), forwarded = Path.Combine(scratch, "forwarded.pcap");
            Run(BaselinePath, "--prefixes", "1024", "--seconds", "0.02", "--runs", "1", "--json", "--dump", baseline);

            // Without --frames it sends itr_baseline's frames, in order; the dump is the first 16 that came back out
            // of the underlay cable, which itr_baseline's dump is too (the first 16 of its first batch).
            var run = Forward("--prefixes", "1024", "--seconds", "0.4", "--warmup", "0.2", "--dump", forwarded, "--dump-count", "16");

            run.AssertForwardedAndConserved();
            Assert.Equal(run.Counter("received"), run.Counter("encapsulated")); // every frame took the ITR path
            CaptureFrames.AssertEqual(CaptureFrames.Read(baseline), CaptureFrames.Read(forwarded), "itr_dpdk_forward against itr_baseline --dump");
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    [Fact]
    public void OnTheEndToEndBenchmarksConfigurationSendsLispTowardTheFlowsLocator()
    {
        RequireBinaries();
        TsharkOracle.RequireInstalled();
        ScapyOracle.RequireInstalled();
        string scratch = Directory.CreateTempSubdirectory("itr-dpdk-forward-bench-").FullName;
        try
        {
            // bench/ports' own frames and flags: what the end-to-end benchmark runs the C forwarder with.
            string frames = Path.Combine(scratch, "itr.pcap"), forwarded = Path.Combine(scratch, "forwarded.pcap");
            string flags = ScapyOracle.Run("-c", $$"""
                import json, sys
                sys.path.insert(0, {{JsonSerializer.Serialize(Path.Combine(RepositoryPaths.Root, "bench", "ports"))}})
                import c_forwarder, scenarios as sc
                sc.write_frames({{JsonSerializer.Serialize(frames)}}, sc.itr_frames())
                ring = lambda name: {"driver": "dpdk", "dpdkDevice": "net_ring_" + name}
                print(json.dumps(c_forwarder.flags(sc.itr_config(ring, dpdk={"eal": [], "mbufCount": 16383}))))
                """);
            string[] tableFlags = JsonSerializer.Deserialize<string[]>(flags)!;
            var input = CaptureFrames.Read(frames);
            Assert.Equal(64, input.Count);

            // Two rounds of the 64 flows, so each flow is seen twice.
            var run = Forward([.. tableFlags, "--frames", frames, "--seconds", "0.4", "--warmup", "0.2", "--dump", forwarded, "--dump-count", "128"]);

            run.AssertForwardedAndConserved();
            Assert.Equal(run.Counter("received"), run.Counter("encapsulated"));
            var dissection = ItrBaselineTests.Tshark(forwarded, "frame.protocols", "_ws.malformed", "eth.src", "eth.dst", "ip.src", "ip.dst",
                "ip.checksum.status", "ip.ttl", "udp.srcport", "udp.dstport", "lisp-data.iid");
            Assert.Equal(128, dissection.Length);
            var rlocs = new HashSet<string>();
            for (int i = 0; i < dissection.Length; i++)
            {
                string[] c = dissection[i];
                string at = $"frame {i + 1}: {string.Join(" ", c)}";
                Assert.True(c[0] == "eth:ethertype:ip:udp:lisp-data:ip:udp:data", at);
                Assert.True(c[1].Length == 0, at);
                Assert.True(c[2] == "02:00:00:00:c0:01" && c[3] == "02:00:00:00:c0:02", at); // und's MAC -> the gateway's
                Assert.True(c[4] == "192.0.2.1|10.1.0.10" && c[6] == "1|1" && c[7] == "63|63" && c[10] == "7", at);
                string[] ports = c[8].Split('|'), destinationPorts = c[9].Split('|'); // outer|inner
                int flow = i % 64;
                Assert.True(ports[1] == (10000 + flow).ToString(CultureInfo.InvariantCulture) && destinationPorts[0] == "4341" && destinationPorts[1] == "9", at);

                // The locator and outer source port follow from the inner 5-tuple: 32 of the 64 slots each for the
                // two weight-50 locators, in configuration order, by the flow hash's low 6 bits; port from its top 14.
                uint hash = FlowHash(Address("10.1.0.10"), Address("10.2.0.20"), 17, (ushort)(10000 + flow), 9);
                string rloc = (hash & 63) < 32 ? "198.51.100.1" : "198.51.100.2";
                Assert.True(c[5] == $"{rloc}|10.2.0.20", $"{at}: expected locator {rloc}");
                Assert.True(ports[0] == (49152 | (hash >> 18)).ToString(CultureInfo.InvariantCulture), $"{at}: expected source port {49152 | (hash >> 18)}");
                rlocs.Add(rloc);
            }

            Assert.Equal(2, rlocs.Count); // both locators carry flows: the weighted table was used, not a single locator
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("--seconds")]
    [InlineData("--prefixes", "0")]
    [InlineData("--map-cache", "10.2.0.0/16=198.51.100.1")]
    [InlineData("--map-cache", "10.2.0.0/16=198.51.100.1:1:50")] // no --frames to send
    [InlineData("--prefixes", "16", "--map-cache", "10.2.0.0/16=198.51.100.1:1:50", "--frames", "x.pcap")]
    public void RejectsBadArgumentsWithOneLineAndStatus2(params string[] arguments)
    {
        RequireBinaries();
        var (status, stdout, stderr) = Execute(BinaryPath, arguments);
        Assert.Equal(2, status);
        Assert.Equal("", stdout);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void HelpPrintsUsage()
    {
        RequireBinaries();
        var (status, stdout, _) = Execute(BinaryPath, "--help");
        Assert.Equal(0, status);
        Assert.StartsWith("usage: itr_dpdk_forward", stdout, StringComparison.Ordinal);
    }

    /// <summary>FlowHash's IPv4 definition (itr_work.c's flow_hash_v4): CRC32C from 0x9E3779B9 over src:dst, then proto:sport:dport, murmur3 fmix32.</summary>
    private static uint FlowHash(uint source, uint destination, byte protocol, ushort sourcePort, ushort destinationPort)
    {
        if (!Sse42.X64.IsSupported)
        {
            Assert.Skip("no SSE4.2 CRC32 on this CPU (the forwarder needs it too)");
        }

        ulong crc = Sse42.X64.Crc32(0x9E3779B9ul, ((ulong)source << 32) | destination);
        crc = Sse42.X64.Crc32(crc, ((ulong)protocol << 32) | ((uint)sourcePort << 16) | destinationPort);
        uint h = (uint)crc;
        h ^= h >> 16;
        h *= 0x85EBCA6Bu;
        h ^= h >> 13;
        h *= 0xC2B2AE35u;
        h ^= h >> 16;
        return h;
    }

    private static uint Address(string text)
    {
        byte[] bytes = IPAddress.Parse(text).GetAddressBytes();
        return ((uint)bytes[0] << 24) | ((uint)bytes[1] << 16) | ((uint)bytes[2] << 8) | bytes[3];
    }

    private static void RequireBinaries()
    {
        foreach (string path in new[] { BinaryPath, BaselinePath })
        {
            if (!File.Exists(path))
            {
                Assert.Skip($"{path} is missing: build it with scripts/build-native.sh (needs libdpdk-dev: scripts/setup.sh; scripts/test does both)");
            }
        }

        if (Environment.ProcessorCount < 2)
        {
            Assert.Skip("itr_dpdk_forward needs two cores: one for its generator, one for the forwarder");
        }
    }

    /// <summary>The forwarder on lcores 0 (generator) and 1 (forwarder), without hugepages or PCI, its own EAL prefix.</summary>
    private static ForwardRun Forward(params string[] arguments)
    {
        string prefix = "itrfwdtest" + Guid.NewGuid().ToString("N")[..12];
        string[] eal = ["--", "-l", "0-1", "--no-huge", "-m", "512", "--no-pci", "--no-shconf", "--file-prefix", prefix, "--log-level=warning"];
        string stdout = Run(BinaryPath, [.. arguments, .. eal]);
        return new ForwardRun(stdout);
    }

    private static string Run(string binary, params string[] arguments)
    {
        var (status, stdout, stderr) = Execute(binary, arguments);
        Assert.True(status == 0, $"{Path.GetFileName(binary)} exited with {status}:\n{stdout}\n{stderr}");
        return stdout;
    }

    private static (int Status, string Stdout, string Stderr) Execute(string binary, params string[] arguments)
    {
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {binary}");
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill();
            throw new TimeoutException($"{binary} did not finish within 60 s");
        }

        return (process.ExitCode, stdout, stderr.Result);
    }

    [GeneratedRegex(@"generator: (\d+) sent in, (\d+) back")]
    private static partial Regex GeneratorLine();

    /// <summary>What one run printed: the final counters, the generator's line and the result JSON.</summary>
    private sealed class ForwardRun(string output)
    {
        public long Counter(string name)
        {
            foreach (string line in output.Split('\n'))
            {
                string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length == 2 && fields[0] == name)
                {
                    return long.Parse(fields[1], CultureInfo.InvariantCulture);
                }
            }

            Assert.Fail($"no counter '{name}' in:\n{output}");
            return 0;
        }

        public void AssertForwardedAndConserved()
        {
            long received = Counter("received"), transmitted = Counter("transmitted"), punted = Counter("punted"), dropped = Counter("dropped");
            Assert.True(transmitted > 10_000, $"expected the loop to run at speed for a while\n{output}");
            Assert.True(received == transmitted + punted + dropped, $"received != transmitted + punted + dropped\n{output}");

            using var result = JsonDocument.Parse(output.Split('\n').Single(l => l.StartsWith("result: ", StringComparison.Ordinal))["result: ".Length..]);
            Assert.True(result.RootElement.GetProperty("conserved").GetBoolean(), output);
            Assert.True(result.RootElement.GetProperty("transmitted").GetInt64() > 0, $"nothing transmitted in the measured window\n{output}");
            Assert.True(result.RootElement.GetProperty("mppsPerWorker").GetDouble() > 0, output);

            // The generator's own count: what it sent in is what the forwarder received, less what still sat in the
            // ingress ring at the end; what came back is what the forwarder transmitted, less what sat in the egress ring.
            var generator = GeneratorLine().Match(output);
            Assert.True(generator.Success, output);
            long sentIn = long.Parse(generator.Groups[1].Value, CultureInfo.InvariantCulture), back = long.Parse(generator.Groups[2].Value, CultureInfo.InvariantCulture);
            Assert.InRange(sentIn - received, 0, RingHolds);
            Assert.InRange(transmitted - back, 0, RingHolds);
        }
    }
}
