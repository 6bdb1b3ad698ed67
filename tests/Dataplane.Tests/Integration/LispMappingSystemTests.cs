using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Integration;

/// <summary>
/// Three Dataplane xTRs and one Dataplane map-server/map-resolver in namespaces, on an underlay that delays every
/// frame (Tools/delay_relay.py: tc netem is not available here), with no static mapping anywhere: the xTRs register
/// their EIDs, the client's ITR resolves the VM's EID on its first packets through the mapping system, and traffic
/// flows through the real kernel stacks of the hosts.
/// </summary>
/// <remarks>
/// <code>
///   vm (10.1.0.5) ─ xTR A ─┐                    ┌─ MS/MR (192.0.2.100)
///   hb (10.2.0.10) ─ xTR B ─┼─ relay (delay) ───┤
///   hc (10.3.0.10) ─ xTR C ─┘                    
/// </code>
/// The VM's namespace has a bridge with one leg to xTR A and one to xTR B (down): moving it flips the legs.
/// xTRs A and B use the same gateway address and MAC on their EID side, so the VM's ARP cache stays valid.
/// </remarks>
public sealed class LispMappingSystemTests : IDisposable
{
    /// <summary>One-way delay of the relay for registration and resolution.</summary>
    private const int RelayDelayMilliseconds = 10;

    /// <summary>One-way delay for the mobility runs: a WAN-like delay, so the number of one-way trips each method needs shows.</summary>
    private const int MobilityDelayMilliseconds = 40;
    private const string Key = "lab-key";
    private const string GatewayMac = "02:00:00:0e:00:01";
    private readonly string scratch = Directory.CreateTempSubdirectory("dataplane-lisp-ms-").FullName;
    private readonly Lab lab = new();

    [Fact]
    public void Xtrs_register_and_a_client_resolves_the_vm_through_the_mapping_system()
    {
        Lab.RequireRoot();
        var topology = Build();

        var (exitCode, ping) = Lab.TryRun(TimeSpan.FromSeconds(30), "ip", "netns", "exec", topology.ClientHost, "ping", "-c", "15", "-i", "0.3", "-W", "2", "10.1.0.5");
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
        Ping(topology.ClientHost, "10.1.0.5", 10);
        Ping(topology.HostB, "10.3.0.10", 8);
        Ping(topology.HostB, "10.1.0.5", 8);

        var ping = lab.Start(topology.ClientHost, "ping", "-D", "-i", "0.02", "-w", "9", "-W", "1", "10.1.0.5");
        Thread.Sleep(3000);
        double moved = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        lab.InNamespace(topology.Vm, "ip", "link", "set", "leg-a", "down");
        lab.InNamespace(topology.Vm, "ip", "link", "set", "leg-b", "up");
        if (mode == "smr")
        {
            // What an orchestrator does: the EID leaves A and arrives at B (both at once).
            var leave = new Thread(() => Ctl("a", "localeid.remove", "eid=10.1.0.5/32"));
            leave.Start();
            Ctl("b", "localeid.add", "eid=10.1.0.5/32");
            leave.Join();
        }
        else
        {
            Ctl("b", "lisp.eid-moved", "eid=10.1.0.5/32"); // the hypervisor's H=1
        }

        double told = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0; // the control call(s) returned

        Assert.True(ping.WaitForExit(TimeSpan.FromSeconds(20)), "ping did not end");
        string pingOutput = ping.StandardOutput.ReadToEnd();
        string cache = Ctl("c", "mapcache.list", "--json");
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
        Assert.Contains("192.0.2.2", cache, StringComparison.Ordinal);
        Assert.Matches(mode == "smr" ? @"lisp SmrSent\s+[1-9]" : @"lisp ChangePrioritySent\s+[1-9]", mode == "smr" ? logs["a"] : logs["b"]);
        Assert.Matches(mode == "smr" ? @"lisp SmrInvokedRequestSent\s+[1-9]" : @"lisp ChangePriorityReceived\s+[1-9]", logs["c"]);

        MobilityReport.Append(mode == "cp" ? "cp-warm" : "smr", MobilityDelayMilliseconds, [new MoveFigure(fromMoveMs, lost)]);
        File.WriteAllText(Path.Combine(Path.GetTempPath(), $"lisp-mobility-{mode}.log"), $"moved {moved:F3}\n{pingOutput}\n{Format(logs)}");
        TestContext.Current.SendDiagnosticMessage($"{mode}: first request answered through B left {fromMoveMs:F0} ms after the move, {fromCallMs:F0} ms after the control call returned; {lost} echo requests lost (relay delay {MobilityDelayMilliseconds} ms one way)");
    }

    /// <summary>Polls the map-server over its control socket until it holds <paramref name="count"/> registrations (30 s at most).</summary>
    private void WaitForRegistrations(int count)
    {
        string dataplane = Path.Combine(AppContext.BaseDirectory, "dataplane");
        var clock = Stopwatch.StartNew();
        string last = "";
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            var (exitCode, output) = Lab.TryRun(TimeSpan.FromSeconds(10), dataplane, "ctl", "--socket", Socket("ms"), "--json", "lisp.registrations");
            last = output;
            if (exitCode == 0 && output.TrimStart().StartsWith('[') && JsonDocument.Parse(output).RootElement.GetArrayLength() >= count)
            {
                return;
            }

            Thread.Sleep(300);
        }

        Assert.Fail($"the map-server did not get {count} registrations within 30 s; last answer: {last}");
    }

    private static void Ping(string ns, string target, int count) =>
        Lab.TryRun(TimeSpan.FromSeconds(20), "ip", "netns", "exec", ns, "ping", "-c", count.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", "0.2", "-W", "1", target);

    private string Ctl(string node, string method, params string[] arguments)
    {
        string dataplane = Path.Combine(AppContext.BaseDirectory, "dataplane");
        bool json = arguments.Contains("--json");
        var (exitCode, output) = Lab.TryRun(TimeSpan.FromSeconds(20), [dataplane, "ctl", "--socket", Socket(node), .. (json ? new[] { "--json" } : []), method,
            .. arguments.Where(a => a != "--json")]);
        Assert.True(exitCode == 0, $"dataplane ctl {method} on {node} failed: {output}");
        return output;
    }

    private static string Format(Dictionary<string, string> logs) =>
        string.Join("\n", logs.Select(l => $"--- {l.Key}:\n{l.Value}"));

    private Topology Build(int relayDelayMilliseconds = RelayDelayMilliseconds)
    {
        string ms = lab.Namespace("ms"), wan = lab.Namespace("wan");
        string xa = lab.Namespace("xa"), xb = lab.Namespace("xb"), xc = lab.Namespace("xc");
        string vm = lab.Namespace("vm"), hb = lab.Namespace("hb"), hc = lab.Namespace("hc");

        // Underlay: every RLOC port to the relay.
        lab.Link(ms, "und", "02:00:00:c0:00:64", wan, "w-ms", "02:00:00:c1:00:64");
        lab.Link(xa, "rloc", "02:00:00:c0:00:01", wan, "w-xa", "02:00:00:c1:00:01");
        lab.Link(xb, "rloc", "02:00:00:c0:00:02", wan, "w-xb", "02:00:00:c1:00:02");
        lab.Link(xc, "rloc", "02:00:00:c0:00:03", wan, "w-xc", "02:00:00:c1:00:03");

        // The VM: a bridge with a leg to A (up) and a leg to B (down until it moves).
        lab.Link(vm, "leg-a", "02:00:00:0a:00:a1", xa, "eid", GatewayMac);
        lab.Link(vm, "leg-b", "02:00:00:0a:00:b1", xb, "eid", GatewayMac);
        lab.InNamespace(vm, "ip", "link", "add", "br0", "address", "02:00:00:0a:00:05", "type", "bridge");
        lab.InNamespace(vm, "ip", "link", "set", "leg-a", "master", "br0");
        lab.InNamespace(vm, "ip", "link", "set", "leg-b", "master", "br0");
        lab.InNamespace(vm, "ip", "link", "set", "leg-b", "down");
        lab.InNamespace(vm, "ip", "link", "set", "br0", "up");
        lab.InNamespace(vm, "ip", "addr", "add", "10.1.0.5/24", "dev", "br0");
        lab.InNamespace(vm, "ip", "route", "add", "default", "via", "10.1.0.1");

        // Hosts behind B and C.
        lab.Link(hb, "eth0", "02:00:00:0b:00:0a", xb, "eid-b", "02:00:00:0b:00:01");
        lab.InNamespace(hb, "ip", "addr", "add", "10.2.0.10/24", "dev", "eth0");
        lab.InNamespace(hb, "ip", "route", "add", "default", "via", "10.2.0.1");
        lab.Link(hc, "eth0", "02:00:00:0c:00:0a", xc, "eid", "02:00:00:0c:00:01");
        lab.InNamespace(hc, "ip", "addr", "add", "10.3.0.10/24", "dev", "eth0");
        lab.InNamespace(hc, "ip", "route", "add", "default", "via", "10.3.0.1");

        string relay = Path.Combine(RepositoryPaths.Root, "tests", "Dataplane.Tests", "Integration", "Tools", "delay_relay.py");
        var relayProcess = lab.Start(wan, "/usr/bin/python3", relay, relayDelayMilliseconds.ToString(CultureInfo.InvariantCulture),
            "w-ms", "w-xa", "w-xb", "w-xc");

        string dataplane = Path.Combine(AppContext.BaseDirectory, "dataplane");
        var daemons = new Dictionary<string, Process>
        {
            ["ms"] = lab.Start(ms, dataplane, "run", "--config", Write("ms.json", MapServerConfig())),
            ["a"] = lab.Start(xa, dataplane, "run", "--config", Write("a.json", XtrConfig("a", "192.0.2.1", "02:00:00:c0:00:01",
                [("eid", GatewayMac, "10.1.0.1")], ["10.1.0.0/24"], ["10.1.0.5/32"]))),
            ["b"] = lab.Start(xb, dataplane, "run", "--config", Write("b.json", XtrConfig("b", "192.0.2.2", "02:00:00:c0:00:02",
                [("eid", GatewayMac, "10.1.0.1"), ("eid-b", "02:00:00:0b:00:01", "10.2.0.1")], ["10.1.0.0/24", "10.2.0.0/24"], ["10.2.0.0/24"]))),
            ["c"] = lab.Start(xc, dataplane, "run", "--config", Write("c.json", XtrConfig("c", "192.0.2.3", "02:00:00:c0:00:03",
                [("eid", "02:00:00:0c:00:01", "10.3.0.1")], ["10.3.0.0/24"], ["10.3.0.0/24"]))),
        };
        WaitForRegistrations(3); // daemons up (slow on a loaded machine), every xTR registered with the map-server
        return new Topology(hc, hb, vm, daemons, relayProcess);
    }

    private object MapServerConfig() => new
    {
        roles = new[] { "msmr" },
        control = new { socket = Socket("ms") },
        ports = new object[] { new { name = "und", mac = "02:00:00:c0:00:64", addresses = new[] { "192.0.2.100" }, driver = "af_packet", @interface = "und" } },
        routes = new object[] { new { prefix = "192.0.2.0/24", port = "und" } },
        lisp = new
        {
            localRlocs = new[] { new { address = "192.0.2.100" } },
            mappingSystem = new { sites = new[] { new { name = "lab", keyId = 2, key = Key, eidPrefixes = new[] { "10.0.0.0/8" } } } },
        },
    };

    private object XtrConfig(string name, string rloc, string rlocMac, (string Name, string Mac, string Gateway)[] eidPorts, string[] eidSubnets, string[] localEids) => new
    {
        roles = new[] { "itr", "etr" },
        control = new { socket = Socket(name) },
        ports = eidPorts.Select(p => (object)new { name = p.Name, mac = p.Mac, addresses = new[] { p.Gateway }, driver = "af_packet", @interface = p.Name })
            .Append(new { name = "rloc", mac = rlocMac, addresses = new[] { rloc }, driver = "af_packet", @interface = "rloc" }).ToArray(),
        routes = eidSubnets.Select((s, i) => (object)new { prefix = s, port = eidPorts[Math.Min(i, eidPorts.Length - 1)].Name })
            .Append(new { prefix = "192.0.2.0/24", port = "rloc" }).ToArray(),
        lisp = new
        {
            localRlocs = new[] { new { address = rloc } },
            localEids,
            mapResolvers = new[] { "192.0.2.100" },
            mapServers = new[] { new { address = "192.0.2.100", keyId = 2, key = Key } },
            changePriority = new { keyId = 2, key = "cp-key" },
        },
    };

    private string Socket(string node) => Path.Combine(scratch, $"{node}.sock");

    private string Write(string name, object config)
    {
        string path = Path.Combine(scratch, name);
        File.WriteAllText(path, JsonSerializer.Serialize(config));
        return path;
    }

    public void Dispose()
    {
        lab.Dispose();
        Directory.Delete(scratch, recursive: true);
    }

    private sealed record Topology(string ClientHost, string HostB, string Vm, Dictionary<string, Process> Daemons, Process Relay)
    {
        public Dictionary<string, string> StopAll()
        {
            var logs = Daemons.ToDictionary(d => d.Key, d => Lab.Stop(d.Value));
            Lab.Stop(Relay);
            return logs;
        }
    }
}
