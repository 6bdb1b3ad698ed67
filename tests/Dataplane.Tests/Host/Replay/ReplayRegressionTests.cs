using System.Diagnostics;
using System.Text.Json.Nodes;
using Dataplane.Host.Replay;
using Dataplane.Tests.Golden;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Host.Replay;

/// <summary>
/// <c>dataplane replay</c> as a regression suite uses it: counters as JSON, compared with a file; transmitted packets
/// compared with a capture; pcapng per port out and in; dropped packets with their reasons; a trace of the first
/// packets. Expected values come from the golden cases' files (worked out by their Scapy generators), from tshark,
/// or from the quick start's configuration read by hand.
/// </summary>
public sealed class ReplayRegressionTests : IDisposable
{
    private static readonly GoldenCase Quickstart = new("quickstart-xtr");

    private readonly string scratch = Directory.CreateTempSubdirectory("dataplane-replay-suite-").FullName;

    public static TheoryData<string> GoldenCasesWithCounters() => [.. GoldenCase.Names().Where(name => new GoldenCase(name).ReadExpectedCounters() is not null)];

    [Fact]
    public void Json_gives_the_counters_the_golden_case_expects_and_each_ports_share_as_tshark_counts_it()
    {
        var (exitCode, output, error) = Replay(Quickstart, "--json");

        Assert.True(exitCode == 0, error);
        var report = JsonNode.Parse(output)!.AsObject();
        var expected = JsonNode.Parse(File.ReadAllText(Quickstart.ExpectedCountersPath))!.AsObject();
        foreach (string field in new[] { "received", "transmitted", "punted" })
        {
            Assert.Equal(expected[field]!.GetValue<long>(), report[field]!.GetValue<long>());
        }

        Assert.Equal(0, report["emitted"]!.GetValue<long>());
        Assert.Equal(3, report["dropped"]!.GetValue<long>());
        Assert.True(JsonNode.DeepEquals(expected["drops"], report["drops"]), report["drops"]!.ToJsonString());
        Assert.True(JsonNode.DeepEquals(expected["events"], report["events"]), report["events"]!.ToJsonString());
        Assert.True(report["conserved"]!.GetValue<bool>());
        Assert.Equal(["itr", "etr"], report["roles"]!.AsArray().Select(r => r!.GetValue<string>()));

        // The whole input is on the first port (classic pcap); what left each port, as tshark reads the output's interfaces.
        var ports = report["ports"]!.AsObject();
        Assert.Equal(17, ports["eid-side"]!["received"]!.GetValue<long>());
        Assert.Equal(0, ports["rloc-side"]!["received"]!.GetValue<long>());
        string transmitted = report["outputs"]!["transmitted"]!.GetValue<string>();
        var byInterface = TsharkOracle.Columns(transmitted, "frame.interface_name").GroupBy(row => row[0]).ToDictionary(g => g.Key, g => (long)g.Count());
        Assert.Equal(byInterface.GetValueOrDefault("eid-side"), ports["eid-side"]!["transmitted"]!.GetValue<long>());
        Assert.Equal(byInterface.GetValueOrDefault("rloc-side"), ports["rloc-side"]!["transmitted"]!.GetValue<long>());
        Assert.Equal(12, byInterface.Values.Sum());
    }

    [Theory]
    [MemberData(nameof(GoldenCasesWithCounters))]
    public void Every_golden_case_passes_its_own_expected_counters_and_capture(string name)
    {
        var goldenCase = new GoldenCase(name);

        var (exitCode, _, error) = Replay(goldenCase, "--expect", goldenCase.ExpectedCountersPath, "--expect-pcap", goldenCase.ExpectedPath);

        Assert.True(exitCode == 0, error);
        Assert.Equal("", error);
    }

    [Fact]
    public void Counters_that_differ_exit_1_with_one_line_per_difference()
    {
        // The quick start drops 3 (one MalformedIpv4, one LispToForeignRloc, one NegativeEntryDrop) and transmits 12.
        string expect = Write("expect.json", """{ "dropped": 4, "transmitted": 12, "drops": { "LispToForeignRloc": 1, "NegativeEntryDrop": 1, "NoHandler": 2 } }""");

        var (exitCode, _, error) = Replay(Quickstart, "--expect", expect);

        Assert.Equal(1, exitCode);
        Assert.Contains("the counters differ from " + expect, error, StringComparison.Ordinal);
        string[] lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[1..];
        Assert.Equal(["dropped: expected 4, got 3", "drops.MalformedIpv4: expected 0, got 1", "drops.NoHandler: expected 2, got 0"], lines);
    }

    [Fact]
    public void Counters_as_expected_in_a_subset_exit_0()
    {
        string expect = Write("expect.json", """{ "received": 17, "ports": { "rloc-side": { "transmitted": 8 } }, "conserved": true, "input": "ignored", "outputs": {} }""");

        var (exitCode, _, error) = Replay(Quickstart, "--expect", expect);

        Assert.True(exitCode == 0, error);
    }

    [Theory]
    [InlineData("{ \"received\": ", "expect.json")]
    [InlineData("{ \"received\": \"17\" }", "'received' must be a non-negative integer")]
    [InlineData("[1, 2]", "not a JSON object")]
    public void An_expectation_that_does_not_parse_exits_1_saying_why_without_a_stack_trace(string text, string problem)
    {
        string expect = Write("expect.json", text);

        var (exitCode, _, error) = Replay(Quickstart, "--expect", expect);

        Assert.Equal(1, exitCode);
        Assert.Contains(problem, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_capture_that_differs_names_the_packet_the_byte_and_the_layer_on_both_sides()
    {
        // Byte 30 of an Ethernet + IPv4 frame is the first octet of the IPv4 destination (14 + 16).
        var frames = CaptureFrames.Read(Quickstart.ExpectedPath);
        string expectedCapture = Path.Combine(scratch, "expected.pcapng");
        byte original = frames[2][30];
        frames[2][30] ^= 0xff;
        NamedInterfaceCapture.Write(expectedCapture, ["any"], frames.Select(f => (0, f)));
        frames[2][30] = original;

        var (exitCode, _, error) = Replay(Quickstart, "--expect-pcap", expectedCapture);

        Assert.Equal(1, exitCode);
        Assert.Contains($"byte 30 differs: expected 0x{original ^ 0xff:x2} in ipv4, got 0x{original:x2} in ipv4", error, StringComparison.Ordinal);
        // "any" is no port the output used, so the files are compared in file order.
        Assert.Contains("packet 3 (expected #3, got #3 in file order): ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Captures_named_per_port_are_compared_port_by_port_whatever_the_order_between_ports()
    {
        // The golden expected.pcap merges both ports; the frame's source MAC says which port sent it (config.json).
        var frames = CaptureFrames.Read(Quickstart.ExpectedPath);
        byte[] ridSideMac = [0x02, 0, 0, 0, 0, 0x02];
        var perPort = frames.Select(f => (Interface: f.AsSpan(6, 6).SequenceEqual(ridSideMac) ? 1 : 0, Frame: f)).OrderBy(p => p.Interface).ToList();
        string inOrder = Path.Combine(scratch, "per-port.pcapng");
        NamedInterfaceCapture.Write(inOrder, ["eid-side", "rloc-side"], perPort);
        Assert.Equal(["eid-side", "rloc-side"], TsharkOracle.Columns(inOrder, "frame.interface_name").Select(r => r[0]).Distinct());

        var (passCode, _, passError) = Replay(Quickstart, "--expect-pcap", inOrder);
        Assert.True(passCode == 0, passError);

        // Two rloc-side frames swapped: the first rloc-side packet now differs.
        int first = perPort.FindIndex(p => p.Interface == 1);
        (perPort[first], perPort[first + 1]) = (perPort[first + 1], perPort[first]);
        string swapped = Path.Combine(scratch, "swapped.pcapng");
        NamedInterfaceCapture.Write(swapped, ["eid-side", "rloc-side"], perPort);

        var (failCode, _, failError) = Replay(Quickstart, "--expect-pcap", swapped);
        Assert.Equal(1, failCode);
        Assert.Contains("port rloc-side: packet 1 ", failError, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_packets_are_counted_per_port()
    {
        var frames = CaptureFrames.Read(Quickstart.ExpectedPath);
        string fewer = Path.Combine(scratch, "fewer.pcapng");
        NamedInterfaceCapture.Write(fewer, ["any"], frames.Take(11).Select(f => (0, f)));

        var (exitCode, _, error) = Replay(Quickstart, "--expect-pcap", fewer);

        Assert.Equal(1, exitCode);
        Assert.Contains("expected 11 packets, got 12 (the first extra is #12 of the output)", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pcapng_with_interfaces_named_after_ports_feeds_each_port()
    {
        // The quick start's LISP packets from remote ITRs (input packets 9, 10 and 14: UDP 4341 to an RLOC) arrive
        // on the underlay port this time, everything else on the EID port.
        var frames = CaptureFrames.Read(Quickstart.InputPath);
        int[] underlay = [9, 10, 14];
        string input = Path.Combine(scratch, "two-ports.pcapng");
        NamedInterfaceCapture.Write(input, ["eid-side", "rloc-side"], frames.Select((f, i) => (underlay.Contains(i + 1) ? 1 : 0, f)));
        Assert.Equal(3, TsharkOracle.Columns(input, "frame.interface_name").Count(r => r[0] == "rloc-side"));

        var (exitCode, output, error) = Run("--config", Quickstart.ConfigPath, "--in", input, "--json", "--quiet", "--expect", Quickstart.ExpectedCountersPath);

        Assert.True(exitCode == 0, error);
        var ports = JsonNode.Parse(output)!["ports"]!;
        Assert.Equal(14, ports["eid-side"]!["received"]!.GetValue<long>());
        Assert.Equal(3, ports["rloc-side"]!["received"]!.GetValue<long>());
    }

    [Fact]
    public void An_interface_named_after_no_port_exits_1_naming_it_and_the_ports()
    {
        var frames = CaptureFrames.Read(Quickstart.InputPath);
        string input = Path.Combine(scratch, "unknown-port.pcapng");
        NamedInterfaceCapture.Write(input, ["eid-side", "core9"], frames.Select((f, i) => (i % 2, f)));

        var (exitCode, _, error) = Run("--config", Quickstart.ConfigPath, "--in", input, "--quiet");

        Assert.Equal(1, exitCode);
        Assert.Contains("interface 1 is named 'core9', which is no port of the configuration (ports: eid-side, rloc-side)", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(GoldenCasesWithCounters))]
    public void Dropped_packets_carry_their_reason_and_stage_in_comments_tshark_reads_matching_the_counters(string name)
    {
        var goldenCase = new GoldenCase(name);
        string drops = Path.Combine(scratch, "drops.pcapng");

        var (exitCode, output, error) = Replay(goldenCase, "--json", "--drops", drops);

        Assert.True(exitCode == 0, error);
        var reported = JsonNode.Parse(output)!["drops"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<long>());
        var expected = goldenCase.ReadExpectedCounters()!;
        var rows = TsharkOracle.Columns(drops, "frame.comment", "frame.interface_name");
        var fromComments = rows.Select(r => r[0].Split(' ')[0]).GroupBy(r => r).ToDictionary(g => g.Key["reason=".Length..], g => (long)g.Count());
        Assert.Equal(reported.OrderBy(p => p.Key), fromComments.OrderBy(p => p.Key));
        Assert.Equal(expected.Drops.Values.Sum(), rows.Length);
        Assert.All(rows, r => Assert.Matches(@"^reason=\w+ stage=[\w-]+ (packet=\d+|emitted)$", r[0]));
    }

    [Fact]
    public void The_quick_starts_drops_name_the_stage_and_input_packet_read_off_its_configuration()
    {
        string drops = Path.Combine(scratch, "drops.pcapng");

        var (exitCode, _, error) = Replay(Quickstart, "--drops", drops);

        Assert.True(exitCode == 0, error);
        // 12: to 10.4.0.0/16, a negative map-cache entry (drop); 14: LISP to 10.1.0.254, not an RLOC; 16: cut IPv4.
        Assert.Equal(
            [["reason=NegativeEntryDrop stage=lisp-encapsulation packet=12", "eid-side"], ["reason=LispToForeignRloc stage=lisp-decap packet=14", "eid-side"], ["reason=MalformedIpv4 stage=classify packet=16", "eid-side"]],
            TsharkOracle.Columns(drops, "frame.comment", "frame.interface_name"));
    }

    [Fact]
    public void Trace_shows_each_packets_path_and_changes_no_counter()
    {
        // The first packet's outer destination is the RLOC the golden generator expects, read from expected.pcap by tshark.
        string rloc = TsharkOracle.Columns(Quickstart.ExpectedPath, "ip.dst")[0][0];

        var (exitCode, output, error) = Replay(Quickstart, "--trace", "17", "--expect", Quickstart.ExpectedCountersPath, "--expect-pcap", Quickstart.ExpectedPath);

        Assert.True(exitCode == 0, error);
        string[] lines = output.Split('\n');
        Assert.StartsWith("#1 eid-side eth ipv4[10.1.0.10>10.2.0.1 ttl=64] udp[10000>5001]: classify=NativeIpv4 lisp-encapsulation: LispEncapsulated now LispData -> port rloc-side eth ipv4[192.0.2.1>" + rloc + " ", lines[0], StringComparison.Ordinal);
        Assert.Contains("classify=LispData lisp-decap: LispDecapsulated now NativeIpv4 lisp-encapsulation: pass routing: Routed -> port eid-side", lines[8], StringComparison.Ordinal);
        Assert.Contains("lisp-encapsulation: MapCacheMissPunted -> punt", lines[10], StringComparison.Ordinal);
        Assert.EndsWith("lisp-encapsulation: drop NegativeEntryDrop -> drop NegativeEntryDrop at lisp-encapsulation", lines[11].TrimEnd(), StringComparison.Ordinal);
        Assert.EndsWith("classify=Unclassified -> drop MalformedIpv4 at classify", lines[15].TrimEnd(), StringComparison.Ordinal);
        Assert.EndsWith("classify=Arp neighbour-discovery: ArpReplied -> port eid-side eth arp[reply 10.1.0.254>10.1.0.10]", lines[16].TrimEnd(), StringComparison.Ordinal);
        Assert.StartsWith("replayed ", lines[17], StringComparison.Ordinal);
    }

    [Fact]
    public void Outputs_default_to_pcapng_next_to_the_input()
    {
        string input = Path.Combine(scratch, "site.pcap");
        File.Copy(Quickstart.InputPath, input);

        var (exitCode, output, error) = Run("--config", Quickstart.ConfigPath, "--in", input, "--quiet");

        Assert.True(exitCode == 0, error);
        Assert.Contains($"12 transmitted packets written to {Path.Combine(scratch, "site.out.pcapng")}", output, StringComparison.Ordinal);
        Assert.Contains($"2 punted packets written to {Path.Combine(scratch, "site.punt.pcapng")}", output, StringComparison.Ordinal);
        Assert.Equal(12, TsharkOracle.Columns(Path.Combine(scratch, "site.out.pcapng"), "frame.interface_name").Length);
        Assert.Equal(["eid-side", "eid-side"], TsharkOracle.Columns(Path.Combine(scratch, "site.punt.pcapng"), "frame.interface_name").Select(r => r[0]));
    }

    [Theory]
    [InlineData("--out-dir", "nowhere", "--out-dir: directory")]
    [InlineData("--out", "nowhere/out.pcapng", "--out: directory")]
    [InlineData("--drops", "drops.pcap", "cannot hold the drop comments")]
    [InlineData("--trace", "-3", "--trace: '-3' is not an integer of at least 0")]
    public void A_bad_output_option_exits_2_without_a_stack_trace(string option, string value, string problem)
    {
        string argument = option is "--out-dir" or "--out" ? Path.Combine(scratch, value) : value;

        var (exitCode, _, error) = option == "--out-dir"
            ? Run("--config", Quickstart.ConfigPath, "--in", Quickstart.InputPath, "--out-dir", argument, "--quiet")
            : Replay(Quickstart, option, argument);

        Assert.Equal(2, exitCode);
        Assert.Contains(problem, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_embedded_example_writes_into_the_current_directory_and_says_so()
    {
        string program = Path.Combine(AppContext.BaseDirectory, "dataplane");
        var start = new ProcessStartInfo(program, ["replay", "--quiet"]) { WorkingDirectory = scratch, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(60_000), "dataplane replay did not finish within 60 s");

        Assert.True(process.ExitCode == 0, error);
        string[] lines = output.TrimEnd().Split('\n');
        Assert.Equal("12 transmitted packets written to quickstart-xtr.out.pcapng", lines[^2]);
        Assert.Equal("2 punted packets written to quickstart-xtr.punt.pcapng", lines[^1]);
        CaptureFrames.AssertEqual(CaptureFrames.Read(Quickstart.ExpectedPath), CaptureFrames.Read(Path.Combine(scratch, "quickstart-xtr.out.pcapng")), "embedded replay");
        CaptureFrames.AssertEqual(CaptureFrames.Read(Quickstart.ExpectedPuntPath), CaptureFrames.Read(Path.Combine(scratch, "quickstart-xtr.punt.pcapng")), "embedded replay punts");
    }

    private (int ExitCode, string Output, string Error) Replay(GoldenCase goldenCase, params string[] options) =>
        Run(["--config", goldenCase.ConfigPath, "--in", goldenCase.InputPath, "--out-dir", scratch, "--quiet", .. options]);

    private string Write(string name, string text) => ReplayInvocation.Write(scratch, name, text);

    private static (int ExitCode, string Output, string Error) Run(params string[] arguments) => ReplayInvocation.Run(arguments);

    public void Dispose() => Directory.Delete(scratch, recursive: true);
}
