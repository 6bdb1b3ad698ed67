using System.Globalization;
using System.Text.Json.Nodes;
using Dataplane.Forwarding.Configuration;

namespace Dataplane.Throughput.Scenarios;

/// <summary>
/// tof-offload with each of the two services an application cluster of 8 instances (203.0.113.10..17 and
/// .20..27): the same frames, so the difference to tof-offload is what a cluster costs per packet (the flow's
/// instance is read from its NAT entry; 16 application adjacencies instead of 2).
/// </summary>
public sealed class TofOffloadClusterScenario : TofOffloadVariant
{
    private const int Instances = 8;

    public override string Name => "tof-offload-cluster";

    public override string Description => "TOF: tof-offload with each service a cluster of 8 application instances (flows balanced by weight)";

    /// <summary>tof-offload's configuration with its two applications replaced by the clusters and their neighbours.</summary>
    public override DataplaneConfig Configuration(ScenarioSettings settings)
    {
        var json = DataplaneConfigFile.ToJson(Offload.Configuration(settings));
        var neighbours = json["neighbours"]!.AsArray();
        foreach (var single in neighbours.Where(n => n!["port"]!.GetValue<string>() == "apps").ToArray())
        {
            neighbours.Remove(single);
        }

        var services = json["tof"]!["services"]!.AsArray();
        for (int s = 0; s < services.Count; s++)
        {
            int first = 10 * (s + 1);
            var service = services[s]!.AsObject();
            service.Remove("applicationIP");
            var applications = new JsonArray();
            for (int last = first; last < first + Instances; last++)
            {
                neighbours.Add(new JsonObject { ["address"] = string.Create(CultureInfo.InvariantCulture, $"203.0.113.{last}"), ["mac"] = string.Create(CultureInfo.InvariantCulture, $"02:00:00:00:a0:{last:x2}"), ["port"] = "apps" });
                applications.Add(new JsonObject { ["ip"] = string.Create(CultureInfo.InvariantCulture, $"203.0.113.{last}"), ["weight"] = last % 4 + 1 }); // weights 1..4: a weighted table
            }

            service["applications"] = applications;
        }

        return DataplaneConfigFile.Parse(json.ToJsonString());
    }
}
