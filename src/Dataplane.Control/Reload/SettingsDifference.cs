using System.Text.Json.Nodes;
using Dataplane.Forwarding.Configuration;

namespace Dataplane.Control.Reload;

/// <summary>
/// What differs between two configurations outside the rule state a reload applies: the fields that need a restart
/// (ports, drivers, workers, addresses, roles ...), named as the configuration's errors name them ("ports[1].driver").
/// </summary>
public static class SettingsDifference
{
    /// <summary>The rule state a reload applies through the control methods; everything else needs a restart.</summary>
    public static readonly IReadOnlyList<string> AppliedPaths =
        ["neighbours", "lisp.mapCache", "lisp.localEids", "gtpu.tunnels", "vxlan.bridgeDomains", "tof.services", "control.logLevel", "trafficRules"];

    public static IReadOnlyList<string> NeedingRestart(DataplaneConfig before, DataplaneConfig after)
    {
        var differences = new List<string>();
        Compare(WithoutAppliedPaths(before), WithoutAppliedPaths(after), "", differences);
        return differences;
    }

    private static JsonObject WithoutAppliedPaths(DataplaneConfig config)
    {
        var json = DataplaneConfigFile.ToJson(config);
        foreach (string path in AppliedPaths)
        {
            string[] parts = path.Split('.');
            var parent = parts.Length == 1 ? json : json[parts[0]] as JsonObject;
            parent?.Remove(parts[^1]);
        }

        return json;
    }

    private static void Compare(JsonNode? before, JsonNode? after, string path, List<string> differences)
    {
        if (before is JsonObject a && after is JsonObject b)
        {
            foreach (string key in a.Select(p => p.Key).Union(b.Select(p => p.Key)).Order(StringComparer.Ordinal))
            {
                Compare(a[key], b[key], path.Length == 0 ? key : $"{path}.{key}", differences);
            }
        }
        else if (before is JsonArray x && after is JsonArray y)
        {
            for (int i = 0; i < Math.Max(x.Count, y.Count); i++)
            {
                Compare(i < x.Count ? x[i] : null, i < y.Count ? y[i] : null, $"{path}[{i}]", differences);
            }
        }
        else if (!JsonNode.DeepEquals(before, after))
        {
            differences.Add(path);
        }
    }
}
