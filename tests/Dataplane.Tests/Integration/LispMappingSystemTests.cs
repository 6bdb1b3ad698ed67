using System.Globalization;
using System.Text.Json.Nodes;

namespace Dataplane.Tests.Integration;

/// <summary>
/// Three Dataplane xTRs and one Dataplane map-server/map-resolver in namespaces (<see cref="MobilityTopology"/>: an
/// underlay that delays every frame, Tools/delay_relay.py, since tc netem is not available here), with no static
/// mapping anywhere: the xTRs register their EIDs, the client's ITR resolves the VM's EID on its first packets through
/// the mapping system, and traffic flows through the real kernel stacks of the hosts.
/// </summary>
public sealed class LispMappingSystemTests : IDisposable
{
    /// <summary>One-way delay of the relay for registration and resolution.</summary>
    private const int RelayDelayMilliseconds = 10;

    /// <summary>One-way delay for the mobility runs: a WAN-like delay, so the number of one-way trips each method needs shows.</summary>
    private const int MobilityDelayMilliseconds = 40;
    private readonly string scratch = Directory.CreateTempSubdirectory("dataplane-lisp-ms-").FullName;
    private readonly Lab lab = new();

    [Fact]
    public void Xtrs_register_and_a_client_resolves_the_vm_through_the_mapping_system()
    {
        Lab.RequireRoot();
        var topology = Build(RelayDelayMilliseconds);

        var (exitCode, ping) = Lab.TryRun(TimeSpan.FromSeconds(30), "ip", "netns", "exec", topology.ClientHost, "ping", "-c", "15", "-i", "0.3", "-W", "2", MobilityTopology.Vm);
        var logs = topology.StopAll();

        Assert.True(exitCode == 0, $"ping failed:\n{ping}\n{Format(logs)}");
        // The first packets go while C asks the mapping system (and the ETRs resolve next hops): some may be lost.
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(ping, @"15 packets transmitted, ([5-9]|1[0-5]) received"), $"{ping}\n{Format(logs)}");
        Assert.Matches(@"lisp RegistrationAccepted\s+([3-9]|\d{2,})", logs["ms"]);
        Assert.Matches(@"lisp MapRequestForwarded\s+[1-9]", logs["ms"]);
        Assert.Matches(@"lisp MapCacheInstalled\s+[1-9]", logs["c"]);
        Assert.Matches(@"lisp MapReplySent\s+[1-9]", logs["a"]);
        foreach (var (name, log) in logs)
        {
            Assert.True(log.Contains("conservation holds", StringComparison.Ordinal), $"{name}:\n{log}");
        }
    }

    /// <summary>
    /// The VM moves from xTR A to xTR B while the client pings it every 20 ms; the client's xTR converges by SMR
    /// (A gives the EID up, B takes it: A solicits the ITRs that asked, they ask the mapping system again) or by
    /// Change-Priority (B is told the VM arrived: B tells A, A tells the ITRs directly). What is measured, and
    /// reported rather than asserted (the machine is shared): when the first echo request answered through B left,
    /// counted from the move and from the return of the control call(s) (a `dataplane ctl` process start is in the
    /// first figure), and the echo requests lost. The first figure and the loss go to artifacts/reports/lisp-mobility.md
    /// (<see cref="MobilityReport"/>, cases cp-warm and smr).
    /// </summary>
    [Theory]
    [InlineData("smr")]
    [InlineData("cp")]
    public void The_client_converges_on_the_new_xtr_after_the_vm_moves(string mode)
    {
        Lab.RequireRoot();
        var topology = Build(MobilityDelayMilliseconds);
        // Warm up what the move should not be measuring: C knows the VM (via A), B knows the client's EIDs (and, for
        // Change-Priority, the VM via A: the new xTR tells the previous one, which it finds in its map-cache).
        topology.Ping(topology.ClientHost, MobilityTopology.Vm, 10);
        topology.Ping(topology.HostB, MobilityTopology.ClientEid, 8);
        topology.Ping(topology.HostB, MobilityTopology.Vm, 8);

        var ping = lab.Start(topology.ClientHost, "ping", "-D", "-i", "0.02", "-w", "9", "-W", "1", "10.1.0.5");
        Thread.Sleep(3000);
        double moved = topology.MoveVm();
        if (mode == "smr")
        {
            // What an orchestrator does: the EID leaves A and arrives at B (both at once).
            var leave = new Thread(() => topology.A.Call("localeid.remove", new JsonObject { ["eid"] = $"{MobilityTopology.Vm}/32" }));
            leave.Start();
            topology.B.Call("localeid.add", new JsonObject { ["eid"] = $"{MobilityTopology.Vm}/32" });
            leave.Join();
        }
        else
        {
            topology.B.Call("lisp.eid-moved", new JsonObject { ["eid"] = $"{MobilityTopology.Vm}/32" }); // the hypervisor's H=1
        }

        double told = MobilityTopology.Now(); // the control call(s) returned

        Assert.True(ping.WaitForExit(TimeSpan.FromSeconds(20)), "ping did not end");
        string pingOutput = ping.StandardOutput.ReadToEnd();
        string cache = topology.C.Call("mapcache.list").ToJsonString();
        var logs = topology.StopAll();

        // Each reply: when its request left (reply time - round trip) and its sequence number.
        var replies = System.Text.RegularExpressions.Regex.Matches(pingOutput, @"^\[(\d+\.\d+)\] .*icmp_seq=(\d+) .*time=([\d.]+) ms", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Select(m => (Sent: double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) - double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture) / 1000,
                Seq: int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)))
            .ToList();
        var before = replies.Where(r => r.Sent < moved).ToList();
        var after = replies.Where(r => r.Sent >= moved).ToList();
        Assert.True(before.Count > 20, $"the VM did not answer steadily before the move:\n{pingOutput}\n{Format(logs)}");
        Assert.True(after.Count > 20, $"the VM never answered again after the move ({mode}):\n{pingOutput}\n{Format(logs)}");
        int lost = after[0].Seq - before[^1].Seq - 1;
        double fromMoveMs = (after[0].Sent - moved) * 1000, fromCallMs = (after[0].Sent - told) * 1000;
        Assert.Contains(MobilityTopology.RlocB, cache, StringComparison.Ordinal);
        Assert.Matches(mode == "smr" ? @"lisp SmrSent\s+[1-9]" : @"lisp ChangePrioritySent\s+[1-9]", mode == "smr" ? logs["a"] : logs["b"]);
        Assert.Matches(mode == "smr" ? @"lisp SmrInvokedRequestSent\s+[1-9]" : @"lisp ChangePriorityReceived\s+[1-9]", logs["c"]);

        MobilityReport.Append(mode == "cp" ? "cp-warm" : "smr", MobilityDelayMilliseconds, [new MoveFigure(fromMoveMs, lost)]);
        File.WriteAllText(Path.Combine(Path.GetTempPath(), $"lisp-mobility-{mode}.log"), $"moved {moved:F3}\n{pingOutput}\n{Format(logs)}");
        TestContext.Current.SendDiagnosticMessage($"{mode}: first request answered through B left {fromMoveMs:F0} ms after the move, {fromCallMs:F0} ms after the control call returned; {lost} echo requests lost (relay delay {MobilityDelayMilliseconds} ms one way)");
    }

    private static string Format(Dictionary<string, string> logs) => MobilityTopology.Format(logs);

    /// <summary>The lab with the VM at A, every xTR configured for Change-Priority (SMR needs no configuration).</summary>
    private MobilityTopology Build(int relayDelayMilliseconds) =>
        MobilityTopology.Build(lab, scratch, relayDelayMilliseconds, changePriority: true, [MobilityTopology.Vm]);

    public void Dispose()
    {
        lab.Dispose();
        Directory.Delete(scratch, recursive: true);
    }
}
