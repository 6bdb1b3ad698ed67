using System.Text.Json;
using System.Text.Json.Nodes;
using Dataplane.Host.Run;
using Dataplane.Tests.Golden;

namespace Dataplane.Tests.Host;

/// <summary>
/// The daemon on capture-file ports: the same golden cases the replay suite checks, run through worker threads,
/// per-port transmit bursts and the control thread, must give the same frames (each port's in order) and conserved counters.
/// </summary>
public sealed class RunCommandTests : IDisposable
{
    private readonly string scratch = Directory.CreateTempSubdirectory("dataplane-run-").FullName;

    [Theory]
    [InlineData("quickstart-xtr", 1)]
    [InlineData("quickstart-xtr", 2)]
    [InlineData("vtep-l2-decap", 1)]
    [InlineData("gtpu-encap", 2)]
    [InlineData("tof-separate-enb-side", 2)]
    [InlineData("tof-shared-s1", 2)]
    [InlineData("tof-one-armed-round-trip", 1)]
    public void Run_on_pcap_ports_forwards_what_replay_forwards(string name, int workers)
    {
        var goldenCase = new GoldenCase(name);
        string configPath = PcapPortsConfig.Write(goldenCase.ConfigPath, goldenCase.InputPath, scratch, workers);
        var output = new StringWriter();
        var error = new StringWriter();

        int exitCode = RunCommand.Run(["--config", configPath, "--exit-when-idle", "0.3", "--duration", "30", "--nonce-seed", "1"], output, error);

        Assert.True(exitCode == 0, output.ToString() + error);
        Assert.Contains("conservation holds", output.ToString(), StringComparison.Ordinal);
        var expected = CaptureFrames.Read(goldenCase.ExpectedPath);
        var perPort = Enumerable.Range(0, JsonNode.Parse(File.ReadAllText(configPath))!["ports"]!.AsArray().Count).Select(i => CaptureFrames.Read(Path.Combine(scratch, $"tx{i}.pcap"))).ToList();
        Assert.Equal(expected.Count, perPort.Sum(f => f.Count));
        foreach (var frames in perPort)
        {
            // Each port's frames appear in the expected output, in the same order.
            int at = 0;
            foreach (var frame in frames)
            {
                while (at < expected.Count && !expected[at].AsSpan().SequenceEqual(frame))
                {
                    at++;
                }

                Assert.True(at < expected.Count, $"{name}: a transmitted frame is not in the expected output (or out of order): {Convert.ToHexString(frame)}");
                at++;
            }
        }
    }

    [Theory]
    [InlineData("""{ "ports": [ { "name": "a", "mac": "02:00:00:00:00:01" } ] }""", "ports[0].driver", "has no driver")]
    [InlineData("""{ "ports": [ { "name": "a", "mac": "02:00:00:00:00:01", "driver": "netmap" } ] }""", "ports[0].driver", "unknown driver 'netmap'")]
    [InlineData("""{ "ports": [ { "name": "a", "mac": "02:00:00:00:00:01", "driver": "pcap" } ] }""", "ports[0].rxPcap", "needs rxPcap")]
    [InlineData("""{ "workers": 0, "ports": [ { "name": "a", "mac": "02:00:00:00:00:01", "driver": "pcap", "rxPcap": "x" } ] }""", "workers", "outside 1..64")]
    [InlineData("""{ "ports": [ { "name": "a", "mac": "02:00:00:00:00:01", "driver": "pcap", "rxPcap": "/nonexistent/in.pcap" } ] }""", "ports[0].rxPcap", "/nonexistent/in.pcap")]
    [InlineData("""{ "ports": [ { "name": "a", "mac": "02:00:00:00:00:01", "driver": "af_packet" } ] }""", "ports[0].interface", "needs interface")]
    [InlineData("""{ "ports": [ { "name": "a", "mac": "02:00:00:00:00:01", "driver": "af_packet", "interface": "dpt-none-0" } ] }""", "ports[0].interface", "'dpt-none-0' not found")]
    public void A_port_that_cannot_be_opened_exits_2_naming_the_field(string json, string field, string problem)
    {
        string configPath = Path.Combine(scratch, "bad.json");
        File.WriteAllText(configPath, json);
        var output = new StringWriter();
        var error = new StringWriter();

        int exitCode = RunCommand.Run(["--config", configPath, "--duration", "1"], output, error);

        Assert.Equal(2, exitCode);
        Assert.Contains(field, error.ToString(), StringComparison.Ordinal);
        Assert.Contains(problem, error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--log-level", "loud", "--log-level: 'loud' is not one of: trace, debug, information, warning, error, critical")]
    [InlineData("--log-format", "xml", "--log-format: 'xml' is not one of: plain, systemd, json")]
    public void A_bad_log_option_exits_2_naming_the_option_and_the_names_it_takes(string option, string value, string problem)
    {
        var error = new StringWriter();

        int exitCode = RunCommand.Run(["--config", "unused.json", option, value], new StringWriter(), error);

        Assert.Equal(2, exitCode);
        Assert.StartsWith($"dataplane run: {problem}", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("see 'dataplane run --help'", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_control_log_level_in_the_file_exits_2_naming_the_field()
    {
        string configPath = Path.Combine(scratch, "bad-level.json");
        File.WriteAllText(configPath, """{ "control": { "logLevel": "verbose" }, "ports": [] }""");
        var error = new StringWriter();

        int exitCode = RunCommand.Run(["--config", configPath, "--log-format", "systemd"], new StringWriter(), error);

        Assert.Equal(2, exitCode);
        Assert.StartsWith("<2>Dataplane.Control.Run[2] ", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("control.logLevel: 'verbose' is not one of", error.ToString(), StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(scratch, recursive: true);
}
