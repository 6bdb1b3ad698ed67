using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Dataplane.Tests.Integration.Interop;
using static Dataplane.Tests.Integration.Interop.InteropChecks;
using static Dataplane.Tests.Integration.Interop.InteropTopology;

namespace Dataplane.Tests.Integration;

/// <summary>
/// LISP NAT traversal with Open Overlay Router 1.3.0 as the xTR behind the NAT: OOR (nat_traversal_support on, RLOC
/// 172.16.0.2, a private address) sits behind a namespace router whose nftables masquerades it as 192.0.2.1 on the
/// underlay; our map-server (192.0.2.100, natTraversal.rtrs = our RTR) answers its Info-Request, our RTR (192.0.2.50,
/// a separate daemon with role rtr) relays its Map-Register and the Map-Notify, and our xTR serves site 2. The host
/// behind OOR and the host behind our xTR ping each other: the echo toward the NATed host can only get in through
/// the RTR, to the port the NAT gave OOR's registrations. A third site (our xTR) pings site 2 directly, for the RTT
/// without the RTR.
/// </summary>
/// <remarks>Needs root, nftables (scripts/setup.sh) and the OOR tarball (OOR_TARBALL, see OorBuild); skips naming what is missing.</remarks>
[Collection(nameof(TimedInteropCollection))]
public sealed class OorNatTraversalTests : IDisposable
{
    private const string NatPublic = "192.0.2.1";
    private const string RtrRloc = "192.0.2.50";
    private const string OorPrivateRloc = "172.16.0.2";
    private const string Key = "nat-site-key";

    private InteropTopology? topology;

    [Fact]
    public void Oor_behind_a_masquerading_NAT_registers_through_our_RTR_and_hosts_ping_both_ways()
    {
        OorBuild.RequireBinary();
        Assert.SkipUnless(File.Exists("/usr/sbin/nft"), "needs nftables' nft (scripts/setup.sh installs it)");
        var t = topology = new InteropTopology("nat");
        string ms = t.Node("ms", 100), rtr = t.Node("rtr", 50), two = t.Node("two", 2), three = t.Node("three", 3), nat = t.Node("nat", 1);
        string oor = t.Namespace("oor");
        t.Link(nat, "inside", "02:00:00:ac:10:01", oor, "rloc", "02:00:00:ac:10:02");
        string hostOor = t.Host(oor, 1), hostTwo = t.Host(two, 2), hostThree = t.Host(three, 3);
        MasqueradingRouter(t, nat);
        t.InNamespace(oor, "ip", "addr", "add", $"{OorPrivateRloc}/24", "dev", "rloc");
        t.InNamespace(oor, "ip", "route", "add", "default", "via", "172.16.0.1");
        t.InNamespace(oor, "ip", "addr", "add", "10.1.0.1/24", "dev", "eid");
        t.InNamespace(oor, "sysctl", "-qw", "net.ipv4.ip_forward=1");

        var mapServerConfig = OurMapServerConfig(100, new JsonArray(Site("natted", 1, Key, EidPrefix(1)), Site("two", 1, Key, EidPrefix(2)),
            Site("three", 1, Key, EidPrefix(3))));
        mapServerConfig["lisp"]!["natTraversal"] = new JsonObject { ["rtrs"] = new JsonArray(RtrRloc) };
        var server = t.StartOurs(ms, "msmr", mapServerConfig);
        var relay = t.StartOurs(rtr, "rtr", RtrConfig());
        var xtrTwo = t.StartOurs(two, "two", Registering(OurXtrConfig(2, 2), keyId: 1, Key, proxyReply: false));
        t.StartOurs(three, "three", Registering(OurXtrConfig(3, 3), keyId: 1, Key, proxyReply: false)); // a direct LISP path, for comparison
        // Ours answering first: OOR sends its Info-Request four times within 8 s, then waits 60 s before trying again.
        foreach (var node in new[] { server, relay, xtrTwo })
        {
            node.Call("lisp.counters");
        }

        var oorConfig = OorConfig.Xtr();
        oorConfig.NatTraversal = true;
        oorConfig.MapServers.Add((MapServerRloc, Key, true));
        oorConfig.DatabaseMappings.Add((EidPrefix(1), "rloc"));
        var started = Stopwatch.StartNew();
        var oorXtr = t.StartOor(oor, "oor", oorConfig);

        // Registered through the RTR: our map-server lists site 1 with the RTR's RLOC as its locator.
        double? registered = WaitFor(() => RegisteredThroughRtr(server), TimeSpan.FromSeconds(80));
        Assert.True(registered is not null, $"OOR's EID never registered through the RTR: {server.Call("lisp.registrations").ToJsonString()}\n{Format(t.Logs())}");
        double registeredAfter = started.Elapsed.TotalSeconds;
        Assert.True(WaitFor(() => ConfirmedTo(oorXtr.Log(), EidPrefix(1)), TimeSpan.FromSeconds(20)) is not null,
            $"OOR never took the Map-Notify the RTR passed on\n{Format(t.Logs())}");
        Assert.Matches(@"Info-Request of 10\.1\.0\.0/24 to 192\.0\.2\.100 from locator 172\.16\.0\.2 scheduled", oorXtr.Log());

        double? firstOut = FirstAnswer(hostOor, HostAddress(2), started, TimeSpan.FromSeconds(20));
        Assert.True(firstOut is not null, $"the host behind OOR never reached site 2\n{Format(t.Logs())}");
        double? firstIn = FirstAnswer(hostTwo, HostAddress(1), started, TimeSpan.FromSeconds(20));
        Assert.True(firstIn is not null, $"site 2 never reached the host behind OOR (through the RTR and the NAT)\n{Format(t.Logs())}");
        var outward = InteropTopology.Ping(hostOor, HostAddress(2), 20);
        var inward = InteropTopology.Ping(hostTwo, HostAddress(1), 20);
        Assert.True(FirstAnswer(hostThree, HostAddress(2), started, TimeSpan.FromSeconds(20)) is not null, $"site 3 never reached site 2\n{Format(t.Logs())}");
        var direct = InteropTopology.Ping(hostThree, HostAddress(2), 20);
        string ruleset = t.InNamespace(nat, "nft", "list", "ruleset");
        var counters = new Dictionary<string, Dictionary<string, long>>
        {
            ["map-server"] = server.LispCounters(), ["RTR"] = relay.LispCounters(), ["xTR (site 2)"] = xtrTwo.LispCounters(),
        };
        var registrations = server.Call("lisp.registrations").AsArray();
        var natedXtrs = relay.Call("lisp.nated-xtrs").AsArray();
        var logs = t.StopAll();

        InteropReport.Append("h. NAT traversal: OOR xTR behind an nftables masquerade, our map-server and RTR",
        [
            ("OOR start to registered through the RTR (our map-server lists it)", InteropReport.Seconds(registeredAfter)),
            ("first echo answered after OOR start, NATed host -> site 2", InteropReport.Seconds(firstOut)),
            ("first echo answered after OOR start, site 2 -> NATed host", InteropReport.Seconds(firstIn)),
            ("ping NATed host -> site 2 (20 echoes), via the RTR", $"{InteropReport.Loss(outward.Sent, outward.Received)}, avg {AverageRtt(outward.Output)}"),
            ("ping site 2 -> NATed host (20 echoes), via the RTR", $"{InteropReport.Loss(inward.Sent, inward.Received)}, avg {AverageRtt(inward.Output)}"),
            ("ping site 3 -> site 2 (20 echoes), our two xTRs, no RTR: the direct path", $"{InteropReport.Loss(direct.Sent, direct.Received)}, avg {AverageRtt(direct.Output)}"),
        ], counters);

        AssertRegistered(registrations, EidPrefix(1), "natted", RtrRloc, proxyReply: true);
        var natedXtr = Assert.Single(natedXtrs);
        Assert.Equal(EidPrefix(1), natedXtr!["eid"]!.GetValue<string>());
        Assert.Equal(NatPublic, natedXtr["translatedAddress"]!.GetValue<string>());
        Assert.Equal(OorPrivateRloc, natedXtr["privateRloc"]!.GetValue<string>());
        Assert.InRange(natedXtr["translatedPort"]!.GetValue<int>(), 1, 65535);
        Assert.DoesNotContain(OorPrivateRloc, registrations.ToJsonString(), StringComparison.Ordinal);
        Assert.True(outward.Received >= 18, $"NATed host -> site 2: {outward.Output}\n{Format(logs)}");
        Assert.True(inward.Received >= 18, $"site 2 -> NATed host: {inward.Output}\n{Format(logs)}");
        Assert.True(counters["map-server"]["InfoRequestReceived"] >= 1 && counters["map-server"]["InfoReplySent"] >= 1, Format(logs));
        Assert.True(counters["RTR"]["MapRegisterRelayed"] >= 1 && counters["RTR"]["MapNotifyRelayed"] >= 1, Format(logs));
        Assert.Matches(@"event LispReencapsulated\s+([2-9]\d|\d{3,})", logs["rtr"]); // both directions went through the RTR
        foreach (var (daemon, values) in counters)
        {
            foreach (string refusal in new[] { "Malformed", "BadHmac", "BadAuthenticationLength", "UnknownKeyId", "PrefixNotAllowed", "UnmatchedMapNotify", "UnknownRtr", "UnknownMapServer" })
            {
                Assert.True(values[refusal] == 0, $"{daemon} counted {values[refusal]} {refusal}\n{Format(logs)}");
            }
        }

        // The NAT did the work: its masquerade rule translated OOR's flows (a nat chain sees the first packet of each:
        // the Info-Request's, the registrations', the data's), and the echoes crossed it both ways.
        var translated = Regex.Match(ruleset, @"counter packets (\d+) bytes \d+ masquerade");
        Assert.True(translated.Success && long.Parse(translated.Groups[1].Value, CultureInfo.InvariantCulture) >= 3, ruleset);
        var outbound = Regex.Match(ruleset, @"oifname ""rloc"" counter packets (\d+) bytes \d+ accept");
        var inbound = Regex.Match(ruleset, @"oifname ""inside"" counter packets (\d+) bytes \d+ accept");
        Assert.True(outbound.Success && long.Parse(outbound.Groups[1].Value, CultureInfo.InvariantCulture) >= 40, ruleset);
        Assert.True(inbound.Success && long.Parse(inbound.Groups[1].Value, CultureInfo.InvariantCulture) >= 40, ruleset);
        Assert.DoesNotMatch("validation failed|Map-Notify message is invalid|Failed to process", logs["oor"]);
    }

    private static bool RegisteredThroughRtr(DataplaneNode server) =>
        server.Call("lisp.registrations").AsArray().Any(r => r!["eid"]!.GetValue<string>() == EidPrefix(1) && r["locators"]!.ToJsonString().Contains(RtrRloc, StringComparison.Ordinal));

    /// <summary>The NAT router: underlay side 192.0.2.1 (its "rloc" on the bridge), site side 172.16.0.1, forwarding, masquerade out of "rloc".</summary>
    private static void MasqueradingRouter(InteropTopology t, string nat)
    {
        t.InNamespace(nat, "ip", "addr", "add", $"{NatPublic}/24", "dev", "rloc");
        t.InNamespace(nat, "ip", "addr", "add", "172.16.0.1/24", "dev", "inside");
        t.InNamespace(nat, "sysctl", "-qw", "net.ipv4.ip_forward=1");
        t.InNamespace(nat, "nft", "add", "table", "ip", "nat");
        t.InNamespace(nat, "nft", "add", "chain", "ip", "nat", "postrouting", "{ type nat hook postrouting priority 100 ; }");
        t.InNamespace(nat, "nft", "add", "rule", "ip", "nat", "postrouting", "oifname", "rloc", "counter", "masquerade");
        // Packets forwarded each way, to show the traffic crossed the NAT (the nat chain counts flows, not packets).
        t.InNamespace(nat, "nft", "add", "table", "ip", "filter");
        t.InNamespace(nat, "nft", "add", "chain", "ip", "filter", "forward", "{ type filter hook forward priority 0 ; }");
        t.InNamespace(nat, "nft", "add", "rule", "ip", "filter", "forward", "oifname", "rloc", "counter", "accept");
        t.InNamespace(nat, "nft", "add", "rule", "ip", "filter", "forward", "oifname", "inside", "counter", "accept");
    }

    /// <summary>Our RTR: one port on the underlay, resolving through the map-server, relaying NATed xTRs' registrations to it.</summary>
    private static JsonObject RtrConfig() => new()
    {
        ["roles"] = new JsonArray("rtr"),
        ["ports"] = new JsonArray(new JsonObject
        {
            ["name"] = "rloc", ["mac"] = RlocMac(50), ["addresses"] = new JsonArray(RtrRloc), ["driver"] = "af_packet", ["interface"] = "rloc",
        }),
        ["routes"] = new JsonArray(new JsonObject { ["prefix"] = "192.0.2.0/24", ["port"] = "rloc" }),
        ["lisp"] = new JsonObject
        {
            ["localRlocs"] = new JsonArray(new JsonObject { ["address"] = RtrRloc }),
            ["mapResolvers"] = new JsonArray(MapServerRloc),
            ["natTraversal"] = new JsonObject { ["mapServers"] = new JsonArray(MapServerRloc) },
        },
    };

    private static string AverageRtt(string pingOutput)
    {
        var match = Regex.Match(pingOutput, @"= [\d.]+/([\d.]+)/");
        return match.Success ? $"{match.Groups[1].Value} ms" : "none";
    }

    public void Dispose() => topology?.Dispose();
}
