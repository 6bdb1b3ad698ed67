using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Dataplane.Tests.Integration.Interop;
using Dataplane.Wire.Addresses;
using static Dataplane.Tests.Integration.Interop.InteropChecks;
using static Dataplane.Tests.Integration.Interop.InteropTopology;

namespace Dataplane.Tests.Integration;

/// <summary>
/// LISP interop with Open Overlay Router 1.3.0, an independent implementation, both ways: real daemons (ours on
/// AF_PACKET, OOR on the kernel of its namespace) on one underlay bridge, hosts behind every xTR pinging each other
/// through the real kernel stacks. Static mappings; our xTRs registering with OOR's map-server; OOR's xTRs
/// registering with ours; RLOC probing; SMR after a mapping change; a mixed deployment. Every control message OOR
/// sends must be read by our codecs (our daemons' <c>Malformed</c> stays 0 while they count OOR's messages), and the
/// figures go to artifacts/reports/lisp-interop.md. OOR's state is read from its debug log (level 3).
/// </summary>
/// <remarks>
/// Addresses: RLOC 192.0.2.N on the bridge; site N is 10.N.0.0/24 with its host at 10.N.0.10 and gateway 10.N.0.1;
/// map-servers at 192.0.2.100. OOR takes HMAC-SHA-1 only (key id 1), so our side uses key id 1 with it.
/// </remarks>
[Collection(nameof(TimedInteropCollection))]
public sealed class OorInteropTests : IDisposable
{
    private static readonly TimeSpan FirstAnswerBound = TimeSpan.FromSeconds(20);

    private InteropTopology? topology;

    /// <summary>
    /// Our xTR (site 1) and an OOR xTR (site 2), each with a static map-cache entry for the other: the hosts ping each
    /// other both ways.
    /// </summary>
    [Fact]
    public void Static_mappings_hosts_ping_both_ways()
    {
        OorBuild.RequireBinary();
        var t = topology = new InteropTopology("static");
        var (ours, oor, hostOurs, hostOor) = StaticPair(t, probeIntervalSeconds: 0);
        var started = Stopwatch.StartNew();
        var xtr = t.StartOurs(ours.Namespace, "ours", ours.Config);
        t.StartOor(oor.Namespace, "oor", oor.Config);

        double? firstThere = FirstAnswer(hostOurs, HostAddress(2), started, FirstAnswerBound);
        Assert.True(firstThere is not null, $"our site never reached OOR's\n{Format(t.Logs())}");
        double? firstBack = FirstAnswer(hostOor, HostAddress(1), started, FirstAnswerBound);
        Assert.True(firstBack is not null, $"OOR's site never reached ours\n{Format(t.Logs())}");
        var there = Ping(hostOurs, HostAddress(2), 10);
        var back = Ping(hostOor, HostAddress(1), 10);
        var counters = new Dictionary<string, Dictionary<string, long>> { ["xTR (site 1)"] = xtr.LispCounters() };
        var logs = t.StopAll();

        InteropReport.Append("a. static mappings, our xTR <-> OOR xTR",
        [
            ("first echo answered after start, our site -> OOR's", InteropReport.Seconds(firstThere)),
            ("first echo answered after start, OOR's site -> ours", InteropReport.Seconds(firstBack)),
            ("ping our site -> OOR's (10 echoes, 0.2 s apart)", InteropReport.Loss(there.Sent, there.Received)),
            ("ping OOR's site -> ours", InteropReport.Loss(back.Sent, back.Received)),
        ], counters);
        Assert.True(firstThere is not null && there.Received >= 8, $"our site -> OOR's: {there.Output}\n{Format(logs)}");
        Assert.True(firstBack is not null && back.Received >= 8, $"OOR's site -> ours: {back.Output}\n{Format(logs)}");
        Assert.Matches(@"event LispEncapsulated\s+([1-9]\d|\d{3,})", logs["ours"]);
        Assert.Matches(@"event LispDecapsulated\s+([1-9]\d|\d{3,})", logs["ours"]);
        AssertEachSideReadTheOther(counters, logs);
    }

    /// <summary>
    /// The static pair with RLOC probing on both sides (every 5 s) for 30 s: each side answers the other's probes,
    /// neither marks the other's locator down, our <c>lisp.rlocs</c> has an RTT for OOR's RLOC, and the hosts still
    /// ping each other at the end.
    /// </summary>
    [Fact]
    public void Rloc_probing_both_ways_keeps_both_locators_up_for_30_s()
    {
        OorBuild.RequireBinary();
        var t = topology = new InteropTopology("probing");
        var (ours, oor, hostOurs, hostOor) = StaticPair(t, probeIntervalSeconds: 5);
        ours.Config["lisp"]!["rlocProbing"] = new JsonObject { ["intervalSeconds"] = 5, ["timeoutMilliseconds"] = 1000, ["downAfter"] = 2 };
        // OOR first, and ours once it runs: probes sent while OOR is still starting would be answered late, and lost.
        var peer = t.StartOor(oor.Namespace, "oor", oor.Config);
        Assert.True(peer.WaitUntilRunning(TimeSpan.FromSeconds(30)), $"OOR did not finish starting within 30 s\n{Format(t.Logs())}");
        var xtr = t.StartOurs(ours.Namespace, "ours", ours.Config);

        Thread.Sleep(TimeSpan.FromSeconds(31));
        var there = Ping(hostOurs, HostAddress(2), 5);
        var back = Ping(hostOor, HostAddress(1), 5);
        var rlocs = xtr.Call("lisp.rlocs").AsArray();
        var counters = new Dictionary<string, Dictionary<string, long>> { ["xTR (site 1)"] = xtr.LispCounters() };
        var logs = t.StopAll();

        var probed = rlocs.SingleOrDefault(r => r!["rloc"]!.GetValue<string>() == Rloc(2));
        int oorProbesAnswered = Regex.Matches(logs["oor"], $@"Successfully probed RLOC {Regex.Escape(Rloc(1))} ").Count;
        InteropReport.Append("d. RLOC probing both ways for 31 s (5 s interval)",
        [
            ("our probes of OOR's RLOC: sent / answered / lost", probed is null ? "none" : $"{probed["sent"]} / {probed["answered"]} / {probed["lost"]}"),
            ("our RTT to OOR's RLOC (last / smoothed / jitter)", probed is null ? "none" : $"{probed["rttMs"]} / {probed["smoothedRttMs"]} / {probed["jitterMs"]} ms"),
            ("OOR's probes of our RLOC answered (its log)", oorProbesAnswered.ToString(CultureInfo.InvariantCulture)),
            ("ping after 31 s, both ways", $"{InteropReport.Loss(there.Sent, there.Received)}, {InteropReport.Loss(back.Sent, back.Received)}"),
        ], counters);

        Assert.True(probed is not null, $"lisp.rlocs has no entry for {Rloc(2)}: {rlocs.ToJsonString()}");
        Assert.True(probed!["up"]!.GetValue<bool>(), $"we marked OOR's RLOC down: {probed.ToJsonString()}");
        Assert.True(probed["answered"]!.GetValue<long>() >= 5, $"OOR answered too few of our probes: {probed.ToJsonString()}");
        Assert.True(probed["rttMs"] is JsonValue rtt && rtt.GetValue<double>() > 0, $"no RTT for OOR's RLOC: {probed.ToJsonString()}");
        Assert.Equal(0, counters["xTR (site 1)"]["RlocDown"]);
        Assert.True(oorProbesAnswered >= 5, $"OOR saw {oorProbesAnswered} answers to its probes of our RLOC in 31 s:\n{Tail(logs["oor"])}");
        Assert.DoesNotMatch("Locator state changes to DOWN", logs["oor"]);
        Assert.True(there.Received >= 4 && back.Received >= 4, $"{there.Output}\n{back.Output}\n{Format(logs)}");
        AssertEachSideReadTheOther(counters, logs);
    }

    /// <summary>
    /// OOR's map-server (sites 1, 2, 3, one key each) with two xTRs of ours registering to it, site 1 asking for proxy
    /// replies and site 2 not (OOR forwards those Map-Requests to our ETR, which answers the ITR itself), and an OOR
    /// xTR on site 3. OOR's map-server lists both our sites with our RLOCs, our xTRs accept its Map-Notify, and the
    /// hosts of both our sites ping OOR's site and back, with no static mapping anywhere.
    /// </summary>
    [Fact]
    public void Our_xtrs_register_with_oor_map_server_with_and_without_proxy_reply()
    {
        OorBuild.RequireBinary();
        var t = topology = new InteropTopology("oor-ms");
        string ms = t.Node("ms", 100), one = t.Node("one", 1), two = t.Node("two", 2), oor = t.Node("oor", 3);
        string hostOne = t.Host(one, 1), hostTwo = t.Host(two, 2), hostOor = t.Host(oor, 3);
        t.OorKernel(ms, 100, site: null);
        t.OorKernel(oor, 3, site: 3);
        var msConfig = OorConfig.MapServer("rloc");
        msConfig.Sites.Add((EidPrefix(1), "site-one-key"));
        msConfig.Sites.Add((EidPrefix(2), "site-two-key"));
        msConfig.Sites.Add((EidPrefix(3), "site-three-key"));

        var started = Stopwatch.StartNew();
        var server = t.StartOor(ms, "oor-ms", msConfig);
        var xtrOne = t.StartOurs(one, "one", Registering(OurXtrConfig(1, 1), keyId: 1, "site-one-key", proxyReply: true));
        var xtrTwo = t.StartOurs(two, "two", Registering(OurXtrConfig(2, 2), keyId: 1, "site-two-key", proxyReply: false));
        t.StartOor(oor, "oor", RegisteringOorXtr(3, "site-three-key", proxyReply: false));

        // OOR's site too: a request before it registers gets a negative reply, which our ITR would cache for its TTL.
        double? registered = WaitFor(() => ListedBy(server, 1, Rloc(1)) && ListedBy(server, 2, Rloc(2)) && ListedBy(server, 3, Rloc(3))
            && xtrOne.LispCounters()["RegistrationConfirmed"] > 0 && xtrTwo.LispCounters()["RegistrationConfirmed"] > 0, TimeSpan.FromSeconds(20));
        double? sinceStart = started.Elapsed.TotalSeconds;
        Assert.True(registered is not null, $"OOR's map-server did not list the three sites, or our xTRs did not accept its Map-Notify, within 20 s\n{Format(t.Logs())}");
        double? firstOneToOor = FirstAnswer(hostOne, HostAddress(3), started, FirstAnswerBound);
        double? firstOorToTwo = FirstAnswer(hostOor, HostAddress(2), started, FirstAnswerBound);
        double? firstTwoToOor = FirstAnswer(hostTwo, HostAddress(3), started, FirstAnswerBound);
        double? firstOorToOne = FirstAnswer(hostOor, HostAddress(1), started, FirstAnswerBound);
        Assert.True(firstOneToOor is not null && firstOorToTwo is not null && firstTwoToOor is not null && firstOorToOne is not null,
            $"a site never reached another: 1 -> 3 {firstOneToOor}, 3 -> 2 {firstOorToTwo}, 2 -> 3 {firstTwoToOor}, 3 -> 1 {firstOorToOne}\n{Format(t.Logs())}");
        var oneToOor = Ping(hostOne, HostAddress(3), 10);
        var oorToOne = Ping(hostOor, HostAddress(1), 10);
        var twoToOor = Ping(hostTwo, HostAddress(3), 10);
        var oorToTwo = Ping(hostOor, HostAddress(2), 10);
        var counters = new Dictionary<string, Dictionary<string, long>> { ["xTR site 1 (proxy-reply on)"] = xtrOne.LispCounters(), ["xTR site 2 (proxy-reply off)"] = xtrTwo.LispCounters() };
        var logs = t.StopAll();

        InteropReport.Append("b. our xTRs register with OOR's map-server (site 1 proxy-reply on, site 2 off), OOR xTR on site 3",
        [
            ("the three sites listed by OOR's MS and our xTRs' Map-Notify accepted, after start", InteropReport.Seconds(registered is null ? null : sinceStart)),
            ("first echo answered after start: site 1 -> 3, 3 -> 2, 2 -> 3, 3 -> 1",
                $"{InteropReport.Seconds(firstOneToOor)}, {InteropReport.Seconds(firstOorToTwo)}, {InteropReport.Seconds(firstTwoToOor)}, {InteropReport.Seconds(firstOorToOne)}"),
            ("ping site 1 -> 3 / 3 -> 1 (10 echoes each)", $"{InteropReport.Loss(oneToOor.Sent, oneToOor.Received)} / {InteropReport.Loss(oorToOne.Sent, oorToOne.Received)}"),
            ("ping site 2 -> 3 / 3 -> 2", $"{InteropReport.Loss(twoToOor.Sent, twoToOor.Received)} / {InteropReport.Loss(oorToTwo.Sent, oorToTwo.Received)}"),
        ], counters);

        foreach (var (name, ping) in new[] { ("1 -> 3", oneToOor), ("3 -> 1", oorToOne), ("2 -> 3", twoToOor), ("3 -> 2", oorToTwo) })
        {
            Assert.True(ping.Received >= 8, $"site {name}: {ping.Output}\n{Format(logs)}");
        }

        // Site 1 asked for proxy replies: OOR's map-server answered for it. Site 2 did not: OOR forwarded the request to our ETR.
        Assert.Matches($@"The requested EID {Regex.Escape(HostAddress(1))}[^\n]* belongs to the registered prefix {Regex.Escape(EidPrefix(1))}", logs["oor-ms"]);
        Assert.Matches($@"Found xTR with locator {Regex.Escape(Rloc(2))} to forward Encap Map-Request", logs["oor-ms"]);
        Assert.True(counters["xTR site 2 (proxy-reply off)"]["EncapsulatedControlReceived"] > 0, "OOR's map-server forwarded no Map-Request to our site 2");
        Assert.DoesNotMatch("Message validation failed", logs["oor-ms"]);
        AssertEachSideReadTheOther(counters, logs);
    }

    /// <summary>
    /// Two OOR xTRs (sites 1 and 2) register with our map-server, two sites there sharing one key (HMAC-SHA-1, key id
    /// 1): both are registered, under the right site, and their hosts ping each other both ways through our mapping
    /// system (site 1 registers with proxy-reply on, site 2 with it off).
    /// </summary>
    [Fact]
    public void Two_oor_xtrs_sharing_one_key_register_with_our_map_server()
    {
        OorBuild.RequireBinary();
        var t = topology = new InteropTopology("our-ms");
        string ms = t.Node("ms", 100), east = t.Node("east", 1), west = t.Node("west", 2);
        string hostEast = t.Host(east, 1), hostWest = t.Host(west, 2);
        t.OorKernel(east, 1, site: 1);
        t.OorKernel(west, 2, site: 2);
        const string SharedKey = "shared-key";

        var started = Stopwatch.StartNew();
        var server = t.StartOurs(ms, "ms", OurMapServerConfig(100, new JsonArray(
            Site("east", 1, SharedKey, "10.1.0.0/16"),
            Site("west", 1, SharedKey, "10.2.0.0/16"))));
        t.StartOor(east, "oor-east", RegisteringOorXtr(1, SharedKey, proxyReply: true));
        t.StartOor(west, "oor-west", RegisteringOorXtr(2, SharedKey, proxyReply: false));

        double? registered = WaitFor(() => server.Call("lisp.registrations").AsArray().Count >= 2, TimeSpan.FromSeconds(20));
        double? sinceStart = started.Elapsed.TotalSeconds;
        var registrations = server.Call("lisp.registrations").AsArray();
        Assert.True(registered is not null, $"our map-server did not register both OOR xTRs within 20 s: {registrations.ToJsonString()}\n{Format(t.Logs())}");
        double? firstEastToWest = FirstAnswer(hostEast, HostAddress(2), started, FirstAnswerBound);
        double? firstWestToEast = FirstAnswer(hostWest, HostAddress(1), started, FirstAnswerBound);
        Assert.True(firstEastToWest is not null && firstWestToEast is not null, $"site 1 -> 2 {firstEastToWest}, 2 -> 1 {firstWestToEast}\n{Format(t.Logs())}");
        var eastToWest = Ping(hostEast, HostAddress(2), 10);
        var westToEast = Ping(hostWest, HostAddress(1), 10);
        var counters = new Dictionary<string, Dictionary<string, long>> { ["map-server"] = server.LispCounters() };
        var logs = t.StopAll();

        InteropReport.Append("c. two OOR xTRs sharing one key register with our map-server",
        [
            ("both registered, after start", InteropReport.Seconds(registered is null ? null : sinceStart)),
            ("first echo answered after start, site 1 -> 2 / 2 -> 1", $"{InteropReport.Seconds(firstEastToWest)} / {InteropReport.Seconds(firstWestToEast)}"),
            ("ping site 1 -> 2 / 2 -> 1 (10 echoes each)", $"{InteropReport.Loss(eastToWest.Sent, eastToWest.Received)} / {InteropReport.Loss(westToEast.Sent, westToEast.Received)}"),
        ], counters);

        AssertRegistered(registrations, EidPrefix(1), "east", Rloc(1), proxyReply: true);
        AssertRegistered(registrations, EidPrefix(2), "west", Rloc(2), proxyReply: false);
        Assert.True(ConfirmedTo(logs["oor-east"], EidPrefix(1)), "OOR (site 1) did not take our map-server's Map-Notify");
        Assert.True(ConfirmedTo(logs["oor-west"], EidPrefix(2)), "OOR (site 2) did not take our map-server's Map-Notify");
        Assert.True(eastToWest.Received >= 8, $"site 1 -> 2: {eastToWest.Output}\n{Format(logs)}");
        Assert.True(westToEast.Received >= 8, $"site 2 -> 1: {westToEast.Output}\n{Format(logs)}");
        Assert.True(counters["map-server"]["EncapsulatedControlReceived"] > 0, "no encapsulated Map-Request reached our map-server");
        Assert.Equal(0, counters["map-server"]["BadHmac"]);
        Assert.Equal(0, counters["map-server"]["UnknownKeyId"]);
        AssertEachSideReadTheOther(counters, logs);
    }

    /// <summary>
    /// A mixed deployment: our map-server, our xTR (site 1, key id 2) and an OOR xTR (site 3, key id 1), each site
    /// with its own key; both register, and the hosts ping each other both ways, resolving through our map-server.
    /// </summary>
    [Fact]
    public void Mixed_our_map_server_our_xtr_and_an_oor_xtr_ping_both_ways()
    {
        OorBuild.RequireBinary();
        var t = topology = new InteropTopology("mixed");
        string ms = t.Node("ms", 100), ours = t.Node("ours", 1), oor = t.Node("oor", 3);
        string hostOurs = t.Host(ours, 1), hostOor = t.Host(oor, 3);
        t.OorKernel(oor, 3, site: 3);

        var started = Stopwatch.StartNew();
        var server = t.StartOurs(ms, "ms", OurMapServerConfig(100, new JsonArray(
            Site("ours", 2, "our-key", "10.1.0.0/16"),
            Site("oor", 1, "oor-key", "10.3.0.0/16"))));
        var xtr = t.StartOurs(ours, "ours", Registering(OurXtrConfig(1, 1), keyId: 2, "our-key", proxyReply: false));
        t.StartOor(oor, "oor", RegisteringOorXtr(3, "oor-key", proxyReply: false));

        double? registered = WaitFor(() => server.Call("lisp.registrations").AsArray().Count >= 2, TimeSpan.FromSeconds(20));
        double? sinceStart = started.Elapsed.TotalSeconds;
        var registrations = server.Call("lisp.registrations").AsArray();
        Assert.True(registered is not null, $"our map-server did not register both xTRs within 20 s: {registrations.ToJsonString()}\n{Format(t.Logs())}");
        double? firstThere = FirstAnswer(hostOurs, HostAddress(3), started, FirstAnswerBound);
        double? firstBack = FirstAnswer(hostOor, HostAddress(1), started, FirstAnswerBound);
        Assert.True(firstThere is not null && firstBack is not null, $"site 1 -> 3 {firstThere}, 3 -> 1 {firstBack}\n{Format(t.Logs())}");
        var there = Ping(hostOurs, HostAddress(3), 10);
        var back = Ping(hostOor, HostAddress(1), 10);
        var counters = new Dictionary<string, Dictionary<string, long>> { ["map-server"] = server.LispCounters(), ["xTR site 1"] = xtr.LispCounters() };
        var logs = t.StopAll();

        InteropReport.Append("f. mixed: our map-server, our xTR (site 1), OOR xTR (site 3)",
        [
            ("both registered, after start", InteropReport.Seconds(registered is null ? null : sinceStart)),
            ("first echo answered after start, site 1 -> 3 / 3 -> 1", $"{InteropReport.Seconds(firstThere)} / {InteropReport.Seconds(firstBack)}"),
            ("ping site 1 -> 3 / 3 -> 1 (10 echoes each)", $"{InteropReport.Loss(there.Sent, there.Received)} / {InteropReport.Loss(back.Sent, back.Received)}"),
        ], counters);

        AssertRegistered(registrations, EidPrefix(1), "ours", Rloc(1), proxyReply: false);
        AssertRegistered(registrations, EidPrefix(3), "oor", Rloc(3), proxyReply: false);
        Assert.True(ConfirmedTo(logs["oor"], EidPrefix(3)), "OOR did not take our map-server's Map-Notify");
        Assert.True(there.Received >= 8, $"site 1 -> 3: {there.Output}\n{Format(logs)}");
        Assert.True(back.Received >= 8, $"site 3 -> 1: {back.Output}\n{Format(logs)}");
        Assert.True(counters["xTR site 1"]["MapReplyReceived"] > 0, "our xTR got no Map-Reply (OOR's ETR answers our requests, forwarded by our map-server)");
        Assert.True(counters["xTR site 1"]["EncapsulatedControlReceived"] > 0, "our ETR got no forwarded Map-Request from OOR's ITR");
        AssertEachSideReadTheOther(counters, logs);
    }

    /// <summary>Whether the map-server's registration of <paramref name="eid"/> names <paramref name="rloc"/> among its locators.</summary>
    private static bool RegisteredAt(DataplaneNode server, string eid, string rloc) =>
        server.Call("lisp.registrations").AsArray().Any(r => r!["eid"]!.GetValue<string>() == eid
            && r["locators"]!.AsArray().Any(l => l!.GetValue<string>().StartsWith(rloc + " ", StringComparison.Ordinal)));

    /// <summary>
    /// SMR both ways after a mapping change, with our map-server, our xTRs A and B (the VM 10.1.0.5 between them, as
    /// in LispMappingSystemTests) and an OOR xTR on site 3. First the VM moves from A to B (it arrives at B, then, once
    /// the map-server holds B's registration, leaves A): A solicits OOR, whose
    /// map-cache must show B's RLOC for the VM within 2 s (its debug log dumps the map-cache). Then OOR's RLOC changes
    /// address (192.0.2.3 to 192.0.2.13): OOR re-registers and solicits B, whose map-cache (control socket) must show
    /// the new RLOC within 2 s of OOR's SMR (OOR itself holds its SMRs 4 s after an interface change). Pings both ways
    /// after each change.
    /// </summary>
    [Fact]
    public void Smr_both_ways_after_a_mapping_change_reaches_the_other_side_within_2_s()
    {
        OorBuild.RequireBinary();
        var t = topology = new InteropTopology("smr");
        const string Vm = "10.1.0.5", VmEid = "10.1.0.5/32", MovedRloc = "192.0.2.13";
        const string VmGatewayMac = "02:00:00:0e:00:01";
        string ms = t.Node("ms", 100), a = t.Node("a", 1), b = t.Node("b", 2), oor = t.Node("oor", 3);
        string hostOor = t.Host(oor, 3);
        t.OorKernel(oor, 3, site: 3);
        // OOR's kernel keeps the second address of the subnet when the first one goes (it would drop both otherwise).
        t.InNamespace(oor, "sysctl", "-qw", "net.ipv4.conf.rloc.promote_secondaries=1");
        // The VM: a bridge with a leg to A (up) and a leg to B (down until it moves); A and B share the gateway address and MAC.
        string vm = t.Namespace("vm");
        t.Link(vm, "leg-a", "02:00:00:0a:00:a1", a, "eid", VmGatewayMac);
        t.Link(vm, "leg-b", "02:00:00:0a:00:b1", b, "eid", VmGatewayMac);
        t.InNamespace(vm, "ip", "link", "add", "br0", "address", "02:00:00:0a:00:05", "type", "bridge");
        t.InNamespace(vm, "ip", "link", "set", "leg-a", "master", "br0");
        t.InNamespace(vm, "ip", "link", "set", "leg-b", "master", "br0");
        t.InNamespace(vm, "ip", "link", "set", "leg-b", "down");
        t.InNamespace(vm, "ip", "link", "set", "br0", "up");
        t.InNamespace(vm, "ip", "addr", "add", $"{Vm}/24", "dev", "br0");
        t.InNamespace(vm, "ip", "route", "add", "default", "via", "10.1.0.1");

        var server = t.StartOurs(ms, "ms", OurMapServerConfig(100, new JsonArray(
            Site("vm", 2, "vm-key", "10.1.0.0/16", "10.2.0.0/16"),
            Site("oor", 1, "oor-key", "10.3.0.0/16"))));
        // Proxy-reply off: the ETR that answers OOR's requests remembers OOR, which is whom it solicits when the VM leaves.
        var xtrA = t.StartOurs(a, "a", Registering(OurXtrConfig(1, 1, [VmEid], VmGatewayMac), keyId: 2, "vm-key", proxyReply: false));
        // B serves site 2 as well (an ETR needs an EID of its own); there is no host behind it.
        var xtrB = t.StartOurs(b, "b", Registering(OurXtrConfig(2, 1, [EidPrefix(2)], VmGatewayMac), keyId: 2, "vm-key", proxyReply: false));
        var peer = t.StartOor(oor, "oor", RegisteringOorXtr(3, "oor-key", proxyReply: false));
        Assert.True(WaitFor(() => server.Call("lisp.registrations").AsArray().Count >= 3, TimeSpan.FromSeconds(20)) is not null,
            $"our map-server did not register A, B and OOR within 20 s: {server.Call("lisp.registrations").ToJsonString()}\n{Format(t.Logs())}");
        // OOR learns the VM through A (and A remembers OOR asked); A learns OOR's site.
        var clock = Stopwatch.StartNew();
        Assert.True(FirstAnswer(hostOor, Vm, clock, FirstAnswerBound) is not null, $"OOR's site never reached the VM behind A\n{Format(t.Logs())}");
        Assert.True(FirstAnswer(vm, HostAddress(3), clock, FirstAnswerBound) is not null, $"the VM behind A never reached OOR's site\n{Format(t.Logs())}");

        // 1. The VM moves from A to B.
        int logOffset = peer.Log().Length;
        t.InNamespace(vm, "ip", "link", "set", "leg-a", "down");
        t.InNamespace(vm, "ip", "link", "set", "leg-b", "up");
        var moved = Stopwatch.StartNew();
        // What an orchestrator that moves a VM does: make before break. The EID arrives at B, and once the map-server
        // holds B's registration it leaves A, whose SMR then sends OOR's SMR-invoked Map-Request to B. Removed first,
        // A's SMR can outrun B's Map-Register: the map-server still forwards OOR's request to A, which no longer answers
        // for the EID, and OOR asks again only on its own retry, 3 s later.
        xtrB.Call("localeid.add", new JsonObject { ["eid"] = VmEid });
        Assert.True(WaitFor(() => RegisteredAt(server, VmEid, Rloc(2)), TimeSpan.FromSeconds(10)) is not null,
            $"our map-server did not take B's registration of {VmEid} within 10 s: {server.Call("lisp.registrations").ToJsonString()}");
        xtrA.Call("localeid.remove", new JsonObject { ["eid"] = VmEid });
        var oorSawB = peer.WaitForLog(new Regex($@"EID: {Regex.Escape(VmEid)}, [^\n]*\n\s*RLOC: {Regex.Escape(Rloc(2))},"), TimeSpan.FromSeconds(10), logOffset);
        double? oorConverged = oorSawB is null ? null : moved.Elapsed.TotalSeconds;
        double? firstAfterMove = FirstAnswer(hostOor, Vm, moved, FirstAnswerBound);
        var toVmAfterMove = Ping(hostOor, Vm, 10);
        // B learns OOR's site from the VM's traffic (it is what OOR will solicit when its own mapping changes).
        double? firstFromVmAfterMove = FirstAnswer(vm, HostAddress(3), moved, FirstAnswerBound);

        // 2. OOR's RLOC changes address. OOR waits OOR_SMR_TIMEOUT (4 s, defs.h) after an interface change before it
        // re-registers and solicits; the 2 s are counted from its SMR (its log says "Start SMR"), the whole from the change.
        logOffset = peer.Log().Length;
        t.InNamespace(oor, "ip", "addr", "add", $"{MovedRloc}/24", "dev", "rloc");
        var changed = Stopwatch.StartNew();
        t.InNamespace(oor, "ip", "addr", "del", $"{Rloc(3)}/24", "dev", "rloc");
        var oorSolicits = new Regex($@"Start SMR for local EID {Regex.Escape(EidPrefix(3))}");
        double? oorSmrAt = null;
        double? bConverged = WaitFor(() =>
        {
            string log = peer.Log();
            oorSmrAt ??= oorSolicits.IsMatch(log, Math.Min(logOffset, log.Length)) ? changed.Elapsed.TotalSeconds : null;
            return xtrB.CachedLocators(EidPrefix(3)).Contains(MovedRloc);
        }, TimeSpan.FromSeconds(15)) is null ? null : changed.Elapsed.TotalSeconds;
        string bCache = xtrB.MapCache().ToJsonString();
        double? firstAfterChange = FirstAnswer(vm, HostAddress(3), changed, FirstAnswerBound);
        var fromVmAfterChange = Ping(vm, HostAddress(3), 10);
        var toVmAfterChange = Ping(hostOor, Vm, 10);

        var counters = new Dictionary<string, Dictionary<string, long>>
        {
            ["map-server"] = server.LispCounters(), ["xTR A"] = xtrA.LispCounters(), ["xTR B"] = xtrB.LispCounters(),
        };
        var logs = t.StopAll();

        InteropReport.Append("e. SMR both ways: the VM moves from our xTR A to B; OOR's RLOC changes address",
        [
            ("VM moved: OOR's map-cache shows B's RLOC, after the move", InteropReport.Seconds(oorConverged)),
            ("VM moved: first echo from OOR's site answered, after the move", InteropReport.Seconds(firstAfterMove)),
            ("VM moved: first echo from the VM answered (B resolves OOR's site), after the move", InteropReport.Seconds(firstFromVmAfterMove)),
            ("VM moved: ping OOR's site -> VM (10 echoes)", InteropReport.Loss(toVmAfterMove.Sent, toVmAfterMove.Received)),
            ("OOR's RLOC changed: OOR starts its SMRs, after the change", InteropReport.Seconds(oorSmrAt)),
            ("OOR's RLOC changed: B's map-cache shows the new RLOC, after the change", InteropReport.Seconds(bConverged)),
            ("OOR's RLOC changed: B's map-cache shows the new RLOC, after OOR's SMR", InteropReport.Seconds(bConverged - oorSmrAt)),
            ("OOR's RLOC changed: first echo from the VM answered, after the change", InteropReport.Seconds(firstAfterChange)),
            ("OOR's RLOC changed: ping VM -> OOR's site / back (10 echoes each)",
                $"{InteropReport.Loss(fromVmAfterChange.Sent, fromVmAfterChange.Received)} / {InteropReport.Loss(toVmAfterChange.Sent, toVmAfterChange.Received)}"),
        ], counters);

        Assert.True(oorConverged is not null, $"OOR's map-cache never showed B's RLOC for the VM\n{Format(logs)}");
        Assert.True(oorConverged <= 2, $"OOR's map-cache showed B's RLOC for the VM only {oorConverged:F2} s after the move");
        Assert.True(toVmAfterMove.Received >= 8, $"OOR's site -> VM after the move: {toVmAfterMove.Output}\n{Format(logs)}");
        Assert.True(bConverged is not null, $"B's map-cache never showed OOR's new RLOC {MovedRloc}: {bCache}\n{Format(logs)}");
        Assert.True(oorSmrAt is not null, $"OOR never logged its SMR after its RLOC changed\n{Format(logs)}");
        Assert.True(bConverged - oorSmrAt <= 2, $"B's map-cache showed OOR's new RLOC only {bConverged - oorSmrAt:F2} s after OOR's SMR");
        Assert.True(fromVmAfterChange.Received >= 8 && toVmAfterChange.Received >= 8, $"{fromVmAfterChange.Output}\n{toVmAfterChange.Output}\n{Format(logs)}");
        Assert.True(counters["xTR A"]["SmrSent"] > 0, "A sent no SMR when the VM left");
        Assert.True(counters["xTR B"]["SmrInvokedRequestSent"] > 0, "B did not follow OOR's SMR");
        AssertEachSideReadTheOther(counters, logs);
    }

    /// <summary>Our xTR on site 1 and an OOR xTR on site 2 with static map-cache entries for each other.</summary>
    private static (OursPlan Ours, OorPlan Oor, string HostOurs, string HostOor) StaticPair(InteropTopology t, int probeIntervalSeconds)
    {
        string ours = t.Node("ours", 1), oor = t.Node("oor", 2);
        string hostOurs = t.Host(ours, 1), hostOor = t.Host(oor, 2);
        t.OorKernel(oor, 2, 2);
        var config = OurXtrConfig(1, 1);
        config["lisp"]!["mapCache"] = new JsonArray(new JsonObject
        {
            ["eid"] = EidPrefix(2),
            ["locators"] = new JsonArray(new JsonObject { ["address"] = Rloc(2) }),
        });
        var oorConfig = OorConfig.Xtr();
        oorConfig.ProbeIntervalSeconds = probeIntervalSeconds;
        oorConfig.DatabaseMappings.Add((EidPrefix(2), "rloc"));
        oorConfig.StaticMapCache.Add((EidPrefix(1), Rloc(1)));
        return (new OursPlan(ours, config), new OorPlan(oor, oorConfig), hostOurs, hostOor);
    }

    public void Dispose() => topology?.Dispose();

    private sealed record OursPlan(string Namespace, JsonObject Config);

    private sealed record OorPlan(string Namespace, OorConfig Config);
}
