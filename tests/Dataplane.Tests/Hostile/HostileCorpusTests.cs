using System.Text.Json;
using System.Text.Json.Nodes;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Host.Replay;
using Dataplane.Host.Run;
using Dataplane.Ports.Pcap;
using Dataplane.Ports.Replay;
using Dataplane.Tests.Golden;
using Dataplane.Tests.Host;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Hostile;

/// <summary>
/// Hostile traffic: every family of pcaps/hostile (truncations at every length, lying lengths, endless
/// extension chains, nested tunnels) replayed through the pipeline of the golden config it is addressed to. Nothing
/// throws, every packet is counted in, every packet ends transmitted, punted or dropped under a named reason, and
/// where the RFCs make the reason certain (a frame shorter than Ethernet, an IPv4 header cut short) it is that one.
/// </summary>
public sealed class HostileCorpusTests : IDisposable
{
    private readonly string scratch = Directory.CreateTempSubdirectory("dataplane-hostile-").FullName;

    public static TheoryData<string> Families() => new(HostileCorpus.Families.Keys.Order(StringComparer.Ordinal));

    [Fact]
    public void The_corpus_covers_every_family_the_issue_names()
    {
        string[] expected =
        [
            "truncated-ethernet", "truncated-vlan-qinq", "truncated-arp", "truncated-ipv4-header", "truncated-ipv6-extensions",
            "truncated-udp-tcp-icmp", "truncated-lisp-data", "truncated-lisp-control", "truncated-vxlan", "truncated-vxlan-gpe",
            "truncated-gtpu", "lying-lengths-ip-udp", "lying-lengths-gtpu", "ipv6-extension-chains", "gtpu-extension-chains",
            "nested-lisp", "nested-vxlan", "nested-rtr", "fragments-ipv4", "fragments-ipv6", "transit-tunnels", "icmp-error-triggers",
            "tof-ipv6", "gtpu-path-signalling",
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), HostileCorpus.Families.Keys.Order(StringComparer.Ordinal));
        foreach (string family in expected)
        {
            Assert.True(File.Exists(HostileCorpus.PcapPath(family)), family);
            Assert.Equal(HostileCorpus.Families[family].Packets, CaptureFrames.Read(HostileCorpus.PcapPath(family)).Count);
            Assert.True(File.Exists(new GoldenCase(HostileCorpus.Families[family].Config).ConfigPath), family);
        }
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Replay_accounts_for_every_hostile_packet_under_a_named_reason(string family)
    {
        var entry = HostileCorpus.Families[family];
        var clock = new ReplayClock();
        var plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Load(new GoldenCase(entry.Config).ConfigPath), new ForwardingPlaneOptions { Clock = clock, NonceSeed = 1 });
        ReplayResult result;
        using (var input = File.OpenRead(HostileCorpus.PcapPath(family)))
        using (var output = new PcapWriter(Path.Combine(scratch, "out.pcap"), CaptureLinkType.Ethernet, PcapTimestampPrecision.Nanoseconds))
        using (var punts = new PcapWriter(Path.Combine(scratch, "punt.pcap"), CaptureLinkType.Ethernet, PcapTimestampPrecision.Nanoseconds))
        {
            result = new PcapReplay(plane, clock).Run(input, output, punts);
        }

        var counters = result.Counters;
        string table = counters.ToTable();
        Assert.Null(result.InputError);
        Assert.True(entry.Packets == counters.Received, $"received: expected {entry.Packets}\n{table}");
        Assert.True(counters.IsConserved, table);
        Assert.True(counters.Dropped(DropReason.None) == 0, $"drops without a reason\n{table}");
        foreach (var reason in counters.Drops.Keys)
        {
            Assert.True(Enum.IsDefined(reason), $"unnamed drop reason {(int)reason}\n{table}");
        }

        foreach (var (reasonName, count) in entry.Drops)
        {
            var reason = Enum.Parse<DropReason>(reasonName);
            Assert.True(count == counters.Dropped(reason), $"{reasonName}: expected {count}\n{table}");
        }

        if (entry.Transmitted is { } transmitted)
        {
            Assert.True(transmitted == counters.Transmitted, $"transmitted: expected {transmitted}\n{table}");
        }

        Assert.Equal(counters.Transmitted, CaptureFrames.Read(Path.Combine(scratch, "out.pcap")).Count);
    }

    /// <summary>
    /// icmp-error-triggers: 19 expiring packets and 4 unroutable ones about which no ICMP error may be sent (errors,
    /// later fragments, group / broadcast / unspecified / loopback / class E sources, link-layer broadcast, group and
    /// broadcast destinations), then 300 eligible expiring packets in one instant: the budget of 100 a second lets
    /// exactly its burst of 100 errors out, and each of those is a Time Exceeded back to the flooding source.
    /// </summary>
    [Fact]
    public void No_error_about_what_rules_forbid_and_a_flood_held_to_the_budget()
    {
        var entry = HostileCorpus.Families["icmp-error-triggers"];
        var clock = new ReplayClock();
        var plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Load(new GoldenCase(entry.Config).ConfigPath), new ForwardingPlaneOptions { Clock = clock, NonceSeed = 1 });
        string outPath = Path.Combine(scratch, "icmp-out.pcap");
        ReplayResult result;
        using (var input = File.OpenRead(HostileCorpus.PcapPath("icmp-error-triggers")))
        using (var output = new PcapWriter(outPath, CaptureLinkType.Ethernet, PcapTimestampPrecision.Nanoseconds))
        using (var punts = new PcapWriter(Path.Combine(scratch, "icmp-punt.pcap"), CaptureLinkType.Ethernet, PcapTimestampPrecision.Nanoseconds))
        {
            result = new PcapReplay(plane, clock).Run(input, output, punts);
        }

        var counters = result.Counters;
        string table = counters.ToTable();
        Assert.True(counters.IsConserved, table);
        Assert.True(counters.Transmitted == 100, table);
        Assert.True(counters.Counted(ForwardingEvent.IcmpTimeExceededSent) == 100, table);
        Assert.True(counters.Counted(ForwardingEvent.IcmpErrorRateLimited) == 200, table);
        Assert.True(counters.Counted(ForwardingEvent.IcmpErrorNotAllowed) == 23, table);
        Assert.True(counters.Counted(ForwardingEvent.IcmpDestinationUnreachableSent) == 0, table);
        foreach (byte[] frame in CaptureFrames.Read(outPath))
        {
            // Ethernet, IPv4 from the ingress port's address 192.0.2.1 to the flooding source 198.51.100.9, ICMP type 11 code 0.
            Assert.Equal(0x0800, (frame[12] << 8) | frame[13]);
            Assert.Equal(new byte[] { 192, 0, 2, 1, 198, 51, 100, 9 }, frame[26..34]);
            Assert.Equal(1, frame[23]);
            Assert.Equal(new byte[] { 11, 0 }, frame[34..36]);
        }
    }

    [Fact]
    public void The_replay_verb_survives_a_hostile_capture()
    {
        string family = "truncated-gtpu";
        string config = new GoldenCase(HostileCorpus.Families[family].Config).ConfigPath;
        var output = new StringWriter();
        var error = new StringWriter();

        int exitCode = ReplayCommand.Run(
            ["--config", config, "--in", HostileCorpus.PcapPath(family), "--out", Path.Combine(scratch, "out.pcap"), "--punt", Path.Combine(scratch, "punt.pcap")],
            output, error);

        Assert.True(exitCode == 0, output.ToString() + error);
        Assert.Contains("conservation holds", output.ToString(), StringComparison.Ordinal);
        Assert.Matches($@"received\s+{HostileCorpus.Families[family].Packets}\b", output.ToString());
    }

    [Fact]
    public async Task The_replay_verb_as_a_process_survives_a_hostile_capture()
    {
        string family = "truncated-lisp-data";
        string config = new GoldenCase(HostileCorpus.Families[family].Config).ConfigPath;
        string host = Path.Combine(AppContext.BaseDirectory, "dataplane.dll");
        Assert.SkipUnless(File.Exists(host), $"the dataplane host is not next to the tests ({host})");
        var start = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList = { host, "replay", "--config", config, "--in", HostileCorpus.PcapPath(family), "--out", Path.Combine(scratch, "out.pcap"), "--punt", Path.Combine(scratch, "punt.pcap") },
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var cancel = TestContext.Current.CancellationToken;
        var stdoutTask = process.StandardOutput.ReadToEndAsync(cancel);
        var stderrTask = process.StandardError.ReadToEndAsync(cancel);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        string stdout = await stdoutTask;
        string stderr = await stderrTask;
        Assert.True(process.ExitCode == 0, stdout + stderr);
        Assert.Contains("conservation holds", stdout, StringComparison.Ordinal);
        Assert.Matches($@"received\s+{HostileCorpus.Families[family].Packets}\b", stdout);
    }

    [Theory]
    [InlineData("truncated-vxlan", 2)]
    [InlineData("gtpu-extension-chains", 1)]
    [InlineData("gtpu-path-signalling", 2)]
    public void The_daemon_on_pcap_ports_survives_a_hostile_capture(string family, int workers)
    {
        var entry = HostileCorpus.Families[family];
        string configPath = PcapPortsConfig.Write(new GoldenCase(entry.Config).ConfigPath, HostileCorpus.PcapPath(family), scratch, workers);
        var output = new StringWriter();
        var error = new StringWriter();

        int exitCode = RunCommand.Run(["--config", configPath, "--exit-when-idle", "0.3", "--duration", "30", "--nonce-seed", "1"], output, error);

        Assert.True(exitCode == 0, output.ToString() + error);
        Assert.Contains("conservation holds", output.ToString(), StringComparison.Ordinal);
        Assert.Matches($@"received\s+{entry.Packets}\b", output.ToString());
    }

    [Fact]
    public void Regenerating_the_corpus_with_scapy_reproduces_the_committed_files()
    {
        ScapyOracle.Run(Path.Combine(HostileCorpus.Root, "generate_hostile.py"), scratch);
        foreach (string file in Directory.GetFiles(scratch))
        {
            string committed = Path.Combine(HostileCorpus.Root, Path.GetFileName(file));
            Assert.True(File.Exists(committed), $"pcaps/hostile/{Path.GetFileName(file)} is generated but not committed");
            Assert.True(File.ReadAllBytes(committed).AsSpan().SequenceEqual(File.ReadAllBytes(file)),
                $"pcaps/hostile/{Path.GetFileName(file)} differs: regenerate with /usr/bin/python3 pcaps/hostile/generate_hostile.py");
        }

        Assert.Equal(HostileCorpus.Families.Count + 1, Directory.GetFiles(scratch).Length);
    }

    public void Dispose() => Directory.Delete(scratch, recursive: true);
}
