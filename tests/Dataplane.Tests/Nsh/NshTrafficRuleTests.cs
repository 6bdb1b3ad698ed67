using System.Text.Json.Nodes;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;

namespace Dataplane.Tests.Nsh;

/// <summary>The servicePath action of traffic rules: where it is allowed, and every refusal naming its JSON path.</summary>
public sealed class NshTrafficRuleTests
{
    [Theory]
    [InlineData("""{"servicePath": 0}""", "trafficRules[0].actions.servicePath", "outside 1..16777215")]
    [InlineData("""{"servicePath": 16777216}""", "trafficRules[0].actions.servicePath", "outside 1..16777215")]
    [InlineData("""{"servicePath": 10, "drop": true}""", "trafficRules[0].actions.drop", "drop goes with no other action")]
    public void A_bad_service_path_action_is_refused_by_its_json_path(string actions, string field, string problem)
    {
        var error = Assert.Throws<ConfigurationException>(() => Build(actions, scope: "instance"));
        Assert.Equal(field, error.Field);
        Assert.Contains(problem, error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_service_path_action_builds_in_scope_instance_with_other_actions()
    {
        var plane = Build("""{"servicePath": 10, "markDscp": 10, "count": true}""", scope: "instance");
        Assert.Contains(plane.CreateWorker().Stages, s => s.Name == "instance-rules");
    }

    private static ForwardingPlane Build(string actions, string scope)
    {
        var json = JsonNode.Parse(NshConfigurationTests.Example())!;
        json["trafficRules"] = new JsonArray(new JsonObject
        {
            ["name"] = "chain",
            ["priority"] = 100,
            ["scope"] = scope,
            ["instanceId"] = 0,
            ["match"] = new JsonObject { ["destination"] = "10.1.0.0/24" },
            ["actions"] = JsonNode.Parse(actions),
        });
        return ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(json.ToJsonString()));
    }
}
