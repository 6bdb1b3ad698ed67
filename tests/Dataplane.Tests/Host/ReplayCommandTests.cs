using Dataplane.Host.Replay;
using Dataplane.Tests.Golden;

namespace Dataplane.Tests.Host;

/// <summary>The replay command's contract with a user: exit codes, and errors that say what is wrong.</summary>
public sealed class ReplayCommandTests : IDisposable
{
    private readonly string scratch = Directory.CreateTempSubdirectory("dataplane-replay-").FullName;

    [Fact]
    public void Without_arguments_it_replays_the_embedded_xtr_example_and_prints_conserved_counters()
    {
        string outPath = Path.Combine(scratch, "out.pcap");
        string puntPath = Path.Combine(scratch, "punt.pcap");

        var (exitCode, output, error) = Run("--out", outPath, "--punt", puntPath);

        Assert.Equal(0, exitCode);
        Assert.Equal("", error);
        Assert.Contains("roles [itr, etr]", output, StringComparison.Ordinal);
        Assert.Contains("conservation holds", output, StringComparison.Ordinal);
        Assert.Matches(@"received\s+17\b", output);
        Assert.Matches(@"LispToForeignRloc\s+1\b", output);
        var quickstart = new GoldenCase("quickstart-xtr");
        CaptureFrames.AssertEqual(CaptureFrames.Read(quickstart.ExpectedPath), CaptureFrames.Read(outPath), "embedded replay");
        CaptureFrames.AssertEqual(CaptureFrames.Read(quickstart.ExpectedPuntPath), CaptureFrames.Read(puntPath), "embedded replay punts");
    }

    [Fact]
    public void A_configuration_error_exits_2_naming_the_field()
    {
        string config = Write("bad.json", """{ "ports": [ { "name": "a", "mac": "02:00:00:00:00:01" } ], "routes": [ { "prefix": "10.0.0.0/33", "port": "a" } ] }""");

        var (exitCode, _, error) = Run("--config", config, "--out", Path.Combine(scratch, "out.pcap"), "--punt", Path.Combine(scratch, "punt.pcap"));

        Assert.Equal(2, exitCode);
        Assert.Contains("routes[0].prefix", error, StringComparison.Ordinal);
        Assert.Contains("10.0.0.0/33", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--bogus", "unknown option '--bogus'")]
    [InlineData("--in", "--in needs a value")]
    [InlineData("--nonce-seed -1", "not a non-negative integer")]
    public void A_bad_command_line_exits_2_saying_why(string arguments, string problem)
    {
        var (exitCode, _, error) = Run(arguments.Split(' '));

        Assert.Equal(2, exitCode);
        Assert.Contains(problem, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_capture_that_breaks_off_exits_1_with_the_offset_and_keeps_what_was_read()
    {
        string config = Write("ok.json", """{ "ports": [ { "name": "a", "mac": "02:00:00:00:00:01" } ] }""");
        // A pcap header (microseconds, Ethernet) and one record header that promises 60 bytes but holds 4.
        byte[] capture = Convert.FromHexString("D4C3B2A1020004000000000000000000FFFF000001000000" + "00000000000000003C0000003C000000" + "01020304");
        string input = Path.Combine(scratch, "cut.pcap");
        File.WriteAllBytes(input, capture);

        var (exitCode, output, error) = Run("--config", config, "--in", input, "--out", Path.Combine(scratch, "out.pcap"), "--punt", Path.Combine(scratch, "punt.pcap"), "--quiet");

        Assert.Equal(1, exitCode);
        Assert.Contains("offset 24", error, StringComparison.Ordinal);
        Assert.Contains("conservation holds", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_input_exits_1_naming_the_file()
    {
        string config = Write("ok.json", """{ "ports": [ { "name": "a", "mac": "02:00:00:00:00:01" } ] }""");
        string missing = Path.Combine(scratch, "nowhere.pcap");

        var (exitCode, _, error) = Run("--config", config, "--in", missing, "--out", Path.Combine(scratch, "out.pcap"), "--punt", Path.Combine(scratch, "punt.pcap"));

        Assert.Equal(1, exitCode);
        Assert.Contains(missing, error, StringComparison.Ordinal);
    }

    private string Write(string name, string text) => ReplayInvocation.Write(scratch, name, text);

    private static (int ExitCode, string Output, string Error) Run(params string[] arguments) => ReplayInvocation.Run(arguments);

    public void Dispose() => Directory.Delete(scratch, recursive: true);
}
