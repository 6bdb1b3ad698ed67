using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Rules;

/// <summary>The examples of docs/configuration/traffic-rules.md are read by the parser (on the TOF test plane), so the page cannot drift from it.</summary>
public sealed partial class TrafficRuleDocumentationTests
{
    [Fact]
    public void Every_trafficRules_example_builds()
    {
        string page = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "configuration", "traffic-rules.md"));
        int built = 0;
        foreach (Match block in JsonBlock().Matches(page))
        {
            var example = JsonNode.Parse(block.Groups[1].Value)!.AsObject();
            if (example["trafficRules"] is not JsonArray rules)
            {
                continue;
            }

            var config = JsonNode.Parse(Tof.TofTestPlane.Json())!.AsObject();
            config["trafficRules"] = rules.DeepClone();
            var plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(config.ToJsonString()));
            Assert.Equal(rules.Count, plane.TrafficRules.Definitions.Count);
            built++;
        }

        Assert.Equal(3, built);
    }

    [GeneratedRegex("```json\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();
}
