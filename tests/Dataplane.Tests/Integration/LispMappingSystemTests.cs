using System.Diagnostics;
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
    private const int RelayDelayMilliseconds = 10;
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

    private static string Format(Dictionary<string, string> logs) =>
        string.Join("\n", logs.Select(l => $"--- {l.Key}:\n{l.Value}"));

    private Topology Build()
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
        var relayProcess = lab.Start(wan, "/usr/bin/python3", relay, RelayDelayMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "w-ms", "w-xa", "w-xb", "w-xc");

        string dataplane = Path.Combine(AppContext.BaseDirectory, "dataplane");
        var daemons = new Dictionary<string, Process>
        {
            ["ms"] = lab.Start(ms, dataplane, "run", "--config", Write("ms.json", MapServerConfig())),
            ["a"] = lab.Start(xa, dataplane, "run", "--config", Write("a.json", XtrConfig("192.0.2.1", "02:00:00:c0:00:01",
                [("eid", GatewayMac, "10.1.0.1")], ["10.1.0.0/24"], ["10.1.0.5/32"]))),
            ["b"] = lab.Start(xb, dataplane, "run", "--config", Write("b.json", XtrConfig("192.0.2.2", "02:00:00:c0:00:02",
                [("eid", GatewayMac, "10.1.0.1"), ("eid-b", "02:00:00:0b:00:01", "10.2.0.1")], ["10.1.0.0/24", "10.2.0.0/24"], ["10.2.0.0/24"]))),
            ["c"] = lab.Start(xc, dataplane, "run", "--config", Write("c.json", XtrConfig("192.0.2.3", "02:00:00:c0:00:03",
                [("eid", "02:00:00:0c:00:01", "10.3.0.1")], ["10.3.0.0/24"], ["10.3.0.0/24"]))),
        };
        Thread.Sleep(2500); // daemons up, registrations confirmed (a lost first register is repeated after 1 s)
        return new Topology(hc, daemons, relayProcess);
    }

    private static object MapServerConfig() => new
    {
        roles = new[] { "msmr" },
        ports = new object[] { new { name = "und", mac = "02:00:00:c0:00:64", addresses = new[] { "192.0.2.100" }, driver = "af_packet", @interface = "und" } },
        routes = new object[] { new { prefix = "192.0.2.0/24", port = "und" } },
        lisp = new
        {
            localRlocs = new[] { new { address = "192.0.2.100" } },
            mappingSystem = new { sites = new[] { new { name = "lab", keyId = 2, key = Key, eidPrefixes = new[] { "10.0.0.0/8" } } } },
        },
    };

    private static object XtrConfig(string rloc, string rlocMac, (string Name, string Mac, string Gateway)[] eidPorts, string[] eidSubnets, string[] localEids) => new
    {
        roles = new[] { "itr", "etr" },
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

    private sealed record Topology(string ClientHost, Dictionary<string, Process> Daemons, Process Relay)
    {
        public Dictionary<string, string> StopAll()
        {
            var logs = Daemons.ToDictionary(d => d.Key, d => Lab.Stop(d.Value));
            Lab.Stop(Relay);
            return logs;
        }
    }
}
