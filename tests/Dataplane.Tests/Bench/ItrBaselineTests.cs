using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Bench;

/// <summary>
/// The C baseline (native/bench/itr_baseline.c, built by scripts/build-native.sh) is only a yardstick if it does the
/// real work: every frame it dumps must be a well-formed LISP encapsulation by tshark's reading (no malformed
/// packet, correct outer IPv4 checksum), sent to the RLOC of the prefix that covers the inner destination under the
/// generator of its header comment (prefix i = 11.0.0.0 + i * 256 /24, RLOC 198.51.100.(i % 250 + 1)).
/// </summary>
public sealed class ItrBaselineTests
{
    private const int Prefixes = 1024;
    private static readonly string BinaryPath = Path.Combine(RepositoryPaths.Root, "artifacts", "native", "itr_baseline");

    [Fact]
    public void DumpedFramesAreLispEncapsulationsTowardTheLookedUpRloc()
    {
        RequireBinary();
        TsharkOracle.RequireInstalled();
        string dump = Path.Combine(Path.GetTempPath(), $"itr-baseline-{Environment.ProcessId}-{Guid.NewGuid():N}.pcap");
        try
        {
            string output = RunBaseline("--prefixes", Prefixes.ToString(CultureInfo.InvariantCulture), "--seconds", "0.05", "--runs", "1", "--json", "--dump", dump);

            using (var json = JsonDocument.Parse(output))
            {
                Assert.True(json.RootElement.GetProperty("medianMpps").GetDouble() > 0, output);
                Assert.Equal(Prefixes, json.RootElement.GetProperty("prefixes").GetInt32());
                Assert.Equal(1, json.RootElement.GetProperty("runs").GetArrayLength());
            }

            // The inner UDP 5000 -> 5001 with 18 zero bytes (the C# benchmark's frame) is what tshark's port
            // heuristic takes for TAPA (UDP 5000) and calls malformed; with TAPA off the payload is plain data.
            var dissection = Tshark(dump, "frame.protocols", "_ws.malformed", "_ws.expert.severity", "_ws.expert.message");
            Assert.Equal(16, dissection.Length);
            foreach (string[] columns in dissection)
            {
                Assert.Equal("eth:ethertype:ip:udp:lisp-data:ip:udp:data", columns[0]);
                Assert.True(columns[1].Length == 0, $"malformed: {string.Join(" ", columns)}");
                foreach (string severity in columns[2].Split('|', StringSplitOptions.RemoveEmptyEntries))
                {
                    Assert.True(int.Parse(severity, CultureInfo.InvariantCulture) < TsharkOracle.SeverityWarn, $"expert info: {columns[3]}");
                }
            }

            var frames = TsharkOracle.Fields(dump, "ip.src", "ip.dst", "ip.checksum.status", "udp.dstport", "lisp-data.flags.nonce", "lisp-data.flags.iid", "lisp-data.iid", "ip.ttl");
            Assert.Equal(16, frames.Count);
            foreach (var frame in frames)
            {
                Assert.Equal(["192.0.2.1", "10.1.0.10"], frame["ip.src"]);
                Assert.Equal(["1", "1"], frame["ip.checksum.status"]); // tshark's "good" for outer and inner
                Assert.Equal("4341", frame["udp.dstport"][0]);
                Assert.Equal(["1"], frame["lisp-data.flags.nonce"].Select(Flag).ToArray());
                Assert.Equal(["1"], frame["lisp-data.flags.iid"].Select(Flag).ToArray());
                Assert.Equal(["7"], frame["lisp-data.iid"]);
                Assert.Equal(["63", "63"], frame["ip.ttl"]); // inner decremented, outer copied from it

                uint inner = Address(frame["ip.dst"][1]);
                uint index = (inner - 0x0B00_0000u) >> 8;
                Assert.True(inner >= 0x0B00_0000u && index < Prefixes, $"inner destination {frame["ip.dst"][1]} is outside every prefix");
                Assert.Equal($"198.51.100.{(index % 250) + 1}", frame["ip.dst"][0]);
            }
        }
        finally
        {
            File.Delete(dump);
        }
    }

    [Fact]
    public void FramesOptionKeepsTheDefaultRingAndRunsTheHarnessRing()
    {
        RequireBinary();
        string directory = Path.Combine(Path.GetTempPath(), $"itr-baseline-frames-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            string byDefault = Path.Combine(directory, "default.pcap"), explicit256 = Path.Combine(directory, "256.pcap"), ring = Path.Combine(directory, "16384.pcap");
            RunBaseline("--prefixes", "1024", "--seconds", "0.02", "--runs", "1", "--json", "--dump", byDefault);
            RunBaseline("--prefixes", "1024", "--frames", "256", "--seconds", "0.02", "--runs", "1", "--json", "--dump", explicit256);
            string output = RunBaseline("--prefixes", "1024", "--frames", "16384", "--seconds", "0.05", "--runs", "1", "--json", "--dump", ring);

            // 256 is the old single batch: the same frames, byte for byte (the nonces too: same order of packets).
            Assert.Equal(File.ReadAllBytes(byDefault), File.ReadAllBytes(explicit256));
            // A larger ring starts with the same draws, so its first batch is those frames again.
            Assert.Equal(File.ReadAllBytes(byDefault), File.ReadAllBytes(ring));
            using var json = JsonDocument.Parse(output);
            Assert.Equal(16384, json.RootElement.GetProperty("frames").GetInt32());
            Assert.True(json.RootElement.GetProperty("medianMpps").GetDouble() > 0, output);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("100")]
    [InlineData("300")]
    [InlineData("0")]
    public void RejectsARingOfPartialBatches(string frames)
    {
        RequireBinary();
        using var process = Start("--frames", frames);
        process.WaitForExit(10_000);
        Assert.Equal(2, process.ExitCode);
    }

    [Fact]
    public void RejectsUnknownArguments()
    {
        RequireBinary();
        using var process = Start("--bogus");
        process.WaitForExit(10_000);
        Assert.Equal(2, process.ExitCode);
    }

    private static string Flag(string value) => value is "True" or "1" ? "1" : "0";

    private static uint Address(string text)
    {
        byte[] bytes = IPAddress.Parse(text).GetAddressBytes();
        return ((uint)bytes[0] << 24) | ((uint)bytes[1] << 16) | ((uint)bytes[2] << 8) | bytes[3];
    }

    /// <summary>tshark as <see cref="TsharkOracle"/> runs it (checksums checked), with the TAPA dissector off.</summary>
    internal static string[][] Tshark(string capture, params string[] fields)
    {
        var start = new ProcessStartInfo(TsharkOracle.Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { "-r", capture, "-n", "--disable-protocol", "tapa", "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=|" })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (string field in fields)
        {
            start.ArgumentList.Add("-e");
            start.ArgumentList.Add(field);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start tshark");
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit(60_000);
        Assert.True(process.ExitCode == 0, $"tshark exited with {process.ExitCode}: {stderr.Result}");
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t') is var columns && columns.Length >= fields.Length ? columns : [.. columns, .. Enumerable.Repeat("", fields.Length - columns.Length)])
            .ToArray();
    }

    private static void RequireBinary()
    {
        if (!File.Exists(BinaryPath))
        {
            Assert.Skip($"{BinaryPath} is missing: build it with scripts/build-native.sh (scripts/test does)");
        }
    }

    private static string RunBaseline(params string[] arguments)
    {
        using var process = Start(arguments);
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill();
            throw new TimeoutException("itr_baseline did not finish within 60 s");
        }

        Assert.True(process.ExitCode == 0, $"itr_baseline exited with {process.ExitCode}: {stderr.Result}");
        return stdout;
    }

    private static Process Start(params string[] arguments)
    {
        var start = new ProcessStartInfo(BinaryPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("could not start itr_baseline");
    }
}
