using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Integration;

/// <summary>
/// Two Dataplane map-server/map-resolvers (role msmr) and two xTR sites in namespaces on AF_PACKET, on one kernel
/// bridge: both xTRs register with both map-servers, xTR A resolves through both. A host behind A pings a host behind
/// B every 50 ms through the resolved mapping while map-server 1 is killed (SIGKILL, by PID), and later started again.
/// </summary>
/// <remarks>
/// <code>
///   ha (10.1.0.10) ─ xTR A (192.0.2.1) ─┐              ┌─ MS/MR 1 (192.0.2.101)
///                                         ├─ wan bridge ─┤
///   hb (10.2.0.10) ─ xTR B (192.0.2.2) ─┘              └─ MS/MR 2 (192.0.2.102)
/// </code>
/// Test settings, short so the run stays under a minute: registrations every 2 s, a registration TTL of 6 s,
/// retransmission after 500 ms (R), a resolver down after 2 unanswered requests and retried after 4 s. B registers 32
/// EID prefixes (10.2.k.0/24) so A can make new resolutions (10.2.k.1, never asked before) while map-server 1 is dead.
/// Asserted: not one echo request of the ping is lost (sent equals received); map-server 2 holds both sites'
/// registrations past two TTLs; every new resolution with map-server 1 dead finishes within R + T, where T, one
/// resolution through the live map-resolver plus the test's polling, is allowed 1.5 s on a loaded machine; A marks
/// map-resolver 1 down; restarted, map-server 1 gets every registration again and A marks it up. The figures (each
/// new resolution's time, the time to mark the dead resolver down) go to artifacts/reports/lisp-redundancy.md.
/// </remarks>
public sealed class LispMappingRedundancyTests : IDisposable
{
    private const string Ms1 = "192.0.2.101", Ms2 = "192.0.2.102", RlocA = "192.0.2.1", RlocB = "192.0.2.2";
    private const int RegisterIntervalSeconds = 2, RegistrationTtlSeconds = 6;
    private const int RetransmitMilliseconds = 500, ResolverDownAfter = 2, ResolverRetrySeconds = 4;

    /// <summary>What one resolution through a live map-resolver may take here, polling included (a loaded machine).</summary>
    private const int ResolutionAllowanceMilliseconds = 1500;

    /// <summary>B's EID prefixes: 10.2.0.0/24 (its host) and 31 more for new resolutions.</summary>
    private const int SiteBPrefixes = 32;

    private readonly string scratch = Directory.CreateTempSubdirectory("dataplane-lisp-redundancy-").FullName;
    private readonly Lab lab = new();

    [Fact]
    public void Killing_one_of_two_map_servers_loses_no_packet_and_keeps_registration_and_resolution_going()
    {
        Lab.RequireRoot();
        var (ms1Namespace, ha, nodes) = Build();
        var (ms1, ms2, a) = (nodes["ms1"], nodes["ms2"], nodes["a"]);
        WaitForRegistrations(ms1, 1 + SiteBPrefixes);
        WaitForRegistrations(ms2, 1 + SiteBPrefixes);

        // Both directions resolved before the constant flow starts (A knows B's host, B knows A's): the first echo
        // requests go while the ITRs ask, so ask until one is answered, then once more with a steady exchange.
        var warmClock = Stopwatch.StartNew();
        (int ExitCode, string Output) warm = (-1, "");
        while (warm.ExitCode != 0 && warmClock.Elapsed < TimeSpan.FromSeconds(20))
        {
            warm = Lab.TryRun(TimeSpan.FromSeconds(10), "ip", "netns", "exec", ha, "ping", "-c", "1", "-W", "1", "10.2.0.10");
        }

        Assert.True(warm.ExitCode == 0, $"host A never reached host B: {warm.Output}\n{a.Call("lisp.counters").ToJsonString()}");
        (int ExitCode, string Output) steady = (-1, "");
        while (!steady.Output.Contains(" 5 received", StringComparison.Ordinal) && warmClock.Elapsed < TimeSpan.FromSeconds(30))
        {
            steady = Lab.TryRun(TimeSpan.FromSeconds(20), "ip", "netns", "exec", ha, "ping", "-c", "5", "-i", "0.1", "-W", "1", "10.2.0.10");
        }

        Assert.True(steady.Output.Contains(" 5 received", StringComparison.Ordinal), $"host A to host B is not steady before the kill: {steady.Output}");

        // 450 echo requests, 50 ms apart: 22.5 s of traffic across the kill and the resolutions after it.
        var ping = lab.Start(ha, "ping", "-c", "450", "-i", "0.05", "-W", "2", "10.2.0.10");
        Thread.Sleep(1000);
        var clock = Stopwatch.StartNew();
        Lab.Run("kill", "-KILL", ms1.ProcessId.ToString(CultureInfo.InvariantCulture));
        long killedAt = clock.ElapsedMilliseconds;

        // New resolutions, one after the other, until the dead resolver is down and two more went through.
        var resolutions = new List<long>();
        long? markedDownAt = null;
        int prefix = 1, afterDown = 0;
        while (afterDown < 2 && prefix < 10)
        {
            resolutions.Add(Resolve(ha, a, prefix++));
            if (markedDownAt is null && !ResolverUp(a, Ms1))
            {
                markedDownAt = clock.ElapsedMilliseconds - killedAt;
            }
            else if (markedDownAt is not null)
            {
                afterDown++;
            }
        }

        Assert.True(markedDownAt is not null, $"A never marked map-resolver 1 down: {a.Call("lisp.resolvers").ToJsonString()}");
        Assert.True(ResolverUp(a, Ms2), "map-resolver 2 marked down");
        long bound = RetransmitMilliseconds + ResolutionAllowanceMilliseconds;
        Assert.All(resolutions, t => Assert.True(t <= bound, $"a new resolution took {t} ms, over R + T = {bound} ms: [{string.Join(", ", resolutions)}]"));

        // Map-server 2 keeps both sites past two registration TTLs: the ETRs go on refreshing it.
        long waitUntil = killedAt + 2 * RegistrationTtlSeconds * 1000 + 500;
        Thread.Sleep((int)Math.Max(0, waitUntil - clock.ElapsedMilliseconds));
        var registrations = ms2.Call("lisp.registrations").AsArray();
        Assert.Equal(1 + SiteBPrefixes, registrations.Count);
        Assert.Contains(registrations, r => r!["eid"]!.GetValue<string>() == "10.1.0.0/24" && r["registrant"]!.GetValue<string>() == RlocA);
        Assert.Contains(registrations, r => r!["eid"]!.GetValue<string>() == "10.2.0.0/24" && r["registrant"]!.GetValue<string>() == RlocB);
        var servers = a.Call("lisp.mapservers").AsArray();
        Assert.True(servers[1]!["confirmed"]!.GetValue<bool>(), $"A's registration with map-server 2 is not confirmed: {servers.ToJsonString()}");
        Assert.False(servers[0]!["confirmed"]!.GetValue<bool>(), $"A's registration with the dead map-server is confirmed: {servers.ToJsonString()}");

        // Map-server 1 comes back: every ETR registers with it again, and A marks its resolver up on its next answer.
        var restarted = DataplaneNode.Start(lab, ms1Namespace, "ms1-restarted", MapServerConfig(Ms1, "02:00:00:c0:00:65"), scratch);
        WaitForRegistrations(restarted, 1 + SiteBPrefixes);
        var upClock = Stopwatch.StartNew();
        while (!ResolverUp(a, Ms1) && upClock.Elapsed < TimeSpan.FromSeconds(3 * ResolverRetrySeconds) && prefix < SiteBPrefixes)
        {
            Resolve(ha, a, prefix++);
            Thread.Sleep(700);
        }

        Assert.True(ResolverUp(a, Ms1), $"A did not mark the restarted map-resolver up: {a.Call("lisp.resolvers").ToJsonString()}");
        Assert.True(a.LispCounters()["MapResolverUp"] >= 1);

        Assert.True(ping.WaitForExit(TimeSpan.FromSeconds(40)), "the ping did not end");
        string pingOutput = ping.StandardOutput.ReadToEnd();
        var summary = Regex.Match(pingOutput, @"(\d+) packets transmitted, (\d+) received");
        Assert.True(summary.Success, pingOutput);
        Assert.True(summary.Groups[1].Value == summary.Groups[2].Value && summary.Groups[1].Value == "450",
            $"echo requests lost across the kill: {summary.Value}\n{pingOutput}");

        string report = Path.Combine(RepositoryPaths.Root, "artifacts", "reports", "lisp-redundancy.md");
        Directory.CreateDirectory(Path.GetDirectoryName(report)!);
        File.AppendAllText(report, string.Create(CultureInfo.InvariantCulture,
            $"| {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss} | R {RetransmitMilliseconds} ms | marked down {markedDownAt} ms after the kill | new resolutions [{string.Join(", ", resolutions)}] ms | echo requests sent/answered {summary.Groups[1].Value}/{summary.Groups[2].Value} |\n"));
        TestContext.Current.SendDiagnosticMessage($"map-resolver 1 marked down {markedDownAt} ms after the kill; new resolutions with it dead: [{string.Join(", ", resolutions)}] ms; {summary.Value}");
    }

    /// <summary>
    /// Sends one echo request from <paramref name="host"/> to 10.2.k.1 (a prefix B registered, never asked before) and
    /// returns how long A took to hold its mapping (its map-cache polled every 10 ms).
    /// </summary>
    private long Resolve(string host, DataplaneNode a, int k)
    {
        string eid = $"10.2.{k}.0/24";
        var clock = Stopwatch.StartNew();
        var probe = lab.Start(host, "ping", "-c", "1", "-W", "1", $"10.2.{k}.1");
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (a.CachedLocators(eid).Contains(RlocB))
            {
                return clock.ElapsedMilliseconds;
            }

            Thread.Sleep(10);
        }

        probe.WaitForExit(TimeSpan.FromSeconds(2));
        Assert.Fail($"A did not resolve {eid} within 10 s: {a.Call("lisp.resolvers").ToJsonString()} {a.Call("lisp.counters").ToJsonString()}");
        return 0;
    }

    private static bool ResolverUp(DataplaneNode itr, string resolver) =>
        itr.Call("lisp.resolvers").AsArray().Single(r => r!["address"]!.GetValue<string>() == resolver)!["up"]!.GetValue<bool>();

    private static void WaitForRegistrations(DataplaneNode ms, int count)
    {
        var clock = Stopwatch.StartNew();
        string last = "";
        while (clock.Elapsed < TimeSpan.FromSeconds(40))
        {
            var registrations = ms.Call("lisp.registrations").AsArray();
            last = registrations.ToJsonString();
            if (registrations.Count >= count)
            {
                return;
            }

            Thread.Sleep(200);
        }

        Assert.Fail($"{ms.Name} did not get {count} registrations within 40 s; it has {last}");
    }

    private (string Ms1Namespace, string HostA, Dictionary<string, DataplaneNode> Nodes) Build()
    {
        string ms1 = lab.Namespace("ms1"), ms2 = lab.Namespace("ms2"), wan = lab.Namespace("wan");
        string xa = lab.Namespace("xa"), xb = lab.Namespace("xb"), ha = lab.Namespace("ha"), hb = lab.Namespace("hb");

        lab.Link(ms1, "und", "02:00:00:c0:00:65", wan, "w-ms1", "02:00:00:c1:00:65");
        lab.Link(ms2, "und", "02:00:00:c0:00:66", wan, "w-ms2", "02:00:00:c1:00:66");
        lab.Link(xa, "rloc", "02:00:00:c0:00:01", wan, "w-xa", "02:00:00:c1:00:01");
        lab.Link(xb, "rloc", "02:00:00:c0:00:02", wan, "w-xb", "02:00:00:c1:00:02");
        lab.InNamespace(wan, "ip", "link", "add", "br0", "type", "bridge");
        foreach (string leg in new[] { "w-ms1", "w-ms2", "w-xa", "w-xb" })
        {
            lab.InNamespace(wan, "ip", "link", "set", leg, "master", "br0");
        }

        lab.InNamespace(wan, "ip", "link", "set", "br0", "up");

        lab.Link(ha, "eth0", "02:00:00:0a:00:0a", xa, "eid", "02:00:00:0a:00:01");
        lab.InNamespace(ha, "ip", "addr", "add", "10.1.0.10/24", "dev", "eth0");
        lab.InNamespace(ha, "ip", "route", "add", "default", "via", "10.1.0.1");
        lab.Link(hb, "eth0", "02:00:00:0b:00:0a", xb, "eid", "02:00:00:0b:00:01");
        lab.InNamespace(hb, "ip", "addr", "add", "10.2.0.10/24", "dev", "eth0");
        lab.InNamespace(hb, "ip", "route", "add", "default", "via", "10.2.0.1");

        var nodes = new Dictionary<string, DataplaneNode>
        {
            ["ms1"] = DataplaneNode.Start(lab, ms1, "ms1", MapServerConfig(Ms1, "02:00:00:c0:00:65"), scratch),
            ["ms2"] = DataplaneNode.Start(lab, ms2, "ms2", MapServerConfig(Ms2, "02:00:00:c0:00:66"), scratch),
            ["a"] = DataplaneNode.Start(lab, xa, "a", XtrConfig(RlocA, "02:00:00:c0:00:01", "02:00:00:0a:00:01", "10.1.0.1", "10.1.0.0/24", ["10.1.0.0/24"], "key-a"), scratch),
            ["b"] = DataplaneNode.Start(lab, xb, "b", XtrConfig(RlocB, "02:00:00:c0:00:02", "02:00:00:0b:00:01", "10.2.0.1", "10.2.0.0/24",
                Enumerable.Range(0, SiteBPrefixes).Select(k => $"10.2.{k}.0/24").ToArray(), "key-b"), scratch),
        };
        return (ms1, ha, nodes);
    }

    private static JsonObject MapServerConfig(string address, string mac) => JsonNode.Parse($$"""
        {
          "roles": ["msmr"],
          "ports": [ { "name": "und", "mac": "{{mac}}", "addresses": ["{{address}}"], "driver": "af_packet", "interface": "und" } ],
          "routes": [ { "prefix": "192.0.2.0/24", "port": "und" } ],
          "lisp": {
            "localRlocs": [ { "address": "{{address}}" } ],
            "mappingSystem": {
              "registrationTtlSeconds": {{RegistrationTtlSeconds}},
              "sites": [
                { "name": "site-a", "keyId": 2, "key": "key-a", "eidPrefixes": ["10.1.0.0/16"] },
                { "name": "site-b", "keyId": 2, "key": "key-b", "eidPrefixes": ["10.2.0.0/16"] } ] }
          }
        }
        """)!.AsObject();

    private static JsonObject XtrConfig(string rloc, string rlocMac, string eidMac, string gateway, string eidSubnet, string[] localEids, string key) => JsonNode.Parse($$"""
        {
          "roles": ["itr", "etr"],
          "ports": [
            { "name": "eid", "mac": "{{eidMac}}", "addresses": ["{{gateway}}"], "driver": "af_packet", "interface": "eid" },
            { "name": "rloc", "mac": "{{rlocMac}}", "addresses": ["{{rloc}}"], "driver": "af_packet", "interface": "rloc" } ],
          "routes": [ { "prefix": "{{eidSubnet}}", "port": "eid" }, { "prefix": "192.0.2.0/24", "port": "rloc" } ],
          "lisp": {
            "localRlocs": [ { "address": "{{rloc}}" } ],
            "localEids": [ {{string.Join(", ", localEids.Select(e => $"\"{e}\""))}} ],
            "mapResolvers": [ "{{Ms1}}", "{{Ms2}}" ],
            "mapServers": [ { "address": "{{Ms1}}", "keyId": 2, "key": "{{key}}" }, { "address": "{{Ms2}}", "keyId": 2, "key": "{{key}}" } ],
            "registerIntervalSeconds": {{RegisterIntervalSeconds}},
            "mapRequests": { "retransmitMilliseconds": {{RetransmitMilliseconds}}, "resolverDownAfter": {{ResolverDownAfter}}, "resolverRetrySeconds": {{ResolverRetrySeconds}} }
          }
        }
        """)!.AsObject();

    public void Dispose()
    {
        lab.Dispose();
        Directory.Delete(scratch, recursive: true);
    }
}
