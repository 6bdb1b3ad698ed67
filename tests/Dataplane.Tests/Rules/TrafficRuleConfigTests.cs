using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Rules;
using Dataplane.Tests.Tof;

namespace Dataplane.Tests.Rules;

/// <summary>trafficRules in the configuration: what is read, and every refusal naming the JSON path of its field.</summary>
public class TrafficRuleConfigTests
{
    internal const string VideoCap = """
        {
          "name": "video-cap", "priority": 100, "scope": "tof", "service": "video", "ue": "10.1.0.0/16", "direction": "uplink",
          "match": { "source": "10.1.0.0/16", "protocol": "udp", "sourcePorts": "1024-65535", "destinationPorts": 443, "dscp": 46 },
          "actions": { "rateLimit": { "packetsPerSecond": 1000, "bitsPerSecond": 10000000, "burstPackets": 100, "burstBytes": 150000, "per": "ue" },
                       "markDscp": 10, "count": true }
        }
        """;

    /// <summary>The TOF test plane with <paramref name="rules"/> as its trafficRules.</summary>
    internal static string TofPlane(params string[] rules) =>
        TofTestPlane.Json().Replace("\"roles\"", $"\"trafficRules\": [{string.Join(",", rules)}], \"roles\"", StringComparison.Ordinal);

    [Fact]
    public void A_rule_is_read_with_every_field()
    {
        var plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(TofPlane(VideoCap)));
        var rule = Assert.Single(plane.TrafficRules.Definitions);
        Assert.Equal("video-cap", rule.Name);
        Assert.Equal(100, rule.Priority);
        Assert.Equal(TrafficRuleScope.Tof, rule.Scope);
        Assert.Equal("video", rule.Service);
        Assert.Equal("10.1.0.0/16", rule.Ue.ToString());
        Assert.Equal(TrafficDirections.Uplink, rule.Direction);
        Assert.Equal("10.1.0.0/16", rule.Match.Source.ToString());
        Assert.Equal((byte)17, rule.Match.Protocol);
        Assert.Equal(new FieldRange(1024, 65_535), rule.Match.SourcePorts);
        Assert.Equal(new FieldRange(443, 443), rule.Match.DestinationPorts);
        Assert.Equal((byte)46, rule.Match.Dscp);
        Assert.Equal(new TrafficRateLimit(1000, 10_000_000, 100, 150_000, PolicerScope.Ue), rule.Actions.RateLimit);
        Assert.Equal((byte)10, rule.Actions.MarkDscp);
        Assert.True(rule.Actions.Count);
        Assert.NotNull(plane.TrafficRules.Current);
    }

    [Fact]
    public void No_rules_publish_no_rule_set_and_no_instance_stage()
    {
        var plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(TofTestPlane.Json()));
        Assert.Null(plane.TrafficRules.Current);
        Assert.DoesNotContain(plane.CreateWorker().Stages, s => s.Name == "instance-rules");
        Assert.False(plane.TrafficRules.InstanceStageAvailable);
    }

    [Fact]
    public void An_instance_rule_puts_the_instance_stage_between_decapsulation_and_encapsulation()
    {
        var plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(TofPlane(
            """{ "name": "i", "priority": 1, "scope": "instance", "instanceId": 0, "actions": { "count": true } }""")));
        var names = plane.CreateWorker().Stages.Select(s => s.Name).ToList();
        Assert.True(names.IndexOf("instance-rules") > names.IndexOf("tof"));
        Assert.True(names.IndexOf("instance-rules") < names.IndexOf("routing"));
        Assert.True(StageOrder.InstanceRules > StageOrder.LispDecapsulation && StageOrder.InstanceRules < StageOrder.LispEncapsulation);
    }

    [Theory]
    [InlineData("\"name\": \"video-cap\"", "\"name\": \"video cap\"", "trafficRules[0].name")]
    [InlineData("\"priority\": 100", "\"priority\": 0", "trafficRules[0].priority")]
    [InlineData("\"priority\": 100", "\"priority\": \"high\"", "trafficRules[0].priority")]
    [InlineData("\"scope\": \"tof\"", "\"scope\": \"global\"", "trafficRules[0].scope")]
    [InlineData("\"service\": \"video\"", "\"service\": \"nope\"", "trafficRules[0].service")]
    [InlineData("\"ue\": \"10.1.0.0/16\"", "\"ue\": \"10.1.0.1/16\"", "trafficRules[0].ue")]
    [InlineData("\"ue\": \"10.1.0.0/16\"", "\"ue\": \"2001:db8::/32\"", "trafficRules[0].ue")]
    [InlineData("\"direction\": \"uplink\"", "\"direction\": \"up\"", "trafficRules[0].direction")]
    [InlineData("\"source\": \"10.1.0.0/16\"", "\"source\": \"10.1.0.0/33\"", "trafficRules[0].match.source")]
    [InlineData("\"source\": \"10.1.0.0/16\"", "\"source\": \"10.1.0.0/16\", \"destination\": \"2001:db8::/32\"", "trafficRules[0].match.destination")]
    [InlineData("\"protocol\": \"udp\"", "\"protocol\": \"sctp\"", "trafficRules[0].match.protocol")]
    [InlineData("\"protocol\": \"udp\"", "\"protocol\": 256", "trafficRules[0].match.protocol")]
    [InlineData("\"protocol\": \"udp\"", "\"protocol\": \"icmp\"", "trafficRules[0].match.sourcePorts")]
    [InlineData("\"sourcePorts\": \"1024-65535\"", "\"sourcePorts\": \"80-20\"", "trafficRules[0].match.sourcePorts")]
    [InlineData("\"sourcePorts\": \"1024-65535\"", "\"sourcePorts\": \"1024-65536\"", "trafficRules[0].match.sourcePorts")]
    [InlineData("\"destinationPorts\": 443", "\"destinationPorts\": true", "trafficRules[0].match.destinationPorts")]
    [InlineData("\"dscp\": 46", "\"dscp\": 64", "trafficRules[0].match.dscp")]
    [InlineData("\"dscp\": 46", "\"dscp\": 46, \"ttl\": 3", "trafficRules[0].match.ttl")]
    [InlineData("\"markDscp\": 10", "\"markDscp\": -1", "trafficRules[0].actions.markDscp")]
    [InlineData("\"markDscp\": 10", "\"markDscp\": 10, \"offload\": \"gone\"", "trafficRules[0].actions.offload")]
    [InlineData("\"markDscp\": 10", "\"markDscp\": 10, \"drop\": true", "trafficRules[0].actions.drop")]
    [InlineData("\"per\": \"ue\"", "\"per\": \"flow\"", "trafficRules[0].actions.rateLimit.per")]
    [InlineData("\"packetsPerSecond\": 1000", "\"packetsPerSecond\": 0", "trafficRules[0].actions.rateLimit.packetsPerSecond")]
    [InlineData("\"bitsPerSecond\": 10000000", "\"bitsPerSecond\": 10", "trafficRules[0].actions.rateLimit.bitsPerSecond")]
    [InlineData("\"scope\": \"tof\"", "\"scope\": \"tof\", \"instanceId\": 3", "trafficRules[0].instanceId")]
    public void A_bad_field_is_named(string good, string bad, string field)
    {
        Assert.Contains(good, VideoCap, StringComparison.Ordinal);
        var error = Assert.Throws<ConfigurationException>(() => ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(TofPlane(VideoCap.Replace(good, bad, StringComparison.Ordinal)))));
        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void A_backwards_port_range_says_so()
    {
        var error = Assert.Throws<ConfigurationException>(() => ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(TofPlane(
            VideoCap.Replace("1024-65535", "80-20", StringComparison.Ordinal), VideoCap.Replace("video-cap", "b", StringComparison.Ordinal)))));
        Assert.Equal("configuration error at trafficRules[0].match.sourcePorts: 80-20 is not a range low-high", error.Message);
    }

    [Theory]
    [InlineData("""{ "name": "a", "priority": 5, "scope": "tof", "actions": { "count": true } }""",
        """{ "name": "a", "priority": 6, "scope": "tof", "actions": { "count": true } }""", "trafficRules[1].name")]
    [InlineData("""{ "name": "a", "priority": 5, "scope": "tof", "actions": { "count": true } }""",
        """{ "name": "b", "priority": 5, "scope": "tof", "actions": { "count": true } }""", "trafficRules[1].priority")]
    [InlineData("""{ "name": "a", "priority": 5, "scope": "tof", "actions": { } }""",
        """{ "name": "b", "priority": 6, "scope": "tof", "actions": { "count": true } }""", "trafficRules[0].actions")]
    [InlineData("""{ "name": "a", "priority": 5, "scope": "instance", "vni": 7000, "actions": { "count": true } }""",
        """{ "name": "b", "priority": 6, "scope": "tof", "actions": { "count": true } }""", "trafficRules[0].vni")]
    [InlineData("""{ "name": "a", "priority": 5, "scope": "instance", "instanceId": 1, "actions": { "offload": "video" } }""",
        """{ "name": "b", "priority": 6, "scope": "tof", "actions": { "count": true } }""", "trafficRules[0].actions.offload")]
    [InlineData("""{ "name": "a", "priority": 5, "scope": "instance", "instanceId": 1, "direction": "uplink", "actions": { "count": true } }""",
        """{ "name": "b", "priority": 6, "scope": "tof", "actions": { "count": true } }""", "trafficRules[0].direction")]
    public void Rules_are_checked_against_each_other_and_their_scope(string first, string second, string field)
    {
        var error = Assert.Throws<ConfigurationException>(() => ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(TofPlane(first, second))));
        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void Two_instances_may_use_one_priority_and_the_same_priority_in_scope_tof_is_another_scope()
    {
        var plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(TofPlane(
            """{ "name": "a", "priority": 5, "scope": "instance", "instanceId": 1, "actions": { "count": true } }""",
            """{ "name": "b", "priority": 5, "scope": "instance", "instanceId": 2, "actions": { "count": true } }""",
            """{ "name": "c", "priority": 5, "scope": "tof", "actions": { "count": true } }""")));
        Assert.Equal(3, plane.TrafficRules.Definitions.Count);
    }

    [Fact]
    public void The_rule_limit_is_held_and_configurable()
    {
        string rule(int i) => $$"""{ "name": "r{{i}}", "priority": {{i + 1}}, "scope": "tof", "actions": { "count": true } }""";
        string json = TofPlane(rule(0), rule(1), rule(2)).Replace("\"roles\"", "\"trafficRuleLimits\": { \"maxRules\": 2 }, \"roles\"", StringComparison.Ordinal);
        var error = Assert.Throws<ConfigurationException>(() => ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(json)));
        Assert.Equal("trafficRules", error.Field);
        Assert.Contains("at most 2", error.Problem, StringComparison.Ordinal);
        var bad = TofPlane().Replace("\"roles\"", "\"trafficRuleLimits\": { \"uesPerRule\": 1000 }, \"roles\"", StringComparison.Ordinal);
        Assert.Equal("trafficRuleLimits.uesPerRule", Assert.Throws<ConfigurationException>(() => ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(bad))).Field);
    }

    [Fact]
    public void Scope_tof_needs_the_tof_role()
    {
        string json = """
            { "roles": [], "ports": [ { "name": "p", "mac": "02:00:00:00:00:01" } ],
              "trafficRules": [ { "name": "a", "priority": 1, "scope": "tof", "actions": { "count": true } } ] }
            """;
        Assert.Equal("trafficRules[0].scope", Assert.Throws<ConfigurationException>(() => ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(json))).Field);
    }

    [Fact]
    public void A_vni_resolves_to_its_l3_instance()
    {
        string json = """
            { "roles": ["vtep"], "ports": [ { "name": "p", "mac": "02:00:00:00:00:01", "addresses": ["192.0.2.1"] } ],
              "vxlan": { "localVteps": ["192.0.2.1"], "l3Vnis": [ { "vni": 7000, "instanceId": 42, "routerMac": "02:00:00:00:00:09" } ] },
              "trafficRules": [ { "name": "a", "priority": 1, "scope": "instance", "vni": 7000, "actions": { "count": true } } ] }
            """;
        var rule = Assert.Single(ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(json)).TrafficRules.Definitions);
        Assert.Equal(42u, rule.InstanceId);
        Assert.Equal(7000u, rule.Vni);
    }
}
