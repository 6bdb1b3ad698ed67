using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Dataplane.Tests.Integration.Interop;
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
public sealed class OorInteropTests : IDisposable
{
    private const string MapServerRloc = "192.0.2.100";
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
        var t = topology = new InteropTopology();
        var (ours, oor, hostOurs, hostOor) = StaticPair(t, probeIntervalSeconds: 0);
        var started = Stopwatch.StartNew();
        var xtr = t.StartOurs(ours.Namespace, "ours", ours.Config);
        var peer = t.StartOor(oor.Namespace, "oor", oor.Config);

        double? firstThere = FirstAnswer(hostOurs, HostAddress(2), started, FirstAnswerBound);
        double? firstBack = FirstAnswer(hostOor, HostAddress(1), started, FirstAnswerBound);
        var there = Ping(hostOurs, HostAddress(2), 10);
        var back = Ping(hostOor, HostAddress(1), 10);
        var counters = new Dictionary<string, Dictionary<string, long>> { ["xTR (site 1)"] = xtr.LispCounters() };
        var logs = t.StopAll();
        Keep("static", logs);

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
        AssertNothingMalformed(counters, logs);
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
        var t = topology = new InteropTopology();
        var (ours, oor, hostOurs, hostOor) = StaticPair(t, probeIntervalSeconds: 5);
        ours.Config["lisp"]!["rlocProbing"] = new JsonObject { ["intervalSeconds"] = 5, ["timeoutMilliseconds"] = 1000, ["downAfter"] = 2 };
        var xtr = t.StartOurs(ours.Namespace, "ours", ours.Config);
        var peer = t.StartOor(oor.Namespace, "oor", oor.Config);

        Thread.Sleep(TimeSpan.FromSeconds(31));
        var there = Ping(hostOurs, HostAddress(2), 5);
        var back = Ping(hostOor, HostAddress(1), 5);
        var rlocs = xtr.Call("lisp.rlocs").AsArray();
        var counters = new Dictionary<string, Dictionary<string, long>> { ["xTR (site 1)"] = xtr.LispCounters() };
        var logs = t.StopAll();
        Keep("probing", logs);

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
        AssertNothingMalformed(counters, logs);
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

    /// <summary>
    /// Our codecs read everything OOR sent: no daemon of ours counted a malformed message, each counted messages in,
    /// and what they print at exit agrees.
    /// </summary>
    private static void AssertNothingMalformed(Dictionary<string, Dictionary<string, long>> counters, Dictionary<string, string> logs)
    {
        foreach (var (daemon, values) in counters)
        {
            Assert.True(values["Malformed"] == 0, $"{daemon} counted {values["Malformed"]} malformed control messages\n{Format(logs)}");
            long received = InteropReport.MessageCounters.Where(c => c != "Malformed").Sum(c => values[c]);
            Assert.True(received > 0, $"{daemon} received no control message at all");
        }

        foreach (var (name, log) in logs.Where(l => l.Value.Contains("conservation", StringComparison.Ordinal)))
        {
            Assert.DoesNotMatch(@"lisp Malformed\s", log);
        }
    }

    /// <summary>Keeps every daemon's output in the temp folder (the scratch folder goes with the topology).</summary>
    private static void Keep(string scenario, Dictionary<string, string> logs) =>
        File.WriteAllText(Path.Combine(Path.GetTempPath(), $"lisp-interop-{scenario}.log"), Format(logs));

    private static string Format(Dictionary<string, string> logs) =>
        string.Join("\n", logs.Select(l => $"--- {l.Key}:\n{Tail(l.Value)}"));

    /// <summary>The last 150 lines: OOR at debug level 3 writes thousands.</summary>
    private static string Tail(string log)
    {
        string[] lines = log.Split('\n');
        return string.Join('\n', lines.Skip(Math.Max(0, lines.Length - 150)));
    }

    public void Dispose() => topology?.Dispose();

    private sealed record OursPlan(string Namespace, JsonObject Config);

    private sealed record OorPlan(string Namespace, OorConfig Config);
}
