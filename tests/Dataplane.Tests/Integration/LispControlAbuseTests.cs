using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Integration;

/// <summary>
/// LISP control-message abuse against real daemons: a Dataplane map-server and a Dataplane xTR in
/// namespaces on a bridged underlay, the xTR registered (so there is state to protect), and an attacker on the same
/// underlay sending real UDP 4342 datagrams built by Tools/lisp_attacker.py (Python's hmac/hashlib/struct from the RFC
/// 9301 figures, not our codec): Map-Registers with a wrong HMAC, under unknown key ids, for prefixes the site may not
/// register, a byte-identical replay of a Map-Register the xTR sent (taken from a tcpdump capture), forged and replayed
/// Map-Notifies, unsolicited Map-Replies (map-cache poisoning) and SMRs for EIDs it does not cache to the xTR, truncated and malformed messages, and
/// Map-Request floods (at the map-server; at the xTR with a made-up ITR-RLOC in every request). Each must be dropped and
/// counted under its reason (exactly as many as were sent), the registration and both daemons' rule state must be
/// unchanged, the legitimate registration must keep being refreshed, and both daemons must stay up. tshark, over the
/// capture of the map-server's link, checks what was really on the wire.
/// </summary>
/// <remarks>
/// <code>
///   host ─ xTR (192.0.2.1) ─┐
///   MS/MR (192.0.2.100) ────┼─ bridge (wan)     tcpdump on w-ms and w-xa
///   attacker (192.0.2.66) ──┘
/// </code>
/// </remarks>
public sealed class LispControlAbuseTests : IDisposable
{
    private const string Key = "lab-key";
    private const string MapServer = "192.0.2.100";
    private const string Xtr = "192.0.2.1";
    private const string Attacker = "192.0.2.66";
    private const string XtrEid = "10.1.0.0/24";

    /// <summary>Messages per variant of the forged registers and notifies.</summary>
    private const int PerVariant = 3;

    /// <summary>Map-Requests in the flood (more than the punt queue's 1024, so the queue's limit is part of the test).</summary>
    private const int FloodSize = 3000;

    /// <summary>Map-Requests at the xTR, each naming another ITR-RLOC: more than the ETR remembers per EID prefix.</summary>
    private const int ItrFloodSize = 1500;

    /// <summary>EtrResponder.MaxRequestersPerPrefix, the bound under test (written out: the expectation is the test's).</summary>
    private const int MaxRequestersPerPrefix = 1024;

    /// <summary>The garbage list of lisp_attacker.py: 10 truncated or malformed messages, 2 of types the map-server takes no part in.</summary>
    private const int GarbageMalformed = 10;
    private const int GarbageNotForUs = 2;

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private static readonly string AttackerScript = Path.Combine(RepositoryPaths.Root, "tests", "Dataplane.Tests", "Integration", "Tools", "lisp_attacker.py");

    /// <summary>Refusals: every one of them must move by exactly what the attacker's messages call for, and no other.</summary>
    private static readonly string[] Refusals =
        ["Malformed", "BadHmac", "BadAuthenticationLength", "UnknownKeyId", "ReplayedNonce", "PrefixNotAllowed", "UnmatchedMapNotify", "UnmatchedMapReply", "NotForUs", "UnusableRecord", "RequesterMemoryFull", "SmrForUncachedEid"];

    private readonly string scratch = Directory.CreateTempSubdirectory("dataplane-lisp-abuse-").FullName;
    private readonly Lab lab = new();
    private readonly List<DataplaneNode> daemons = [];

    [Fact]
    public void Forged_replayed_foreign_and_malformed_control_messages_are_dropped_and_counted_by_real_daemons()
    {
        Lab.RequireRoot();
        TsharkOracle.RequireInstalled();
        Assert.SkipUnless(File.Exists("/usr/bin/tcpdump") && File.Exists("/usr/bin/python3"), "needs tcpdump and Debian's python3 (scripts/setup.sh installs them)");
        var clock = Stopwatch.StartNew();

        var (ms, xtr, attacker, msCapture, xtrCapture) = Build();
        WaitFor(() => Registrations(ms).Count == 1 && Counter(xtr, "RegistrationConfirmed") >= 1, TimeSpan.FromSeconds(30),
            "the xTR did not register (and get its Map-Notify) within 30 s");

        var msBefore = ms.LispCounters();
        var xtrBefore = xtr.LispCounters();
        string registrationsBefore = Registrations(ms).ToJsonString();
        string msStateBefore = ms.Call("state.dump").ToJsonString();
        string xtrStateBefore = xtr.Call("state.dump").ToJsonString();
        string xtrCacheBefore = xtr.Call("mapcache.list").ToJsonString();

        // The attacks. Each reports what it sent; the expected counts below are the test's own (per variant).
        var sent = new Dictionary<string, JsonObject>
        {
            ["wrong-hmac"] = Attack(attacker, "wrong-hmac", "--to", MapServer, "--count", $"{PerVariant}"),
            ["bad-length"] = Attack(attacker, "bad-length", "--to", MapServer, "--count", $"{PerVariant}"),
            ["unknown-key"] = Attack(attacker, "unknown-key", "--to", MapServer, "--count", $"{PerVariant}"),
            ["foreign"] = Attack(attacker, "foreign", "--to", MapServer, "--count", $"{PerVariant}"),
            ["replay"] = Attack(attacker, "replay", "--to", MapServer, "--pcap", msCapture.Path, "--xtr", Xtr, "--notify-to", Xtr),
            ["notify"] = Attack(attacker, "notify", "--to", Xtr, "--spoof", MapServer, "--count", $"{PerVariant}"),
            ["reply"] = Attack(attacker, "reply", "--to", Xtr, "--count", $"{PerVariant}"),
            ["smr"] = Attack(attacker, "smr", "--to", Xtr, "--count", $"{PerVariant}"),
            ["garbage"] = Attack(attacker, "garbage", "--to", MapServer),
        };
        Assert.Equal(3 * PerVariant, (int)sent["wrong-hmac"]["sent"]!);
        Assert.Equal(2 * PerVariant, (int)sent["bad-length"]["sent"]!);
        Assert.Equal(3 * PerVariant, (int)sent["unknown-key"]["sent"]!);
        Assert.Equal(4 * PerVariant, (int)sent["foreign"]["sent"]!);
        Assert.Equal(2, (int)sent["replay"]["sent"]!);
        Assert.Equal(1, (int)sent["replay"]["notifySent"]!);
        Assert.Equal(PerVariant, (int)sent["notify"]["sent"]!);
        Assert.Equal(2 * PerVariant, (int)sent["reply"]["sent"]!);
        Assert.Equal(PerVariant, (int)sent["smr"]["sent"]!);
        Assert.Equal(GarbageMalformed + GarbageNotForUs, (int)sent["garbage"]["sent"]!);

        var msExpected = new Dictionary<string, long>
        {
            ["BadHmac"] = 3 * PerVariant,
            ["BadAuthenticationLength"] = 2 * PerVariant,
            ["UnknownKeyId"] = 3 * PerVariant,
            ["PrefixNotAllowed"] = 4 * PerVariant,
            ["ReplayedNonce"] = 2,
            ["Malformed"] = GarbageMalformed,
            ["NotForUs"] = GarbageNotForUs,
        };
        var xtrExpected = new Dictionary<string, long> { ["UnmatchedMapNotify"] = PerVariant + 1, ["UnmatchedMapReply"] = 2 * PerVariant, ["SmrForUncachedEid"] = PerVariant };
        var msAfter = WaitForDeltas(ms, msBefore, msExpected, "map-server");
        var xtrAfter = WaitForDeltas(xtr, xtrBefore, xtrExpected, "xTR");
        double attackSeconds = clock.Elapsed.TotalSeconds;
        Assert.Equal(xtrBefore["SmrInvokedRequestSent"], xtrAfter["SmrInvokedRequestSent"]); // the SMRs made it ask nothing

        // Nothing the attacker sent changed what is registered or either daemon's rule state.
        Assert.Equal(registrationsBefore, Registrations(ms).ToJsonString());
        Assert.Equal(msStateBefore, ms.Call("state.dump").ToJsonString());
        Assert.Equal(xtrStateBefore, xtr.Call("state.dump").ToJsonString());
        Assert.Equal(xtrCacheBefore, xtr.Call("mapcache.list").ToJsonString());
        Assert.DoesNotContain("10.9.0.0", xtrCacheBefore, StringComparison.Ordinal);
        Assert.Contains($"\"registrant\":\"{Xtr}\"", registrationsBefore, StringComparison.Ordinal);
        Assert.Contains($"\"eid\":\"{XtrEid}\"", registrationsBefore, StringComparison.Ordinal);

        // The legitimate registration goes on: another register accepted and confirmed after the attacks.
        WaitFor(() => Counter(ms, "RegistrationAccepted") > msAfter["RegistrationAccepted"] && Counter(xtr, "RegistrationConfirmed") > xtrAfter["RegistrationConfirmed"],
            Bound, "the xTR's registration was not refreshed after the attacks");

        // The flood: every Map-Request is either taken in (and refused: the map-server is no ETR) or dropped at the
        // full punt queue, or by the kernel before the daemon's ring; none is lost without a count.
        long floodStart = Counter(ms, "MapRequestReceived"), notForUsStart = Counter(ms, "NotForUs");
        long puntFullStart = PuntQueueFull(ms), ringDropsStart = RingDrops(ms);
        var flood = Attack(attacker, "flood", "--to", MapServer, "--count", $"{FloodSize}");
        Assert.Equal(FloodSize, (int)flood["sent"]!);
        long received = 0, puntFull = 0, ringDrops = 0;
        WaitFor(() =>
        {
            received = Counter(ms, "MapRequestReceived") - floodStart;
            puntFull = PuntQueueFull(ms) - puntFullStart;
            ringDrops = RingDrops(ms) - ringDropsStart;
            return received + puntFull + ringDrops >= FloodSize;
        }, Bound, $"the flood's {FloodSize} Map-Requests are not all accounted for");
        Thread.Sleep(300);
        Assert.Equal(FloodSize, Counter(ms, "MapRequestReceived") - floodStart + PuntQueueFull(ms) - puntFullStart + RingDrops(ms) - ringDropsStart);
        Assert.Equal(Counter(ms, "MapRequestReceived") - floodStart, Counter(ms, "NotForUs") - notForUsStart);

        // A flood at the xTR for its own EID, every request naming another ITR-RLOC: each one it takes in is answered,
        // at most MaxRequestersPerPrefix ITR-RLOCs are remembered for SMR, the rest counted.
        var xtrFloodBefore = xtr.LispCounters();
        long xtrPuntFullStart = PuntQueueFull(xtr), xtrRingDropsStart = RingDrops(xtr);
        var itrFlood = Attack(attacker, "flood", "--to", Xtr, "--vary-itr", "--eid", "10.1.0.5/32", "--count", $"{ItrFloodSize}", "--pace", "0.0002");
        Assert.Equal(ItrFloodSize, (int)itrFlood["sent"]!);
        long xtrReceived = 0;
        WaitFor(() =>
        {
            xtrReceived = Counter(xtr, "MapRequestReceived") - xtrFloodBefore["MapRequestReceived"];
            return xtrReceived + PuntQueueFull(xtr) - xtrPuntFullStart + RingDrops(xtr) - xtrRingDropsStart >= ItrFloodSize;
        }, Bound, $"the xTR flood's {ItrFloodSize} Map-Requests are not all accounted for");
        Thread.Sleep(300);
        var xtrFloodAfter = xtr.LispCounters();
        xtrReceived = xtrFloodAfter["MapRequestReceived"] - xtrFloodBefore["MapRequestReceived"];
        long xtrPuntFull = PuntQueueFull(xtr) - xtrPuntFullStart;
        Assert.Equal(ItrFloodSize, xtrReceived + xtrPuntFull + RingDrops(xtr) - xtrRingDropsStart);
        Assert.Equal(xtrReceived, xtrFloodAfter["MapReplySent"] - xtrFloodBefore["MapReplySent"]);
        Assert.Equal(Math.Max(0, xtrReceived - MaxRequestersPerPrefix), xtrFloodAfter["RequesterMemoryFull"] - xtrFloodBefore["RequesterMemoryFull"]);

        long acceptedAfterFlood = Counter(ms, "RegistrationAccepted");
        WaitFor(() => Counter(ms, "RegistrationAccepted") > acceptedAfterFlood, Bound, "the xTR's registration was not refreshed after the flood");
        Assert.Equal(registrationsBefore, Registrations(ms).ToJsonString());

        // Both daemons are still up; what they print at stop agrees with what the control socket said.
        var msFinal = ms.LispCounters();
        var xtrFinal = xtr.LispCounters();
        Assert.False(ms.HasExited, "the map-server died");
        Assert.False(xtr.HasExited, "the xTR died");
        string msLog = ms.Stop(), xtrLog = xtr.Stop();
        File.WriteAllText(Path.Combine(Path.GetTempPath(), "lisp-control-abuse.log"), $"--- map-server:\n{msLog}\n--- xTR:\n{xtrLog}");
        foreach (string reason in Refusals)
        {
            AssertPrinted(msLog, reason, msFinal[reason]);
            AssertPrinted(xtrLog, reason, xtrFinal[reason]);
        }

        msCapture.Stop();
        xtrCapture.Stop();
        CheckTheWire(msCapture.Path, sent["replay"]["nonce"]!.GetValue<string>());

        TestContext.Current.SendDiagnosticMessage(string.Create(CultureInfo.InvariantCulture,
            $"LISP control abuse: attacks done and checked {attackSeconds:F1} s after the start; flood of {FloodSize} Map-Requests " +
            $"sent in {(double)flood["seconds"]!:F2} s: {received} taken in, {puntFull} dropped at the full punt queue, {ringDrops} by the kernel; " +
            $"xTR flood of {ItrFloodSize} with distinct ITR-RLOCs in {(double)itrFlood["seconds"]!:F2} s: {xtrReceived} answered, {xtrPuntFull} dropped at the punt queue; " +
            $"whole test {clock.Elapsed.TotalSeconds:F1} s"));
    }

    /// <summary>tshark reads the attacker's messages as we meant them (an oracle for lisp_attacker.py, not for the daemon).</summary>
    private static void CheckTheWire(string capture, string replayedNonce)
    {
        var frames = TsharkOracle.Fields(capture, "ip.src", "ip.dst", "lisp.type", "lisp.keyid", "lisp.nonce", "lisp.mapping.eid.ipv4",
            "lisp.lcaf.iid", "_ws.malformed");
        var fromAttacker = frames.Where(f => f["ip.src"].FirstOrDefault() == Attacker && f["ip.dst"].FirstOrDefault() == MapServer).ToList();
        var registers = fromAttacker.Where(f => f["lisp.type"].FirstOrDefault() == "3" && f["_ws.malformed"].Length == 0).ToList();

        // Well-formed Map-Registers (to tshark: it does not judge the authentication length): 3 wrong HMACs, 2 bad
        // lengths, 3 unknown key ids and 4 foreign prefixes per variant, and the replay from our own address.
        Assert.Equal((12 * PerVariant) + 1, registers.Count);
        Assert.Equal(PerVariant, registers.Count(f => f["lisp.keyid"].FirstOrDefault() == "0x0102"));
        Assert.Equal(PerVariant, registers.Count(f => f["lisp.keyid"].FirstOrDefault() == "0x0001"));
        Assert.Equal(PerVariant, registers.Count(f => f["lisp.keyid"].FirstOrDefault() == "0x0007"));
        Assert.Equal(PerVariant, registers.Count(f => f["lisp.mapping.eid.ipv4"].Contains("198.51.100.0")));
        Assert.Equal(PerVariant, registers.Count(f => f["lisp.mapping.eid.ipv4"].Contains("203.0.113.0")));
        Assert.Equal(PerVariant, registers.Count(f => f["lisp.lcaf.iid"].Contains("77")));

        // The replay: the xTR's register on the wire twice from its address (the original and our copy), once from ours.
        string nonce = "0x" + replayedNonce;
        Assert.Equal(2, frames.Count(f => f["ip.src"].FirstOrDefault() == Xtr && f["lisp.type"].FirstOrDefault() == "3" && f["lisp.nonce"].FirstOrDefault() == nonce));
        Assert.Single(registers, f => f["lisp.nonce"].FirstOrDefault() == nonce);

        // The garbage: tshark too calls the truncated ones malformed (the empty datagram and types 0 and 13 it does not).
        Assert.Equal(GarbageMalformed - 1, fromAttacker.Count(f => f["_ws.malformed"].Length > 0));
    }

    private (DataplaneNode Ms, DataplaneNode Xtr, string Attacker, Capture MsCapture, Capture XtrCapture) Build()
    {
        string ms = lab.Namespace("ms"), xtr = lab.Namespace("xtr"), host = lab.Namespace("host"), attacker = lab.Namespace("atk"), wan = lab.Namespace("wan");
        lab.Link(ms, "und", "02:00:00:c0:00:64", wan, "w-ms", "02:00:00:c1:00:64");
        lab.Link(xtr, "rloc", "02:00:00:c0:00:01", wan, "w-xa", "02:00:00:c1:00:01");
        lab.Link(attacker, "eth0", "02:00:00:c0:00:42", wan, "w-atk", "02:00:00:c1:00:42");
        lab.Link(host, "eth0", "02:00:00:0a:00:0a", xtr, "eid", "02:00:00:0a:00:01");
        lab.InNamespace(wan, "ip", "link", "add", "br0", "type", "bridge");
        foreach (string leg in new[] { "w-ms", "w-xa", "w-atk" })
        {
            lab.InNamespace(wan, "ip", "link", "set", leg, "master", "br0");
        }

        lab.InNamespace(wan, "ip", "link", "set", "br0", "up");
        lab.InNamespace(attacker, "ip", "addr", "add", $"{Attacker}/24", "dev", "eth0");
        lab.InNamespace(host, "ip", "addr", "add", "10.1.0.10/24", "dev", "eth0");

        // Captures first, so the xTR's first registers are on them.
        var msCapture = new Capture(lab, wan, "w-ms", Path.Combine(scratch, "ms.pcap"));
        var xtrCapture = new Capture(lab, wan, "w-xa", Path.Combine(scratch, "xtr.pcap"));

        var msDaemon = StartDaemon(ms, "ms", new
        {
            roles = new[] { "msmr" },
            ports = new object[] { new { name = "und", mac = "02:00:00:c0:00:64", addresses = new[] { MapServer }, driver = "af_packet", @interface = "und" } },
            routes = new object[] { new { prefix = "192.0.2.0/24", port = "und" } },
            lisp = new
            {
                localRlocs = new[] { new { address = MapServer } },
                mappingSystem = new { sites = new[] { new { name = "lab", keyId = 2, key = Key, eidPrefixes = new[] { "10.1.0.0/16" } } } },
            },
        });
        var xtrDaemon = StartDaemon(xtr, "xtr", new
        {
            roles = new[] { "itr", "etr" },
            ports = new object[]
            {
                new { name = "eid", mac = "02:00:00:0a:00:01", addresses = new[] { "10.1.0.1" }, driver = "af_packet", @interface = "eid" },
                new { name = "rloc", mac = "02:00:00:c0:00:01", addresses = new[] { Xtr }, driver = "af_packet", @interface = "rloc" },
            },
            routes = new object[] { new { prefix = XtrEid, port = "eid" }, new { prefix = "192.0.2.0/24", port = "rloc" } },
            lisp = new
            {
                localRlocs = new[] { new { address = Xtr } },
                localEids = new[] { XtrEid },
                mapResolvers = new[] { MapServer },
                mapServers = new[] { new { address = MapServer, keyId = 2, key = Key } },
                registerIntervalSeconds = 2, // refreshes show within the test
            },
        });
        return (msDaemon, xtrDaemon, attacker, msCapture, xtrCapture);
    }

    private DataplaneNode StartDaemon(string ns, string name, object config)
    {
        var daemon = DataplaneNode.Start(lab, ns, name, JsonSerializer.SerializeToNode(config)!.AsObject(), scratch);
        daemons.Add(daemon);
        return daemon;
    }

    private JsonObject Attack(string ns, string attack, params string[] arguments)
    {
        var (exitCode, output) = Lab.TryRun(Bound, ["ip", "netns", "exec", ns, "/usr/bin/python3", AttackerScript, attack, .. arguments]);
        Assert.True(exitCode == 0, $"lisp_attacker.py {attack} failed: {output}");
        return JsonNode.Parse(output.Trim().Split('\n')[^1])!.AsObject();
    }

    /// <summary>
    /// Waits until every expected counter moved by its amount, then a little longer (so a late extra one shows), and
    /// asserts every refusal moved by exactly what was expected (0 when not named). The last reading.
    /// </summary>
    private static Dictionary<string, long> WaitForDeltas(DataplaneNode daemon, Dictionary<string, long> before, Dictionary<string, long> expected, string who)
    {
        long Delta(Dictionary<string, long> now, string name) => now[name] - before[name];
        var now = before;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Bound && expected.Any(e => Delta(now, e.Key) < e.Value))
        {
            Thread.Sleep(100);
            now = daemon.LispCounters();
        }

        Thread.Sleep(300);
        now = daemon.LispCounters();
        foreach (string reason in Refusals)
        {
            long want = expected.GetValueOrDefault(reason);
            Assert.True(Delta(now, reason) == want, $"{who}: {reason} moved by {Delta(now, reason)}, expected {want}; all: {string.Join(", ", now.Select(c => $"{c.Key} {Delta(now, c.Key)}"))}");
        }

        return now;
    }

    /// <summary>The stop print has "lisp NAME COUNT" for every counter that is not zero, and no line for those that are.</summary>
    private static void AssertPrinted(string log, string name, long count)
    {
        if (count == 0)
        {
            Assert.DoesNotMatch($@"lisp {name}\s", log);
        }
        else
        {
            Assert.Matches($@"lisp {name}\s+{count}\b", log);
        }
    }

    private static void WaitFor(Func<bool> condition, TimeSpan timeout, string failure)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < timeout, failure);
            Thread.Sleep(100);
        }
    }

    private static long Counter(DataplaneNode daemon, string name) => daemon.LispCounters()[name];

    private static JsonArray Registrations(DataplaneNode daemon) => daemon.Call("lisp.registrations").AsArray();

    private static long PuntQueueFull(DataplaneNode daemon) =>
        daemon.Call("counters.get")["drops"]?["PuntQueueFull"]?.GetValue<long>() ?? 0;

    private static long RingDrops(DataplaneNode daemon) =>
        daemon.Call("ports.stats").AsArray().Sum(p => p!["rxDrops"]!.GetValue<long>());

    public void Dispose()
    {
        foreach (var daemon in daemons)
        {
            daemon.Stop();
        }

        lab.Dispose();
        Directory.Delete(scratch, recursive: true);
    }

    /// <summary>
    /// tcpdump on one underlay leg, written packet by packet (immediate mode: without it libpcap holds packets in its
    /// ring for up to a second); started and stopped by PID.
    /// </summary>
    private sealed class Capture
    {
        private readonly Process process;

        public Capture(Lab lab, string ns, string device, string path)
        {
            Path = path;
            process = lab.Start(ns, "/usr/bin/tcpdump", "-i", device, "--immediate-mode", "-U", "-n", "-s", "0", "-w", path, "udp", "port", "4342");
            // tcpdump says "listening on ..." once the socket is open: from then on nothing is missed.
            var clock = Stopwatch.StartNew();
            string? line;
            while ((line = process.StandardError.ReadLine()) is not null && !line.Contains("listening on", StringComparison.Ordinal))
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"tcpdump did not start: {line}");
            }

            Assert.NotNull(line);
        }

        public string Path { get; }

        public void Stop()
        {
            if (!process.HasExited)
            {
                Lab.TryRun(TimeSpan.FromSeconds(5), "kill", "-INT", process.Id.ToString(CultureInfo.InvariantCulture));
                process.WaitForExit(TimeSpan.FromSeconds(5));
            }
        }
    }
}
