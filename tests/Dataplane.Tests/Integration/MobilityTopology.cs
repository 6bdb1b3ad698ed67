using System.Globalization;
using System.Text.Json.Nodes;

namespace Dataplane.Tests.Integration;

/// <summary>
/// The mobility lab: one Dataplane map-server/map-resolver and three Dataplane xTRs in namespaces, on an underlay that
/// delays every frame (Tools/delay_relay.py), no static mapping anywhere.
/// <code>
///   vm (10.1.0.5, 10.1.0.6) ─ xTR A (192.0.2.1, 192.0.2.11) ─┐                  ┌─ MS/MR (192.0.2.100)
///   hb (10.2.0.10) ────────── xTR B (192.0.2.2) ──────────────┼─ relay (delay) ──┤
///   hc (10.3.0.10) ────────── xTR C (192.0.2.3) ──────────────┘
/// </code>
/// The VM's namespace has a bridge with a leg to A and a leg to B (down): <see cref="MoveVm"/> flips them in one
/// process. Both VM addresses live on that bridge, so they move together. A and B use the same gateway address and
/// MAC on their EID side, so the VM's ARP cache stays valid. A has a second RLOC (priority 2) on the same port (a
/// port of its own would never send, so the relay would flood every frame for it to every node).
/// </summary>
internal sealed class MobilityTopology
{
    public const string Vm = "10.1.0.5", Vm2 = "10.1.0.6", ClientEid = "10.3.0.10", HostBEid = "10.2.0.10";
    public const string RlocA = "192.0.2.1", RlocA2 = "192.0.2.11", RlocB = "192.0.2.2", RlocC = "192.0.2.3", MapServer = "192.0.2.100";
    private const string Key = "lab-key", GatewayMac = "02:00:00:0e:00:01";

    private readonly Lab lab;
    private readonly string scratch;
    private readonly System.Diagnostics.Process relay;
    private bool vmAtA = true;

    private MobilityTopology(Lab lab, string scratch, System.Diagnostics.Process relay)
    {
        this.lab = lab;
        this.scratch = scratch;
        this.relay = relay;
    }

    public int RelayDelayMilliseconds { get; private init; }

    public string ClientHost { get; private init; } = "";

    public string HostB { get; private init; } = "";

    public string Wan { get; private init; } = "";

    public DataplaneNode Ms { get; private set; } = null!;

    public DataplaneNode A { get; private set; } = null!;

    public DataplaneNode B { get; private set; } = null!;

    public DataplaneNode C { get; private set; } = null!;

    /// <param name="changePriority">Whether the xTRs are configured for Change-Priority (else they move and tell by SMR).</param>
    /// <param name="vms">The VM addresses A serves at the start (each a /32 local EID).</param>
    public static MobilityTopology Build(Lab lab, string scratch, int relayDelayMilliseconds, bool changePriority, string[] vms)
    {
        string ms = lab.Namespace("ms"), wan = lab.Namespace("wan");
        string xa = lab.Namespace("xa"), xb = lab.Namespace("xb"), xc = lab.Namespace("xc");
        string vm = lab.Namespace("vm"), hb = lab.Namespace("hb"), hc = lab.Namespace("hc");

        lab.Link(ms, "und", "02:00:00:c0:00:64", wan, "w-ms", "02:00:00:c1:00:64");
        lab.Link(xa, "rloc", "02:00:00:c0:00:01", wan, "w-xa", "02:00:00:c1:00:01");
        lab.Link(xb, "rloc", "02:00:00:c0:00:02", wan, "w-xb", "02:00:00:c1:00:02");
        lab.Link(xc, "rloc", "02:00:00:c0:00:03", wan, "w-xc", "02:00:00:c1:00:03");

        lab.Link(vm, "leg-a", "02:00:00:0a:00:a1", xa, "eid", GatewayMac);
        lab.Link(vm, "leg-b", "02:00:00:0a:00:b1", xb, "eid", GatewayMac);
        lab.InNamespace(vm, "ip", "link", "add", "br0", "address", "02:00:00:0a:00:05", "type", "bridge");
        lab.InNamespace(vm, "ip", "link", "set", "leg-a", "master", "br0");
        lab.InNamespace(vm, "ip", "link", "set", "leg-b", "master", "br0");
        lab.InNamespace(vm, "ip", "link", "set", "leg-b", "down");
        lab.InNamespace(vm, "ip", "link", "set", "br0", "up");
        lab.InNamespace(vm, "ip", "addr", "add", $"{Vm}/24", "dev", "br0");
        lab.InNamespace(vm, "ip", "addr", "add", $"{Vm2}/24", "dev", "br0");
        lab.InNamespace(vm, "ip", "route", "add", "default", "via", "10.1.0.1");

        lab.Link(hb, "eth0", "02:00:00:0b:00:0a", xb, "eid-b", "02:00:00:0b:00:01");
        lab.InNamespace(hb, "ip", "addr", "add", $"{HostBEid}/24", "dev", "eth0");
        lab.InNamespace(hb, "ip", "route", "add", "default", "via", "10.2.0.1");
        lab.Link(hc, "eth0", "02:00:00:0c:00:0a", xc, "eid", "02:00:00:0c:00:01");
        lab.InNamespace(hc, "ip", "addr", "add", $"{ClientEid}/24", "dev", "eth0");
        lab.InNamespace(hc, "ip", "route", "add", "default", "via", "10.3.0.1");

        string relayScript = Path.Combine(Oracles.RepositoryPaths.Root, "tests", "Dataplane.Tests", "Integration", "Tools", "delay_relay.py");
        var relay = lab.Start(wan, "/usr/bin/python3", relayScript, relayDelayMilliseconds.ToString(CultureInfo.InvariantCulture),
            "w-ms", "w-xa", "w-xb", "w-xc");

        var topology = new MobilityTopology(lab, scratch, relay)
        {
            RelayDelayMilliseconds = relayDelayMilliseconds, ClientHost = hc, HostB = hb, Wan = wan,
        };
        topology.Ms = DataplaneNode.Start(lab, ms, "ms", MapServerConfig(), scratch);
        topology.A = DataplaneNode.Start(lab, xa, "a", XtrConfig([("rloc", "02:00:00:c0:00:01", RlocA, 1), ("rloc", "02:00:00:c0:00:01", RlocA2, 2)],
            [("eid", GatewayMac, "10.1.0.1")], ["10.1.0.0/24"], vms.Select(v => $"{v}/32").ToArray(), changePriority), scratch);
        topology.B = DataplaneNode.Start(lab, xb, "b", XtrConfig([("rloc", "02:00:00:c0:00:02", RlocB, 1)],
            [("eid", GatewayMac, "10.1.0.1"), ("eid-b", "02:00:00:0b:00:01", "10.2.0.1")], ["10.1.0.0/24", "10.2.0.0/24"], ["10.2.0.0/24"], changePriority), scratch);
        topology.C = DataplaneNode.Start(lab, xc, "c", XtrConfig([("rloc", "02:00:00:c0:00:03", RlocC, 1)],
            [("eid", "02:00:00:0c:00:01", "10.3.0.1")], ["10.3.0.0/24"], ["10.3.0.0/24"], changePriority), scratch);
        topology.KnowEachOther();
        topology.WaitForRegistrations(2 + vms.Length);
        return topology;
    }

    /// <summary>
    /// Static neighbours between every pair of underlay nodes, as behind a routed underlay whose next hop is always
    /// resolved: on this flat segment the first message to a new peer would otherwise wait for an ARP round trip
    /// through the relay (two delays), which is not what a move or a priority change is measured for.
    /// </summary>
    private void KnowEachOther()
    {
        (string Address, string Mac)[] underlay =
        [
            (MapServer, "02:00:00:c0:00:64"), (RlocA, "02:00:00:c0:00:01"), (RlocA2, "02:00:00:c0:00:01"),
            (RlocB, "02:00:00:c0:00:02"), (RlocC, "02:00:00:c0:00:03"),
        ];
        foreach (var (node, own, port) in new[] { (Ms, new[] { MapServer }, "und"), (A, new[] { RlocA, RlocA2 }, "rloc"), (B, new[] { RlocB }, "rloc"), (C, new[] { RlocC }, "rloc") })
        {
            foreach (var (address, mac) in underlay.Where(u => !own.Contains(u.Address)))
            {
                node.Call("neighbour.add", new JsonObject { ["address"] = address, ["mac"] = mac, ["port"] = port });
            }
        }
    }

    /// <summary>Flips the VM's legs (one `ip -batch`, so both happen at once); returns when the flip began (Unix seconds).</summary>
    public double MoveVm()
    {
        string batch = Path.Combine(scratch, "move.batch");
        File.WriteAllText(batch, vmAtA ? "link set leg-a down\nlink set leg-b up\n" : "link set leg-b down\nlink set leg-a up\n");
        double at = Now();
        lab.InNamespace(lab.Prefix + "-vm", "ip", "-batch", batch);
        vmAtA = !vmAtA;
        return at;
    }

    public static double Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    public void Ping(string ns, string target, int count) =>
        Lab.TryRun(TimeSpan.FromSeconds(20), "ip", "netns", "exec", ns, "ping", "-c", count.ToString(CultureInfo.InvariantCulture), "-i", "0.2", "-W", "1", target);

    /// <summary>Every daemon's output (its counters at exit) after stopping it, and the relay stopped.</summary>
    public Dictionary<string, string> StopAll()
    {
        var logs = new[] { Ms, A, B, C }.ToDictionary(n => n.Name, n => n.Stop());
        Lab.Stop(relay);
        return logs;
    }

    public static string Format(Dictionary<string, string> logs) => string.Join("\n", logs.Select(l => $"--- {l.Key}:\n{l.Value}"));

    private void WaitForRegistrations(int count)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        JsonNode? last = null;
        while (clock.Elapsed < TimeSpan.FromSeconds(40))
        {
            last = Ms.Call("lisp.registrations");
            if (last.AsArray().Count >= count)
            {
                return;
            }

            Thread.Sleep(200);
        }

        Assert.Fail($"the map-server did not get {count} registrations within 40 s; last answer: {last?.ToJsonString()}");
    }

    private static JsonObject MapServerConfig() => new()
    {
        ["roles"] = new JsonArray("msmr"),
        ["ports"] = new JsonArray(new JsonObject
        {
            ["name"] = "und", ["mac"] = "02:00:00:c0:00:64", ["addresses"] = new JsonArray(MapServer), ["driver"] = "af_packet", ["interface"] = "und",
        }),
        ["routes"] = new JsonArray(new JsonObject { ["prefix"] = "192.0.2.0/24", ["port"] = "und" }),
        ["lisp"] = new JsonObject
        {
            ["localRlocs"] = new JsonArray(new JsonObject { ["address"] = MapServer }),
            ["mappingSystem"] = new JsonObject
            {
                ["sites"] = new JsonArray(new JsonObject { ["name"] = "lab", ["keyId"] = 2, ["key"] = Key, ["eidPrefixes"] = new JsonArray("10.0.0.0/8") }),
            },
        },
    };

    private static JsonObject XtrConfig((string Port, string Mac, string Address, int Priority)[] rlocs, (string Name, string Mac, string Gateway)[] eidPorts,
        string[] eidSubnets, string[] localEids, bool changePriority)
    {
        var ports = new JsonArray();
        foreach (var p in eidPorts)
        {
            ports.Add(new JsonObject { ["name"] = p.Name, ["mac"] = p.Mac, ["addresses"] = new JsonArray(p.Gateway), ["driver"] = "af_packet", ["interface"] = p.Name });
        }

        foreach (var port in rlocs.GroupBy(r => r.Port))
        {
            ports.Add(new JsonObject
            {
                ["name"] = port.Key, ["mac"] = port.First().Mac, ["addresses"] = new JsonArray(port.Select(r => (JsonNode)r.Address).ToArray()),
                ["driver"] = "af_packet", ["interface"] = port.Key,
            });
        }

        var routes = new JsonArray();
        for (int i = 0; i < eidSubnets.Length; i++)
        {
            routes.Add(new JsonObject { ["prefix"] = eidSubnets[i], ["port"] = eidPorts[Math.Min(i, eidPorts.Length - 1)].Name });
        }

        routes.Add(new JsonObject { ["prefix"] = "192.0.2.0/24", ["port"] = "rloc" });
        var lisp = new JsonObject
        {
            ["localRlocs"] = new JsonArray(rlocs.Select(r => (JsonNode)new JsonObject { ["address"] = r.Address, ["priority"] = r.Priority, ["weight"] = 100 }).ToArray()),
            ["localEids"] = new JsonArray(localEids.Select(e => (JsonNode)e).ToArray()),
            ["mapResolvers"] = new JsonArray(MapServer),
            ["mapServers"] = new JsonArray(new JsonObject { ["address"] = MapServer, ["keyId"] = 2, ["key"] = Key }),
        };
        if (changePriority)
        {
            lisp["changePriority"] = new JsonObject { ["keyId"] = 2, ["key"] = "cp-key" };
        }

        return new JsonObject { ["roles"] = new JsonArray("itr", "etr"), ["ports"] = ports, ["routes"] = routes, ["lisp"] = lisp };
    }
}
