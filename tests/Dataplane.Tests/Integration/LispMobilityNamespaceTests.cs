using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Dataplane.Tests.Integration;

/// <summary>
/// Mobility's edge cases with real daemons in namespaces (<see cref="MobilityTopology"/>: a map-server, three xTRs,
/// a relay delaying every frame by 40 ms one way) while the client pings the VM every 20 ms: Change-Priority when the
/// new xTR never cached the VM, a VM moving back and forth three times, two VMs moving at once (by Change-Priority
/// and by SMR), and a run-time priority change of one of A's two RLOCs told by Change-Priority or SMR. Each move's
/// downtime at the client goes to artifacts/reports/lisp-mobility.md (<see cref="MobilityReport"/>); the assertions
/// are properties (every move converges, no stale state, no loop), not wall-clock figures: the machine is shared.
/// </summary>
public sealed class LispMobilityNamespaceTests : IDisposable
{
    private const int RelayDelayMilliseconds = 40;

    /// <summary>Between two moves: far more than a move takes, so each move is measured on its own.</summary>
    private const int MoveSpacingMilliseconds = 2000;

    private readonly string scratch = Directory.CreateTempSubdirectory("dataplane-lisp-mobility-").FullName;
    private readonly Lab lab = new();

    [Fact]
    public void Change_priority_with_a_cold_cache_finds_the_previous_xtr_through_the_mapping_system()
    {
        Lab.RequireRoot();
        var topology = MobilityTopology.Build(lab, scratch, RelayDelayMilliseconds, changePriority: true, [MobilityTopology.Vm]);
        topology.Ping(topology.ClientHost, MobilityTopology.Vm, 10);
        topology.Ping(topology.HostB, MobilityTopology.ClientEid, 8); // B knows the client, never the VM
        Assert.Empty(topology.B.CachedLocators($"{MobilityTopology.Vm}/32"));

        var ping = PingTrace.Start(lab, topology.ClientHost, MobilityTopology.Vm, 7);
        Thread.Sleep(3000);
        double moved = topology.MoveVm();
        var reply = topology.B.Call("lisp.eid-moved", new JsonObject { ["eid"] = $"{MobilityTopology.Vm}/32" });
        var replies = ping.Replies();
        Thread.Sleep(500);
        var bCounters = topology.B.LispCounters();
        var aCounters = topology.A.LispCounters();
        string registrant = Registrant(topology, MobilityTopology.Vm);
        var logs = topology.StopAll();

        Assert.Equal("mapping-system", reply["previousFrom"]!.GetValue<string>());
        Assert.False(reply["registered"]!.GetValue<bool>());
        var figure = PingTrace.Measure(replies, moved, double.MaxValue);
        Assert.True(figure is not null, $"the VM never answered again after the move:\n{ping.Text}\n{MobilityTopology.Format(logs)}");
        Assert.Equal(1, bCounters.GetValueOrDefault("MoveLookupSent"));
        Assert.Equal(1, bCounters.GetValueOrDefault("MoveLookupAnswered"));
        Assert.Equal(0, bCounters.GetValueOrDefault("MoveLookupTimedOut"));
        Assert.True(aCounters.GetValueOrDefault("ChangePriorityReceived") >= 1, MobilityTopology.Format(logs));
        Assert.Equal(MobilityTopology.RlocB, registrant);
        Assert.Matches(@"lisp ChangePriorityReceived\s+[1-9]", logs["c"]);
        MobilityReport.Append("cp-cold", RelayDelayMilliseconds, [figure!]);
        TestContext.Current.SendDiagnosticMessage($"cold-cache CP: downtime {figure!.DowntimeMilliseconds:F0} ms, {figure.Lost} requests lost");
    }

    /// <summary>A -> B -> A -> B -> A -> B -> A, a move every 2 s under the client's ping.</summary>
    [Theory]
    [InlineData("cp")]
    [InlineData("smr")]
    public void A_vm_moving_back_and_forth_three_times_converges_every_time(string mode)
    {
        Lab.RequireRoot();
        bool cp = mode == "cp";
        var topology = MobilityTopology.Build(lab, scratch, RelayDelayMilliseconds, changePriority: cp, [MobilityTopology.Vm]);
        WarmUp(topology, [MobilityTopology.Vm], hostBAsksForTheVms: cp);

        const int moves = 6;
        var ping = PingTrace.Start(lab, topology.ClientHost, MobilityTopology.Vm, 3 + moves * MoveSpacingMilliseconds / 1000 + 1);
        Thread.Sleep(3000);
        var movedAt = new List<double>();
        bool atB = false;
        for (int move = 0; move < moves; move++)
        {
            double started = MobilityTopology.Now();
            movedAt.Add(Move(topology, cp, toB: !atB, [MobilityTopology.Vm]));
            atB = !atB;
            Thread.Sleep(Math.Max(0, MoveSpacingMilliseconds - (int)((MobilityTopology.Now() - started) * 1000)));
        }

        var replies = ping.Replies();
        Thread.Sleep(500);
        var counters = new[] { topology.A, topology.B, topology.C }.ToDictionary(n => n.Name, n => n.LispCounters());
        var aEids = topology.A.Call("localeid.list").AsArray().Select(e => e!.GetValue<string>()).ToArray();
        var bEids = topology.B.Call("localeid.list").AsArray().Select(e => e!.GetValue<string>()).ToArray();
        var cached = topology.C.CachedLocators($"{MobilityTopology.Vm}/32");
        string registrant = Registrant(topology, MobilityTopology.Vm);
        var logs = topology.StopAll();

        File.WriteAllText(Path.Combine(Path.GetTempPath(), $"lisp-mobility-{mode}-back-and-forth.log"), $"moves {string.Join(" ", movedAt.Select(m => m.ToString("F3", CultureInfo.InvariantCulture)))}\n{ping.Text}\n{MobilityTopology.Format(logs)}");
        var figures = new List<MoveFigure>();
        for (int move = 0; move < moves; move++)
        {
            var figure = PingTrace.Measure(replies, movedAt[move], move + 1 < moves ? movedAt[move + 1] : double.MaxValue);
            Assert.True(figure is not null, $"{mode}: move {move + 1} never converged before the next one:\n{ping.Text}\n{MobilityTopology.Format(logs)}");
            figures.Add(figure!);
        }

        // Back at A after six moves, and nothing stale: B neither serves nor registers the VM, C sends to A.
        Assert.Contains($"{MobilityTopology.Vm}/32", aEids);
        Assert.DoesNotContain($"{MobilityTopology.Vm}/32", bEids);
        Assert.Equal(MobilityTopology.RlocA, registrant);
        Assert.Contains(MobilityTopology.RlocA, cached);
        Assert.DoesNotContain(MobilityTopology.RlocB, cached);
        foreach (var (name, c) in counters)
        {
            Assert.True(c.GetValueOrDefault("ReplayedNonce") == 0, $"{name} refused a nonce as a replay");
        }

        if (cp)
        {
            // Two messages a move (H=0,C=0 to the old xTR, C=1 to the client's xTR) and no SMR: nothing bounces.
            Assert.Equal(2 * moves, counters["a"].GetValueOrDefault("ChangePrioritySent") + counters["b"].GetValueOrDefault("ChangePrioritySent"));
            Assert.Equal(0, counters["a"].GetValueOrDefault("SmrSent") + counters["b"].GetValueOrDefault("SmrSent"));
        }
        else
        {
            Assert.True(counters["c"].GetValueOrDefault("SmrInvokedRequestSent") >= moves, MobilityTopology.Format(logs));
        }

        MobilityReport.Append($"{mode}-back-and-forth-x3", RelayDelayMilliseconds, figures);
        TestContext.Current.SendDiagnosticMessage($"{mode} back and forth: {string.Join(", ", figures.Select(f => $"{f.DowntimeMilliseconds:F0} ms ({f.Lost})"))}");
    }

    [Theory]
    [InlineData("cp")]
    [InlineData("smr")]
    public void Two_vms_moving_at_once_both_converge(string mode)
    {
        Lab.RequireRoot();
        bool cp = mode == "cp";
        string[] vms = [MobilityTopology.Vm, MobilityTopology.Vm2];
        var topology = MobilityTopology.Build(lab, scratch, RelayDelayMilliseconds, changePriority: cp, vms);
        WarmUp(topology, vms, hostBAsksForTheVms: cp);

        var pings = vms.Select(vm => PingTrace.Start(lab, topology.ClientHost, vm, 7)).ToArray();
        Thread.Sleep(3000);
        double moved = Move(topology, cp, toB: true, vms);
        var replies = pings.Select(p => p.Replies()).ToArray();
        Thread.Sleep(500);
        var bEids = topology.B.Call("localeid.list").AsArray().Select(e => e!.GetValue<string>()).ToArray();
        var aEids = topology.A.Call("localeid.list").AsArray().Select(e => e!.GetValue<string>()).ToArray();
        var cached = vms.Select(vm => topology.C.CachedLocators($"{vm}/32")).ToArray();
        var logs = topology.StopAll();

        var figures = new List<MoveFigure>();
        for (int i = 0; i < vms.Length; i++)
        {
            var figure = PingTrace.Measure(replies[i], moved, double.MaxValue);
            Assert.True(figure is not null, $"{mode}: {vms[i]} never answered again after the move:\n{pings[i].Text}\n{MobilityTopology.Format(logs)}");
            figures.Add(figure!);
            Assert.Contains($"{vms[i]}/32", bEids);
            Assert.DoesNotContain($"{vms[i]}/32", aEids);
            Assert.Equal([MobilityTopology.RlocB], cached[i]);
        }

        MobilityReport.Append($"{mode}-two-eids", RelayDelayMilliseconds, figures);
        TestContext.Current.SendDiagnosticMessage($"{mode} two VMs: {string.Join(", ", figures.Select(f => $"{f.DowntimeMilliseconds:F0} ms ({f.Lost})"))}");
    }

    /// <summary>
    /// A's first RLOC goes from priority 1 to 3 under the client's ping (A's second RLOC, priority 2, becomes the
    /// best): the client's xTR learns it by Change-Priority or SMR and its encapsulated packets move to the second RLOC
    /// (seen by tcpdump on the client xTR's underlay link). The figure is the switch time: from the call until the
    /// first packet to the second RLOC; no echo request should be lost (both RLOCs work).
    /// </summary>
    [Theory]
    [InlineData("cp")]
    [InlineData("smr")]
    public void A_run_time_priority_change_moves_the_clients_traffic(string mode)
    {
        Lab.RequireRoot();
        bool cp = mode == "cp";
        var topology = MobilityTopology.Build(lab, scratch, RelayDelayMilliseconds, changePriority: cp, [MobilityTopology.Vm]);
        topology.Ping(topology.ClientHost, MobilityTopology.Vm, 10);
        var capture = lab.Start(topology.Wan, "tcpdump", "-i", "w-xc", "-tt", "-n", "-l", "-U", "udp dst port 4341 and src host 192.0.2.3");
        Thread.Sleep(1000);

        var ping = PingTrace.Start(lab, topology.ClientHost, MobilityTopology.Vm, 6);
        Thread.Sleep(2500);
        double changed = MobilityTopology.Now();
        var reply = topology.A.Call("lisp.rloc-priority", new JsonObject { ["rloc"] = MobilityTopology.RlocA, ["priority"] = 3 });
        var replies = ping.Replies();
        var cache = topology.C.MapCache().First(e => e!["eid"]!.GetValue<string>() == $"{MobilityTopology.Vm}/32")!["locators"]!.AsArray()
            .Select(l => $"{l!["address"]!.GetValue<string>()} p{l["priority"]!.GetValue<int>()}").Order(StringComparer.Ordinal).ToArray();
        string captured = Lab.Stop(capture);
        var logs = topology.StopAll();

        var packets = Regex.Matches(captured, @"^(\d+\.\d+) IP 192\.0\.2\.3\.\d+ > (192\.0\.2\.\d+)\.4341:", RegexOptions.Multiline)
            .Select(m => (At: double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), To: m.Groups[2].Value)).ToList();
        Assert.Contains(packets, p => p.At < changed && p.To == MobilityTopology.RlocA);
        var firstToSecond = packets.FirstOrDefault(p => p.At >= changed && p.To == MobilityTopology.RlocA2);
        Assert.True(firstToSecond.To is not null, $"{mode}: the client's traffic never moved to {MobilityTopology.RlocA2}:\n{captured}\n{MobilityTopology.Format(logs)}");
        Assert.DoesNotContain(packets, p => p.At > firstToSecond.At + 0.2 && p.To == MobilityTopology.RlocA);
        Assert.Equal([$"{MobilityTopology.RlocA} p3", $"{MobilityTopology.RlocA2} p2"], cache);
        Assert.Equal(cp ? 1 : 0, reply["toldByChangePriority"]!.GetValue<int>());
        Assert.Equal(cp ? 0 : 1, reply["toldBySmr"]!.GetValue<int>());
        Assert.True(replies.Count > 100, $"{mode}: the VM hardly answered:\n{ping.Text}");
        int lost = PingTrace.Lost(replies);
        Assert.True(lost <= 3, $"{mode}: {lost} echo requests lost while both RLOCs worked:\n{ping.Text}");

        var figure = new MoveFigure((firstToSecond.At - changed) * 1000, lost);
        MobilityReport.Append($"priority-{mode} (switch time)", RelayDelayMilliseconds, [figure]);
        TestContext.Current.SendDiagnosticMessage($"priority by {mode}: the client's traffic moved {figure.DowntimeMilliseconds:F0} ms after the call, {lost} requests lost");
    }

    /// <summary>
    /// What a move should not be measuring: C knows the VMs (via A), B knows the client's EID, and for
    /// Change-Priority's warm case B knows the VMs too (via A).
    /// </summary>
    private static void WarmUp(MobilityTopology topology, string[] vms, bool hostBAsksForTheVms)
    {
        foreach (var vm in vms)
        {
            topology.Ping(topology.ClientHost, vm, 8);
        }

        topology.Ping(topology.HostB, MobilityTopology.ClientEid, 6);
        if (hostBAsksForTheVms)
        {
            foreach (var vm in vms)
            {
                topology.Ping(topology.HostB, vm, 6);
            }
        }
    }

    /// <summary>
    /// Moves the VMs (flips the legs) and tells the xTRs as a hypervisor or an orchestrator would: Change-Priority's
    /// H=1 at the new xTR, or for SMR the EIDs added at the new xTR and removed at the old one. Returns when the move began.
    /// </summary>
    private static double Move(MobilityTopology topology, bool cp, bool toB, string[] vms)
    {
        double moved = topology.MoveVm();
        var (from, to) = toB ? (topology.A, topology.B) : (topology.B, topology.A);
        foreach (var vm in vms)
        {
            var eid = new JsonObject { ["eid"] = $"{vm}/32" };
            if (cp)
            {
                to.Call("lisp.eid-moved", eid);
            }
            else
            {
                to.Call("localeid.add", eid);
                from.Call("localeid.remove", new JsonObject { ["eid"] = $"{vm}/32" });
            }
        }

        return moved;
    }

    private static string Registrant(MobilityTopology topology, string vm) =>
        topology.Ms.Call("lisp.registrations").AsArray().Single(r => r!["eid"]!.GetValue<string>() == $"{vm}/32")!["registrant"]!.GetValue<string>();

    public void Dispose()
    {
        lab.Dispose();
        Directory.Delete(scratch, recursive: true);
    }
}
