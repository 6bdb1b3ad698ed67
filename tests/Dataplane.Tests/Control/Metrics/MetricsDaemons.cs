using System.Globalization;
using System.Text.Json.Nodes;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Control.Metrics;

/// <summary>
/// Two real daemons whose scrapes between them hold every family of docs/metrics.md: an ITR with the LISP control
/// plane, RLOC probing, a GTP-U tunnel supervised by Echo Requests and a shaped underlay port (the golden
/// itr-v4-over-v4 configuration and input), and a TOF (the golden tof-one-armed-round-trip). Each is scraped once it has read its whole input and
/// every family of its features has appeared.
/// </summary>
public sealed class MetricsDaemons : IDisposable
{
    /// <summary>The remote locators of the golden ITR configuration's map-cache (hand-read from its config.json).</summary>
    public static readonly string[] GoldenRemoteRlocs = ["198.51.100.1", "198.51.100.2", "198.51.100.3", "2001:db8:a::1", "2001:db8:b::1"];

    public MetricsDaemons()
    {
        Lisp = new MetricsDaemon(LispConfig(), new Dictionary<string, string> { ["eid-side"] = Golden("itr-v4-over-v4", "input.pcap") });
        Tof = new MetricsDaemon(TofConfig(), new Dictionary<string, string> { ["s1"] = Golden("tof-one-armed-round-trip", "input.pcap") });
        long lispInput = GoldenReceived("itr-v4-over-v4"), tofInput = GoldenReceived("tof-one-armed-round-trip");

        LispScrape = Lisp.ScrapeWhen(text =>
            text.Contains($"dataplane_port_rx_packets_total{{port=\"eid-side\"}} {Invariant(lispInput)}\n", StringComparison.Ordinal)
            && GoldenRemoteRlocs.All(rloc => text.Contains($"dataplane_lisp_rloc_up{{rloc=\"{rloc}\"}}", StringComparison.Ordinal))
            && text.Contains("dataplane_gtpu_peer_up{", StringComparison.Ordinal)
            && text.Contains("dataplane_egress_class_packets_total{", StringComparison.Ordinal)
            && text.Contains("dataplane_nsh_path_packets_total{spi=\"10\"}", StringComparison.Ordinal)
            && !text.Contains("dataplane_gtpu_echo_requests_total 0\n", StringComparison.Ordinal));
        TofScrape = Tof.ScrapeWhen(text =>
            text.Contains($"dataplane_port_rx_packets_total{{port=\"s1\"}} {Invariant(tofInput)}\n", StringComparison.Ordinal)
            && text.Contains("dataplane_tof_service_packets_total{", StringComparison.Ordinal)
            && text.Contains("dataplane_traffic_rule_packets_total{rule=\"count-all\"} ", StringComparison.Ordinal)
            && !text.Contains("dataplane_traffic_rule_packets_total{rule=\"count-all\"} 0\n", StringComparison.Ordinal));
    }

    public MetricsDaemon Lisp { get; }

    public MetricsDaemon Tof { get; }

    public string LispScrape { get; }

    public string TofScrape { get; }

    public IEnumerable<(string Name, string Text)> Scrapes => [("lisp", LispScrape), ("tof", TofScrape)];

    /// <summary>The golden case's expected-counters.json "received": the packets of its input.pcap.</summary>
    public static long GoldenReceived(string golden) =>
        JsonNode.Parse(File.ReadAllText(Golden(golden, "expected-counters.json")))!["received"]!.GetValue<long>();

    public void Dispose()
    {
        Lisp.Dispose();
        Tof.Dispose();
    }

    private static string Golden(string golden, string file) => Path.Combine(RepositoryPaths.Root, "pcaps", "golden", golden, file);

    private static JsonObject LispConfig()
    {
        var config = JsonNode.Parse(File.ReadAllText(Golden("itr-v4-over-v4", "config.json")))!.AsObject();
        config["roles"] = new JsonArray("itr", "gtpu");
        config["gtpu"] = new JsonObject
        {
            ["echoIntervalSeconds"] = 1,
            ["tunnels"] = new JsonArray(new JsonObject
            {
                ["name"] = "ue1",
                ["localAddress"] = "192.0.2.1",
                ["peerAddress"] = "192.0.2.10",
                ["teidIn"] = 256,
                ["teidOut"] = 512,
                ["ueAddress"] = "10.45.0.2",
            }),
        };
        var lisp = config["lisp"]!.AsObject();
        lisp["mapResolvers"] = new JsonArray("192.0.2.100");
        lisp["rlocProbing"] = new JsonObject { ["intervalSeconds"] = 1, ["timeoutMilliseconds"] = 500, ["downAfter"] = 2 };
        config["flowExport"] = new JsonObject { ["collector"] = "127.0.0.1:9" }; // IPFIX to loopback's discard port: its families appear
        // The underlay port shaped (far above what the capture offers): the egress scheduler's families appear.
        config["ports"]![1]!["egress"] = JsonNode.Parse("""
            { "rateBitsPerSecond": 10000000000, "classes": [ { "name": "mec", "dscp": [46], "guaranteedBitsPerSecond": 1000000000 } ] }
            """);
        // One NSH path no packet of the capture takes (they are native IP, no rule classifies them): its families appear.
        config["nsh"] = JsonNode.Parse("""
            { "serviceFunctions": [ { "name": "sf1", "transport": "ethernet", "mac": "02:00:00:00:00:21", "port": "rloc-side" } ],
              "servicePaths": [ { "spi": 10, "hops": ["sf1"], "end": "drop" } ] }
            """);
        return config;
    }

    /// <summary>The golden TOF, with a traffic rule that only counts (so the rule families have a series; forwarding is unchanged).</summary>
    private static JsonObject TofConfig()
    {
        var config = JsonNode.Parse(File.ReadAllText(Golden("tof-one-armed-round-trip", "config.json")))!.AsObject();
        config["trafficRules"] = JsonNode.Parse("""[{ "name": "count-all", "priority": 1, "scope": "tof", "actions": { "count": true } }]""");
        return config;
    }

    internal static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
