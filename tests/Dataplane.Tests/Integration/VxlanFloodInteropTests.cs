using System.Text.Json.Nodes;

namespace Dataplane.Tests.Integration;

/// <summary>
/// A VXLAN fabric of three VTEPs in one VNI: ours (`dataplane run`, AF_PACKET on veths, two access ports with a host
/// on each) and two Linux kernel vxlan devices whose flood lists are set as Linux does it, with
/// <c>bridge fdb append 00:00:00:00:00:00 dst VTEP</c> (head-end replication, RFC 7348 section 4.2). The underlay is a
/// Linux bridge. Every host pings every other with fresh neighbour caches, so each ping starts with a broadcast ARP
/// that must reach the right places: from an access port to the other access port and both kernel VTEPs, from a
/// kernel VTEP to both access ports (and not back into the overlay).
/// </summary>
public sealed class VxlanFloodInteropTests : IDisposable
{
    private const string OurVtep = "192.0.2.1", KernelVtep1 = "192.0.2.2", KernelVtep2 = "192.0.2.3";
    private const string UnderlayMac = "02:00:00:00:02:01", Kernel1Mac = "02:00:00:00:02:02", Kernel2Mac = "02:00:00:00:02:03";

    private readonly string scratch = Directory.CreateTempSubdirectory("dataplane-vxlan-flood-").FullName;
    private readonly Lab lab = new();
    private string host1 = "", host2 = "", kernel1 = "", kernel2 = "", vtep = "";

    [Fact]
    public void Every_host_pings_every_other_across_three_vteps_with_fresh_arp()
    {
        Lab.RequireRoot();
        Build();
        var node = DataplaneNode.Start(lab, vtep, "vtep", Config(KernelVtep1, KernelVtep2), scratch);
        node.Call("vxlan.list"); // waits until the control socket (and so the ports) are up

        var hosts = new (string Ns, string Address)[] { (host1, "10.0.0.11"), (host2, "10.0.0.12"), (kernel1, "10.0.0.2"), (kernel2, "10.0.0.3") };
        var failures = new List<string>();
        foreach (var (from, _) in hosts)
        {
            foreach (var (to, address) in hosts)
            {
                if (from == to)
                {
                    continue;
                }

                FlushNeighbours(hosts.Select(h => h.Ns));
                var (exit, text) = Lab.TryRun(TimeSpan.FromSeconds(15), "ip", "netns", "exec", from, "ping", "-c", "2", "-i", "0.2", "-W", "2", address);
                if (exit != 0)
                {
                    failures.Add($"{from} -> {address}:\n{text}");
                }
            }
        }

        var counters = node.Call("counters.get");
        string log = node.Stop();
        Assert.True(failures.Count == 0, $"{string.Join("\n", failures)}\n{log}");
        Assert.True(counters["emitted"]!.GetValue<long>() > 0, counters.ToJsonString());
        Assert.Contains("conservation holds", log, StringComparison.Ordinal);
        Assert.Matches(@"event VxlanFlooded\s+\d+", log);
    }

    [Fact]
    public void A_vtep_added_over_the_control_socket_gets_the_flood_and_the_host_behind_it_answers()
    {
        Lab.RequireRoot();
        Build();
        var node = DataplaneNode.Start(lab, vtep, "vtep", Config(KernelVtep1), scratch); // the second kernel VTEP not in the list yet
        node.Call("vxlan.list");

        // The ARP for 10.0.0.3 reaches only the first kernel VTEP: no answer.
        var (before, beforeText) = Lab.TryRun(TimeSpan.FromSeconds(15), "ip", "netns", "exec", host1, "ping", "-c", "1", "-W", "2", "10.0.0.3");
        var added = node.Call("vxlan.vtep.add", new JsonObject { ["vni"] = 100, ["vtep"] = KernelVtep2 });
        FlushNeighbours([host1, kernel2]);
        var (after, afterText) = Lab.TryRun(TimeSpan.FromSeconds(15), "ip", "netns", "exec", host1, "ping", "-c", "2", "-i", "0.2", "-W", "2", "10.0.0.3");
        var list = node.Call("vxlan.list");
        string log = node.Stop();

        Assert.True(before != 0, $"10.0.0.3 answered before its VTEP was in the flood list:\n{beforeText}");
        Assert.True(added["added"]!.GetValue<bool>(), added.ToJsonString());
        Assert.True(after == 0, $"host1 -> 10.0.0.3 after vxlan.vtep.add:\n{afterText}\n{log}");
        Assert.Equal([KernelVtep1, KernelVtep2], list["vnis"]![0]!["remoteVteps"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Contains("conservation holds", log, StringComparison.Ordinal);
    }

    /// <summary>
    /// Namespaces and veths: host1 and host2 on our access ports acc1 and acc2, our underlay port und and the two
    /// kernel VTEPs on a bridge in namespace "u"; each kernel VTEP floods to the other two VTEPs.
    /// </summary>
    private void Build()
    {
        host1 = lab.Namespace("h1");
        vtep = lab.Namespace("v");
        lab.Link(host1, "eth0", "02:00:00:00:01:0a", vtep, "acc1", "02:00:00:00:01:01");
        host2 = lab.Namespace("h2");
        lab.Link(host2, "eth0", "02:00:00:00:01:0b", vtep, "acc2", "02:00:00:00:01:02");
        string underlay = lab.Namespace("u");
        lab.Link(vtep, "und", UnderlayMac, underlay, "p0", "02:00:00:00:03:00");
        kernel1 = lab.Namespace("k1");
        lab.Link(kernel1, "eth0", Kernel1Mac, underlay, "p1", "02:00:00:00:03:01");
        kernel2 = lab.Namespace("k2");
        lab.Link(kernel2, "eth0", Kernel2Mac, underlay, "p2", "02:00:00:00:03:02");

        lab.InNamespace(underlay, "ip", "link", "add", "br0", "type", "bridge");
        foreach (string port in new[] { "p0", "p1", "p2" })
        {
            lab.InNamespace(underlay, "ip", "link", "set", port, "master", "br0");
        }

        lab.InNamespace(underlay, "ip", "link", "set", "br0", "up");
        foreach (var (ns, address) in new[] { (host1, "10.0.0.11/24"), (host2, "10.0.0.12/24") })
        {
            lab.InNamespace(ns, "ip", "link", "set", "eth0", "mtu", "1450"); // the kernel vxlan devices' MTU: 1500 - 50
            lab.InNamespace(ns, "ip", "addr", "add", address, "dev", "eth0");
            lab.InNamespace(ns, "ethtool", "-K", "eth0", "tx", "off");
        }

        foreach (var (ns, local, overlay, others) in new[]
                 {
                     (kernel1, KernelVtep1, "10.0.0.2/24", new[] { OurVtep, KernelVtep2 }),
                     (kernel2, KernelVtep2, "10.0.0.3/24", new[] { OurVtep, KernelVtep1 }),
                 })
        {
            lab.InNamespace(ns, "ip", "addr", "add", $"{local}/24", "dev", "eth0");
            lab.InNamespace(ns, "ip", "link", "add", "vx100", "type", "vxlan", "id", "100", "local", local, "dstport", "4789", "dev", "eth0");
            foreach (string other in others)
            {
                lab.InNamespace(ns, "bridge", "fdb", "append", "00:00:00:00:00:00", "dev", "vx100", "dst", other);
            }

            lab.InNamespace(ns, "ip", "addr", "add", overlay, "dev", "vx100");
            lab.InNamespace(ns, "ip", "link", "set", "vx100", "up");
            lab.InNamespace(ns, "ip", "neigh", "replace", OurVtep, "lladdr", UnderlayMac, "dev", "eth0");
            lab.InNamespace(ns, "ethtool", "-K", "eth0", "tx", "off");
            lab.InNamespace(ns, "ethtool", "-K", "vx100", "tx", "off");
        }
    }

    private static JsonObject Config(params string[] floodList) => new()
    {
        ["roles"] = new JsonArray("vtep"),
        ["ports"] = new JsonArray(
            Port("acc1", "02:00:00:00:01:01"),
            Port("acc2", "02:00:00:00:01:02"),
            new JsonObject { ["name"] = "und", ["mac"] = UnderlayMac, ["addresses"] = new JsonArray(OurVtep), ["driver"] = "af_packet", ["interface"] = "und" }),
        ["neighbours"] = new JsonArray(
            new JsonObject { ["address"] = KernelVtep1, ["mac"] = Kernel1Mac, ["port"] = "und" },
            new JsonObject { ["address"] = KernelVtep2, ["mac"] = Kernel2Mac, ["port"] = "und" }),
        ["routes"] = new JsonArray(new JsonObject { ["prefix"] = "192.0.2.0/24", ["port"] = "und" }),
        ["vxlan"] = new JsonObject
        {
            ["localVteps"] = new JsonArray(OurVtep),
            ["bridgeDomains"] = new JsonArray(new JsonObject
            {
                ["vni"] = 100,
                ["ports"] = new JsonArray("acc1", "acc2"),
                ["remoteVteps"] = new JsonArray([.. floodList.Select(v => (JsonNode)v)]),
            }),
        },
    };

    private static JsonObject Port(string name, string mac) => new() { ["name"] = name, ["mac"] = mac, ["driver"] = "af_packet", ["interface"] = name };

    private void FlushNeighbours(IEnumerable<string> namespaces)
    {
        foreach (string ns in namespaces)
        {
            lab.InNamespace(ns, "ip", "neigh", "flush", "all");
        }
    }

    public void Dispose()
    {
        lab.Dispose();
        Directory.Delete(scratch, recursive: true);
    }
}
