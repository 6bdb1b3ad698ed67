using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Ports.Pcap;
using Dataplane.Ports.Replay;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Golden;

/// <summary>
/// The golden regression suite: every case in pcaps/golden is replayed through the pipeline exactly as
/// <c>dataplane replay</c> does, and what comes out must equal, byte for byte, what the case's Scapy generator
/// built from the RFCs; the counters must match what the generator's author worked out (so every drop is under the
/// intended reason) and be conserved; and tshark must find nothing wrong in the output.
/// </summary>
public sealed class GoldenSuiteTests : IDisposable
{
    private readonly string scratch = Directory.CreateTempSubdirectory("dataplane-golden-").FullName;

    public static TheoryData<string> Cases() => new(GoldenCase.Names());

    [Theory]
    [MemberData(nameof(Cases))]
    public void Replay_emits_the_expected_frames_and_counters(string name)
    {
        var goldenCase = new GoldenCase(name);
        string outPath = Path.Combine(scratch, "out.pcap");
        string puntPath = Path.Combine(scratch, "punt.pcap");
        var result = Replay(goldenCase, outPath, puntPath);

        Assert.Null(result.InputError);
        Assert.True(result.Counters.IsConserved, result.Counters.ToTable());
        CaptureFrames.AssertEqual(CaptureFrames.Read(goldenCase.ExpectedPath), CaptureFrames.Read(outPath), $"{name} transmitted");
        var expectedPunts = File.Exists(goldenCase.ExpectedPuntPath) ? CaptureFrames.Read(goldenCase.ExpectedPuntPath) : [];
        CaptureFrames.AssertEqual(expectedPunts, CaptureFrames.Read(puntPath), $"{name} punted");

        if (goldenCase.ReadExpectedCounters() is { } expected)
        {
            var counters = result.Counters;
            string table = counters.ToTable();
            Assert.True(expected.Received == counters.Received, $"received: expected {expected.Received}\n{table}");
            Assert.True(expected.Emitted == counters.Emitted, $"emitted: expected {expected.Emitted}\n{table}");
            Assert.True(expected.Transmitted == counters.Transmitted, $"transmitted: expected {expected.Transmitted}\n{table}");
            Assert.True(expected.Punted == counters.Punted, $"punted: expected {expected.Punted}\n{table}");
            var actualDrops = counters.Drops.ToDictionary(d => d.Key.ToString(), d => d.Value);
            Assert.Equal(expected.Drops.OrderBy(d => d.Key), actualDrops.OrderBy(d => d.Key));
            foreach (var (eventName, count) in expected.Events)
            {
                long actual = counters.Events.FirstOrDefault(e => e.Key.ToString() == eventName).Value;
                Assert.True(count == actual, $"event {eventName}: expected {count}, got {actual}\n{table}");
            }
        }

        if (result.Counters.Transmitted > 0)
        {
            Assert.Empty(TsharkOracle.Problems(outPath));
        }

        if (result.Counters.Punted > 0)
        {
            Assert.Empty(TsharkOracle.Problems(puntPath));
        }
    }

    [Fact]
    public void The_suite_has_cases()
    {
        Assert.NotEmpty(GoldenCase.Names());
    }

    [Fact]
    public void Regenerating_every_case_with_scapy_reproduces_the_committed_files()
    {
        string[] generators = Directory.GetFiles(GoldenCase.Root, "generate_*.py");
        Assert.NotEmpty(generators);
        foreach (string generator in generators)
        {
            ScapyOracle.Run(generator, scratch);
        }

        var generatedCases = Directory.GetDirectories(scratch).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(GoldenCase.Names().ToArray(), generatedCases);
        foreach (string name in generatedCases)
        {
            foreach (string file in Directory.GetFiles(Path.Combine(scratch, name)))
            {
                string committed = Path.Combine(GoldenCase.Root, name, Path.GetFileName(file));
                Assert.True(File.Exists(committed), $"pcaps/golden/{name}/{Path.GetFileName(file)} is generated but not committed");
                Assert.True(File.ReadAllBytes(committed).AsSpan().SequenceEqual(File.ReadAllBytes(file)),
                    $"pcaps/golden/{name}/{Path.GetFileName(file)} differs from what the generators make: regenerate with /usr/bin/python3 pcaps/golden/generate_*.py");
            }
        }
    }

    /// <summary>Runs a case the way <c>dataplane replay</c> does: capture clock, the default nonce seed, input on port 0.</summary>
    internal static ReplayResult Replay(GoldenCase goldenCase, string outPath, string puntPath)
    {
        var clock = new ReplayClock();
        var plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Load(goldenCase.ConfigPath), new ForwardingPlaneOptions { Clock = clock, NonceSeed = 1 });
        using var input = File.OpenRead(goldenCase.InputPath);
        using var output = new PcapWriter(outPath, CaptureLinkType.Ethernet, PcapTimestampPrecision.Nanoseconds);
        using var punts = new PcapWriter(puntPath, CaptureLinkType.Ethernet, PcapTimestampPrecision.Nanoseconds);
        return new PcapReplay(plane, clock).Run(input, output, punts);
    }

    public void Dispose() => Directory.Delete(scratch, recursive: true);
}
