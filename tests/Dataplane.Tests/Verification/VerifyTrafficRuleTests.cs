using System.Text.Json;
using System.Text.Json.Nodes;
using Dataplane.Control.Persistence;
using Dataplane.Control.Socket;
using Dataplane.Control.Verification;
using Dataplane.Forwarding.Pipeline;

namespace Dataplane.Tests.Verification;

/// <summary>
/// Shadowed and never-matching rules as an operator writes them: the configuration's <c>trafficRules</c> (read by the
/// rules' own parser) and rules added over the control socket and journaled, named as state entries.
/// </summary>
public sealed class VerifyTrafficRuleTests
{
    private static JsonObject WithRules(params string[] rules)
    {
        var config = VerifyConfigs.Xtr();
        config["trafficRules"] = new JsonArray([.. rules.Select(r => (JsonNode)VerifyConfigs.Parse(r))]);
        return config;
    }

    private const string DropWeb = """{ "name": "drop-web", "priority": 200, "scope": "instance", "instanceId": 7, "match": { "destination": "10.2.0.0/16", "protocol": "tcp", "destinationPorts": "80-443" }, "actions": { "drop": true } }""";

    [Fact]
    public void Rules_that_only_overlap_hold()
    {
        var config = WithRules(DropWeb,
            """{ "name": "mark-udp", "priority": 100, "scope": "instance", "instanceId": 7, "match": { "destination": "10.2.0.0/16", "protocol": "udp" }, "actions": { "markDscp": 10 } }""");

        Assert.Empty(VerifyConfigs.Verify(config));
    }

    [Fact]
    public void A_rule_inside_a_higher_one_is_shadowed_at_its_configuration_path()
    {
        var config = WithRules(DropWeb,
            """{ "name": "mark-https", "priority": 100, "scope": "instance", "instanceId": 7, "match": { "destination": "10.2.3.0/24", "protocol": "tcp", "destinationPorts": "443" }, "actions": { "markDscp": 10 } }""");

        var finding = VerifyConfigs.Single(VerifyConfigs.Verify(config), FindingSeverity.Error, "shadowed-rule", "trafficRules[1]");
        Assert.Contains("rule 'drop-web' (priority 200, trafficRules[0])", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_rule_in_another_instance_is_not_shadowed()
    {
        var config = WithRules(DropWeb,
            """{ "name": "mark-https", "priority": 100, "scope": "instance", "instanceId": 8, "match": { "destination": "10.2.3.0/24", "protocol": "tcp", "destinationPorts": "443" }, "actions": { "markDscp": 10 } }""");

        Assert.Empty(VerifyConfigs.Verify(config));
    }

    [Fact]
    public void A_counting_rule_above_shadows_nothing()
    {
        var config = WithRules(
            """{ "name": "count-all", "priority": 300, "scope": "instance", "instanceId": 7, "actions": { "count": true } }""",
            DropWeb);

        Assert.Empty(VerifyConfigs.Verify(config));
    }

    [Fact]
    public void A_rule_added_over_the_socket_and_journaled_is_named_as_a_state_entry()
    {
        string state = Directory.CreateTempSubdirectory("dpv-rules-").FullName;
        try
        {
            var config = WithRules(DropWeb);
            var plane = ForwardingPlaneBuilder.Build(VerifyConfigs.Config(config));
            var methods = new ControlMethods(plane);
            using (var store = new StateStore(state))
            {
                store.Load(methods, _ => { });
                methods.Journal = store;
                methods.Invoke("rule.add", JsonDocument.Parse("""{ "name": "late", "priority": 50, "scope": "instance", "instanceId": 7, "match": { "destination": "10.2.9.0/24", "protocol": "tcp", "destinationPorts": "80" }, "actions": { "drop": true } }""").RootElement);
            }

            Assert.Contains("late", File.ReadAllText(Path.Combine(state, StateStore.JournalName)), StringComparison.Ordinal);
            var finding = VerifyConfigs.Single(VerifyConfigs.Verify(config, state), FindingSeverity.Error, "shadowed-rule", "state:rule[late]");
            Assert.Contains("'drop-web'", finding.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }
}
