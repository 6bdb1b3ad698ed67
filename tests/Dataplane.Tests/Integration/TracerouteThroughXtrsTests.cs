using System.Text.Json;
using System.Text.RegularExpressions;

namespace Dataplane.Tests.Integration;

/// <summary>
/// The real traceroute (Debian's, UDP probes) from host A to host B across three `dataplane run` processes on
/// AF_PACKET ports in their own namespaces: a plain router, then a LISP xTR pair over 192.0.2.0/24, then host B.
/// Every hop must show up by its address, as on a network of deployed routers:
/// <code>
///   host A 10.1.1.10 -- 10.1.1.1 [router] 10.1.2.1 -- 10.1.2.2 [xTR A] 192.0.2.1 == LISP == 192.0.2.2 [xTR B] 10.2.1.1 -- 10.2.1.10 host B
///   hop 1: 10.1.1.1   the router's Time Exceeded, from the port the probe came in on
///   hop 2: 10.1.2.2   xTR A (ITR) expires the probe before encapsulating it, from its site-facing port
///   hop 3: 10.2.1.1   xTR B (ETR) expires it after decapsulating, from its address inside the site, and its ITR side
///                     tunnels the error back to xTR A, which decapsulates it toward host A
///   hop 4: 10.2.1.10  host B's kernel: port unreachable
/// </code>
/// Site A (10.1.0.0/16, host A and the router's links) and site B (10.2.0.0/16) are each other's static map-cache.
/// </summary>
public sealed class TracerouteThroughXtrsTests : IDisposable
{
    private const string HostAMac = "02:00:00:01:01:0a", RouterAMac = "02:00:00:01:01:01", RouterBMac = "02:00:00:01:02:01";
    private const string XtrAEidMac = "02:00:00:01:02:02", XtrARlocMac = "02:00:00:c0:00:01", XtrBRlocMac = "02:00:00:c0:00:02";
    private const string XtrBEidMac = "02:00:00:02:01:01", HostBMac = "02:00:00:02:01:0a";

    private readonly string scratch = Directory.CreateTempSubdirectory("dataplane-traceroute-").FullName;
    private readonly Lab lab = new();

    [Fact]
    public void Traceroute_sees_the_router_both_xtrs_and_the_host()
    {
        Lab.RequireRoot();
        Assert.SkipUnless(File.Exists("/usr/sbin/traceroute") || File.Exists("/usr/bin/traceroute"), "needs traceroute (scripts/setup.sh installs it)");
        string hostA = lab.Namespace("ha"), router = lab.Namespace("r"), xtrA = lab.Namespace("xa"), xtrB = lab.Namespace("xb"), hostB = lab.Namespace("hb");
        lab.Link(hostA, "eth0", HostAMac, router, "west", RouterAMac);
        lab.Link(router, "east", RouterBMac, xtrA, "eid", XtrAEidMac);
        lab.Link(xtrA, "rloc", XtrARlocMac, xtrB, "rloc", XtrBRlocMac);
        lab.Link(xtrB, "eid", XtrBEidMac, hostB, "eth0", HostBMac);
        lab.InNamespace(hostA, "ip", "addr", "add", "10.1.1.10/24", "dev", "eth0");
        lab.InNamespace(hostA, "ip", "route", "add", "default", "via", "10.1.1.1");
        lab.InNamespace(hostB, "ip", "addr", "add", "10.2.1.10/24", "dev", "eth0");
        lab.InNamespace(hostB, "ip", "route", "add", "default", "via", "10.2.1.1");
        foreach (string host in new[] { hostA, hostB })
        {
            lab.InNamespace(host, "ethtool", "-K", "eth0", "tx", "off"); // no partial checksums into AF_PACKET (docs/ports/af_packet.md)
        }

        string dataplane = Path.Combine(AppContext.BaseDirectory, "dataplane");
        var routerDaemon = lab.Start(router, dataplane, "run", "--config", WriteRouterConfig());
        var xtrADaemon = lab.Start(xtrA, dataplane, "run", "--config", WriteXtrConfig("xtr-a.json", XtrAEidMac, XtrARlocMac, "10.1.2.2",
            "192.0.2.1", "10.1.0.0/16", "10.2.0.0/16", "192.0.2.2", XtrBRlocMac, siteRoutes: [("10.1.2.0/24", null), ("10.1.0.0/16", "10.1.2.1")],
            siteNeighbour: ("10.1.2.1", RouterBMac)));
        var xtrBDaemon = lab.Start(xtrB, dataplane, "run", "--config", WriteXtrConfig("xtr-b.json", XtrBEidMac, XtrBRlocMac, "10.2.1.1",
            "192.0.2.2", "10.2.0.0/16", "10.1.0.0/16", "192.0.2.1", XtrARlocMac, siteRoutes: [("10.2.1.0/24", null)], siteNeighbour: null));
        Thread.Sleep(1500); // the daemons up and polling

        // Warm-up echoes, not counted, until one comes back (at most ten): the hosts' neighbours get resolved (xTR B
        // gleans: the first packet toward host B becomes the ARP request, and the reply is learned by its control
        // thread, which on a loaded machine takes a while), so the probes then cross a warmed path.
        for (int attempt = 0; attempt < 10; attempt++)
        {
            if (Lab.TryRun(TimeSpan.FromSeconds(5), "ip", "netns", "exec", hostA, "ping", "-c", "1", "-W", "1", "10.2.1.10").ExitCode == 0)
            {
                break;
            }
        }

        var (exitCode, trace) = Lab.TryRun(TimeSpan.FromSeconds(60), "ip", "netns", "exec", hostA,
            "traceroute", "-n", "-q", "3", "-w", "2", "-m", "6", "10.2.1.10");
        string routerLog = Lab.Stop(routerDaemon), xtrALog = Lab.Stop(xtrADaemon), xtrBLog = Lab.Stop(xtrBDaemon);

        string context = $"traceroute:\n{trace}\nrouter:\n{routerLog}\nxTR A:\n{xtrALog}\nxTR B:\n{xtrBLog}";
        Assert.True(exitCode == 0, context);
        string[] expectedHops = ["10.1.1.1", "10.1.2.2", "10.2.1.1", "10.2.1.10"];
        for (int hop = 1; hop <= expectedHops.Length; hop++)
        {
            var line = Regex.Match(trace, $@"^\s*{hop}\s+(.*)$", RegexOptions.Multiline);
            Assert.True(line.Success, $"no line for hop {hop}\n{context}");
            Assert.True(line.Groups[1].Value.Contains(expectedHops[hop - 1], StringComparison.Ordinal),
                $"hop {hop} should be {expectedHops[hop - 1]}: '{line.Groups[1].Value}'\n{context}");
        }

        Assert.DoesNotMatch(@"^\s*5\s", trace); // host B answered at hop 4: traceroute stops there
        Assert.Matches(@"event IcmpTimeExceededSent\s+[1-9]", routerLog);
        Assert.Matches(@"event IcmpTimeExceededSent\s+[1-9]", xtrALog);
        Assert.Matches(@"event IcmpTimeExceededSent\s+[1-9]", xtrBLog);
        foreach (string log in new[] { routerLog, xtrALog, xtrBLog })
        {
            Assert.Contains("conservation holds", log, StringComparison.Ordinal);
        }
    }

    private string WriteRouterConfig()
    {
        var config = new
        {
            roles = Array.Empty<string>(),
            ports = new object[]
            {
                new { name = "west", mac = RouterAMac, addresses = new[] { "10.1.1.1" }, driver = "af_packet", @interface = "west" },
                new { name = "east", mac = RouterBMac, addresses = new[] { "10.1.2.1" }, driver = "af_packet", @interface = "east" },
            },
            neighbours = new object[] { new { address = "10.1.2.2", mac = XtrAEidMac, port = "east" } },
            routes = new object[]
            {
                new { prefix = "10.1.1.0/24", port = "west" },
                new { prefix = "10.1.2.0/24", port = "east" },
                new { prefix = "0.0.0.0/0", nextHop = "10.1.2.2", port = "east" },
            },
        };
        return Write("router.json", config);
    }

    private string WriteXtrConfig(string name, string eidMac, string rlocMac, string siteAddress, string rloc, string localEid, string remoteEid,
        string remoteRloc, string remoteRlocMac, (string Prefix, string? NextHop)[] siteRoutes, (string Address, string Mac)? siteNeighbour)
    {
        var neighbours = new List<object> { new { address = remoteRloc, mac = remoteRlocMac, port = "rloc" } };
        if (siteNeighbour is { } neighbour)
        {
            neighbours.Add(new { address = neighbour.Address, mac = neighbour.Mac, port = "eid" });
        }

        var routes = new List<object> { new { prefix = "192.0.2.0/24", port = "rloc" } };
        foreach (var (prefix, nextHop) in siteRoutes)
        {
            routes.Add(nextHop is null ? new { prefix, port = "eid" } : new { prefix, nextHop, port = "eid" });
        }

        var config = new
        {
            roles = new[] { "itr", "etr" },
            ports = new object[]
            {
                new { name = "eid", mac = eidMac, addresses = new[] { siteAddress }, driver = "af_packet", @interface = "eid" },
                new { name = "rloc", mac = rlocMac, addresses = new[] { rloc }, driver = "af_packet", @interface = "rloc" },
            },
            neighbours,
            routes,
            lisp = new
            {
                localRlocs = new[] { new { address = rloc } },
                localEids = new[] { localEid },
                mapCache = new[] { new { eid = remoteEid, locators = new[] { new { address = remoteRloc } } } },
            },
        };
        return Write(name, config);
    }

    private string Write(string name, object config)
    {
        string path = Path.Combine(scratch, name);
        File.WriteAllText(path, JsonSerializer.Serialize(config, new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }

    public void Dispose()
    {
        lab.Dispose();
        Directory.Delete(scratch, recursive: true);
    }
}
