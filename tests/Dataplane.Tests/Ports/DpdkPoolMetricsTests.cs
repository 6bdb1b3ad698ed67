using System.Text.Json.Nodes;
using Dataplane.Tests.Control.Metrics;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Ports;

/// <summary>
/// The DPDK mempool on /metrics: <c>dataplane run</c> with two net_pcap ports on one mempool of a configured size
/// reports that pool once, by its name, with the configured capacity.
/// </summary>
public sealed class DpdkPoolMetricsTests
{
    [Fact]
    public void The_shared_mempool_is_reported_once_with_the_configured_number_of_mbufs()
    {
        DpdkForwardRun.SkipUnlessAvailable();
        string golden = RepositoryPaths.Pcap(Path.Combine("golden", "itr-v4-over-v4"));
        string scratch = Directory.CreateTempSubdirectory("dpdk-pool-").FullName;
        string prefix = "dppool" + Guid.NewGuid().ToString("N")[..12];
        try
        {
            var config = JsonNode.Parse(File.ReadAllText(Path.Combine(golden, "config.json")))!.AsObject();
            var ports = config["ports"]!.AsArray();
            var eal = new JsonArray("-l", "0", "--no-huge", "-m", "512", "--no-pci", "--no-shconf", "--file-prefix", prefix, "--log-level=warning");
            for (int i = 0; i < ports.Count; i++)
            {
                ports[i]!["driver"] = "dpdk";
                ports[i]!["dpdkDevice"] = $"net_pcap{i}";
                string rx = i == 0 ? $"rx_pcap={Path.Combine(golden, "input.pcap")}," : "";
                eal.Add($"--vdev=net_pcap{i},{rx}tx_pcap={Path.Combine(scratch, $"tx{i}.pcap")}");
            }

            config["dpdk"] = new JsonObject { ["eal"] = eal, ["mbufCount"] = 4095 };
            using var daemon = new MetricsDaemon(config, new Dictionary<string, string>(), capturePorts: false);
            var exposition = Exposition.Parse(daemon.ScrapeWhen(text =>
                text.Contains($"dataplane_port_rx_packets_total{{port=\"eid-side\"}} {MetricsDaemons.Invariant(MetricsDaemons.GoldenReceived("itr-v4-over-v4"))}\n", StringComparison.Ordinal)));

            var capacity = Assert.Single(exposition.Samples, s => s.Key.StartsWith("dataplane_buffer_pool_capacity{", StringComparison.Ordinal)
                && s.Key != "dataplane_buffer_pool_capacity{pool=\"control-inject\"}" && !s.Key.Contains("replicas-worker-", StringComparison.Ordinal));
            Assert.Equal("dataplane_buffer_pool_capacity{pool=\"dataplane_pool\"}", capacity.Key);
            Assert.Equal(4095, capacity.Value);
            Assert.InRange(exposition["dataplane_buffer_pool_in_use{pool=\"dataplane_pool\"}"], 0, 4095);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
            DpdkForwardRun.TryDelete(Path.Combine("/var/run/dpdk", prefix));
        }
    }
}
