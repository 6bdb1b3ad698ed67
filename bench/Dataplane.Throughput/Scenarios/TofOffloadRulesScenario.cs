using System.Globalization;
using System.Text.Json.Nodes;
using Dataplane.Forwarding.Configuration;

namespace Dataplane.Throughput.Scenarios;

/// <summary>
/// <see cref="TofOffloadScenario"/> with 1001 traffic rules of scope tof: 1000 that no packet matches (each a /32 of
/// 198.18.0.0/16, TCP 443, drop; above the last in priority, so every miss of the flow cache scans them all) and one,
/// the lowest, that every packet matches (UDP 8080, mark DSCP 0: the path and the bytes stay those of tof-offload).
/// The cost of classifying every uplink G-PDU against a large rule set.
/// </summary>
public sealed class TofOffloadRulesScenario : TofOffloadVariant
{
    private const int Unmatched = 1000;
    public override string Name => "tof-offload-rules1000";

    public override string Description => "TOF offload as tof-offload, with 1000 traffic rules that do not match and one that does";

    public override DataplaneConfig Configuration(ScenarioSettings settings)
    {
        var rules = new JsonArray();
        for (int i = 0; i < Unmatched; i++)
        {
            rules.Add(JsonNode.Parse(string.Create(CultureInfo.InvariantCulture,
                $$"""{ "name": "other{{i}}", "priority": {{2 + i}}, "scope": "tof", "match": { "destination": "198.18.{{i / 256}}.{{i % 256}}/32", "protocol": "tcp", "destinationPorts": 443 }, "actions": { "drop": true } }""")));
        }

        rules.Add(JsonNode.Parse("""{ "name": "match", "priority": 1, "scope": "tof", "direction": "uplink", "match": { "protocol": "udp", "destinationPorts": 8080 }, "actions": { "markDscp": 0 } }"""));
        var json = DataplaneConfigFile.ToJson(Offload.Configuration(settings));
        json["trafficRules"] = rules;
        return DataplaneConfigFile.Parse(json.ToJsonString());
    }
}
