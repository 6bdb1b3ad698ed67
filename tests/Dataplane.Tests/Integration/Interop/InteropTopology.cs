using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Integration.Interop;

/// <summary>
/// Namespaces for a LISP interop run: one underlay segment (a Linux bridge in its own namespace, 192.0.2.0/24) that
/// every xTR's and map-server's RLOC interface joins, and behind each xTR a host namespace (site N: 10.N.0.10/24,
/// gateway 10.N.0.1). Our daemons own their ports through AF_PACKET (the kernel of their namespace holds none of their
/// addresses); OOR uses the kernel of its namespace, which gets the addresses and forwards between the EID interface
/// and OOR's tun device. Processes are stopped by PID and namespaces removed by name when it is disposed.
/// </summary>
public sealed class InteropTopology : IDisposable
{
    private readonly Lab lab = new();
    private readonly List<DataplaneNode> ours = [];
    private readonly List<OorNode> oors = [];
    private readonly string underlay;
    private readonly string scenario;

    /// <param name="scenario">Names the file in the temp folder that keeps every daemon's output after the run.</param>
    public InteropTopology(string scenario)
    {
        this.scenario = scenario;
        Scratch = Directory.CreateTempSubdirectory("dataplane-oor-interop-").FullName;
        underlay = lab.Namespace("wan");
        lab.InNamespace(underlay, "ip", "link", "add", "br0", "type", "bridge");
        lab.InNamespace(underlay, "ip", "link", "set", "br0", "up");
    }

    public string Scratch { get; }

    /// <summary>Where the map-server / map-resolver of a run is, ours or OOR's.</summary>
    public const string MapServerRloc = "192.0.2.100";

    public static string Rloc(int octet) => $"192.0.2.{octet}";

    public static string EidPrefix(int site) => $"10.{site}.0.0/24";

    public static string HostAddress(int site) => $"10.{site}.0.10";

    public static string RlocMac(int octet) => $"02:00:00:c0:00:{octet:x2}";

    /// <summary>A namespace whose interface "rloc" (MAC <see cref="RlocMac"/>) is on the underlay bridge.</summary>
    public string Node(string name, int octet)
    {
        string ns = lab.Namespace(name);
        lab.Link(ns, "rloc", RlocMac(octet), underlay, $"w-{name}", $"02:00:00:c1:00:{octet:x2}");
        lab.InNamespace(underlay, "ip", "link", "set", $"w-{name}", "master", "br0");
        return ns;
    }

    /// <summary>Site N's host behind <paramref name="xtr"/>'s interface "eid" (MAC 02:00:00:0N:00:01); its namespace.</summary>
    public string Host(string xtr, int site)
    {
        string ns = lab.Namespace($"h{site}");
        lab.Link(ns, "eth0", $"02:00:00:{site:x2}:00:0a", xtr, "eid", GatewayMac(site));
        lab.InNamespace(ns, "ip", "addr", "add", $"{HostAddress(site)}/24", "dev", "eth0");
        lab.InNamespace(ns, "ip", "route", "add", "default", "via", $"10.{site}.0.1");
        return ns;
    }

    public static string GatewayMac(int site) => $"02:00:00:{site:x2}:00:01";

    /// <summary>Our xTR's configuration: ports "eid" (gateway of site N) and "rloc", its EIDs; the caller adds the mapping system or static entries.</summary>
    public static JsonObject OurXtrConfig(int octet, int site, string[]? localEids = null, string? gatewayMac = null) => new()
    {
        ["roles"] = new JsonArray("itr", "etr"),
        ["ports"] = new JsonArray(
            Port("eid", gatewayMac ?? GatewayMac(site), $"10.{site}.0.1"),
            Port("rloc", RlocMac(octet), Rloc(octet))),
        ["routes"] = new JsonArray(
            new JsonObject { ["prefix"] = "192.0.2.0/24", ["port"] = "rloc" },
            new JsonObject { ["prefix"] = EidPrefix(site), ["port"] = "eid" }),
        ["lisp"] = new JsonObject
        {
            ["localRlocs"] = new JsonArray(new JsonObject { ["address"] = Rloc(octet) }),
            ["localEids"] = new JsonArray((localEids ?? [EidPrefix(site)]).Select(e => (JsonNode)e!).ToArray()),
        },
    };

    /// <summary>Our map-server / map-resolver: one port on the underlay, the given sites.</summary>
    public static JsonObject OurMapServerConfig(int octet, JsonArray sites) => new()
    {
        ["roles"] = new JsonArray("msmr"),
        ["ports"] = new JsonArray(Port("rloc", RlocMac(octet), Rloc(octet))),
        ["routes"] = new JsonArray(new JsonObject { ["prefix"] = "192.0.2.0/24", ["port"] = "rloc" }),
        ["lisp"] = new JsonObject
        {
            ["localRlocs"] = new JsonArray(new JsonObject { ["address"] = Rloc(octet) }),
            ["mappingSystem"] = new JsonObject { ["sites"] = sites },
        },
    };

    /// <summary>Adds our mapping system to one of our xTR configurations: resolver and server at 192.0.2.100.</summary>
    public static JsonObject Registering(JsonObject config, int keyId, string key, bool proxyReply)
    {
        config["lisp"]!["mapResolvers"] = new JsonArray(MapServerRloc);
        config["lisp"]!["mapServers"] = new JsonArray(new JsonObject { ["address"] = MapServerRloc, ["keyId"] = keyId, ["key"] = key, ["proxyReply"] = proxyReply });
        return config;
    }

    /// <summary>An OOR xTR serving site N from its RLOC 192.0.2.N, registering with (and resolving through) 192.0.2.100.</summary>
    public static OorConfig RegisteringOorXtr(int site, string key, bool proxyReply)
    {
        var config = OorConfig.Xtr();
        config.MapResolver = MapServerRloc;
        config.MapServers.Add((MapServerRloc, key, proxyReply));
        config.DatabaseMappings.Add((EidPrefix(site), "rloc"));
        return config;
    }

    /// <summary>A site of our map-server: a name, its key and the EID prefixes it may register.</summary>
    public static JsonObject Site(string name, int keyId, string key, params string[] prefixes) => new()
    {
        ["name"] = name,
        ["keyId"] = keyId,
        ["key"] = key,
        ["eidPrefixes"] = new JsonArray(prefixes.Select(p => (JsonNode)p!).ToArray()),
    };

    public DataplaneNode StartOurs(string ns, string name, JsonObject config)
    {
        var node = DataplaneNode.Start(lab, ns, name, config, Scratch);
        ours.Add(node);
        return node;
    }

    /// <summary>Gives OOR's kernel its addresses: the RLOC on "rloc", and for an xTR the gateway of site N on "eid", forwarding on.</summary>
    public void OorKernel(string ns, int octet, int? site)
    {
        lab.InNamespace(ns, "ip", "addr", "add", $"{Rloc(octet)}/24", "dev", "rloc");
        if (site is { } n)
        {
            lab.InNamespace(ns, "ip", "addr", "add", $"10.{n}.0.1/24", "dev", "eid");
            lab.InNamespace(ns, "sysctl", "-qw", "net.ipv4.ip_forward=1");
        }
    }

    public OorNode StartOor(string ns, string name, OorConfig config)
    {
        var node = OorNode.Start(lab, ns, name, config, Scratch);
        oors.Add(node);
        return node;
    }

    public string InNamespace(string ns, params string[] command) => lab.InNamespace(ns, command);

    public string Namespace(string name) => lab.Namespace(name);

    public void Link(string namespaceA, string nameA, string macA, string namespaceB, string nameB, string macB) =>
        lab.Link(namespaceA, nameA, macA, namespaceB, nameB, macB);

    /// <summary>`ping -c count`: how many answers came back (0 when ping could not run), and its output.</summary>
    public static (int Sent, int Received, string Output) Ping(string fromNs, string address, int count, double intervalSeconds = 0.2)
    {
        var (_, output) = Lab.TryRun(TimeSpan.FromSeconds(10 + count * (intervalSeconds + 1)), "ip", "netns", "exec", fromNs, "ping", "-n", "-c",
            count.ToString(CultureInfo.InvariantCulture), "-i", intervalSeconds.ToString(CultureInfo.InvariantCulture), "-W", "1", address);
        var summary = Regex.Match(output, @"(\d+) packets transmitted, (\d+) received");
        return summary.Success
            ? (int.Parse(summary.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(summary.Groups[2].Value, CultureInfo.InvariantCulture), output)
            : (count, 0, output);
    }

    /// <summary>One echo at a time (1 s timeout each) until one is answered; the seconds since <paramref name="since"/>, or null after <paramref name="timeout"/>.</summary>
    public static double? FirstAnswer(string fromNs, string address, Stopwatch since, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        for (int attempt = 0; attempt < 60 && clock.Elapsed < timeout; attempt++)
        {
            var (exitCode, _) = Lab.TryRun(TimeSpan.FromSeconds(5), "ip", "netns", "exec", fromNs, "ping", "-n", "-c", "1", "-W", "1", address);
            if (exitCode == 0)
            {
                return since.Elapsed.TotalSeconds;
            }

            Thread.Sleep(100);
        }

        return null;
    }

    /// <summary>Polls <paramref name="condition"/> every 50 ms; the seconds it took, or null after <paramref name="timeout"/> (or as many polls).</summary>
    public static double? WaitFor(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        int polls = (int)(timeout.TotalMilliseconds / 50) + 1;
        for (int poll = 0; poll < polls && clock.Elapsed < timeout; poll++)
        {
            if (condition())
            {
                return clock.Elapsed.TotalSeconds;
            }

            Thread.Sleep(50);
        }

        return null;
    }

    /// <summary>What every daemon has printed so far, by name (for failure messages while they still run).</summary>
    public Dictionary<string, string> Logs() =>
        ours.Select(n => (n.Name, Log: n.Output())).Concat(oors.Select(n => (n.Name, Log: n.Log()))).ToDictionary(l => l.Name, l => l.Log);

    /// <summary>Stops every daemon by PID; ours' exit prints, OOR's logs, by name.</summary>
    public Dictionary<string, string> StopAll()
    {
        var logs = new Dictionary<string, string>();
        foreach (var node in ours)
        {
            logs[node.Name] = node.Stop();
        }

        foreach (var node in oors)
        {
            logs[node.Name] = node.Stop();
        }

        return logs;
    }

    private static JsonObject Port(string name, string mac, string address) => new()
    {
        ["name"] = name,
        ["mac"] = mac,
        ["addresses"] = new JsonArray(address),
        ["driver"] = "af_packet",
        ["interface"] = name,
    };

    public void Dispose()
    {
        var logs = StopAll();
        File.WriteAllText(Path.Combine(Path.GetTempPath(), $"lisp-interop-{scenario}.log"), string.Join("\n", logs.Select(l => $"--- {l.Key}:\n{l.Value}")));
        lab.Dispose();
        Directory.Delete(Scratch, recursive: true);
    }
}
