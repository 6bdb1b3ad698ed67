using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dataplane.Tests.Host;

/// <summary>
/// A golden case's configuration turned into one `dataplane run` can take without NICs: every port on the pcap
/// driver, transmitting into tx{i}.pcap in the scratch directory, the first port receiving from a capture.
/// </summary>
public static class PcapPortsConfig
{
    /// <summary>Writes scratch/config.json and returns its path.</summary>
    public static string Write(string goldenConfigPath, string receivePcap, string scratch, int? workers = null)
    {
        var config = JsonNode.Parse(File.ReadAllText(goldenConfigPath))!.AsObject();
        if (workers is { } count)
        {
            config["workers"] = count;
        }

        var ports = config["ports"]!.AsArray();
        for (int i = 0; i < ports.Count; i++)
        {
            ports[i]!["driver"] = "pcap";
            ports[i]!["txPcap"] = Path.Combine(scratch, $"tx{i}.pcap");
        }

        ports[0]!["rxPcap"] = receivePcap;
        string configPath = Path.Combine(scratch, "config.json");
        File.WriteAllText(configPath, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return configPath;
    }
}
