using Dataplane.Control.Verification;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Verification;

/// <summary>
/// Shadowed and never-matching traffic rules, over the facts the analysis reads of a rule. Each case is worked out by
/// hand: which packets each rule takes, and whether a packet is left for the lower one.
/// </summary>
public sealed class VerifyRuleShadowTests
{
    private static int index;

    private static RuleFacts Rule(string name, int priority, string? source = null, string? destination = null, byte? protocol = null,
        (int, int)? destinationPorts = null, byte? dscp = null, bool terminal = true, string scope = "instance 0", string? service = null,
        string? ue = null, RuleDirections directions = RuleDirections.None) => new()
        {
            Name = name,
            Path = $"trafficRules[{index++}]",
            Priority = priority,
            Scope = scope,
            IsTof = scope == "tof",
            Service = service,
            Ue = Prefix(ue),
            Directions = scope == "tof" && directions == RuleDirections.None ? RuleDirections.Both : directions,
            Source = Prefix(source),
            Destination = Prefix(destination),
            Protocol = protocol,
            DestinationPorts = destinationPorts is { } p ? new ValueRange((UInt128)p.Item1, (UInt128)p.Item2) : null,
            Dscp = dscp,
            Terminal = terminal,
        };

    private static RulePrefix? Prefix(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var prefix = EidPrefix.Parse(text);
        return new RulePrefix(prefix.Address, prefix.PrefixLength);
    }

    private static List<VerificationFinding> Check(params RuleFacts[] rules)
    {
        var findings = new List<VerificationFinding>();
        RuleShadowCheck.Run(rules, findings);
        return findings;
    }

    [Fact]
    public void Rules_that_overlap_without_containment_hold()
    {
        index = 0;
        // a takes UDP to 10.0.0.0/8 port 443; b takes UDP to 10.1.0.0/16 on every port: port 53 is left for b.
        Assert.Empty(Check(
            Rule("a", 200, destination: "10.0.0.0/8", protocol: 17, destinationPorts: (443, 443)),
            Rule("b", 100, destination: "10.1.0.0/16", protocol: 17)));
    }

    [Fact]
    public void A_rule_inside_a_higher_one_field_by_field_is_shadowed()
    {
        index = 0;
        var findings = Check(
            Rule("wide", 200, destination: "10.0.0.0/8"),
            Rule("narrow", 100, source: "192.0.2.0/24", destination: "10.1.0.0/16", protocol: 6, destinationPorts: (80, 443), dscp: 46));

        var finding = VerifyConfigs.Single(findings, FindingSeverity.Error, "shadowed-rule", "trafficRules[1]");
        Assert.Contains("rule 'wide' (priority 200, trafficRules[0])", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_lower_priority_rule_is_the_shadowed_one_whatever_the_order_given()
    {
        index = 0;
        var findings = Check(
            Rule("narrow", 100, destination: "10.1.0.0/16"),
            Rule("wide", 200, destination: "10.0.0.0/8"));

        VerifyConfigs.Single(findings, FindingSeverity.Error, "shadowed-rule", "trafficRules[0]");
    }

    [Fact]
    public void A_rule_covered_only_by_two_higher_ones_together_is_shadowed_by_both()
    {
        index = 0;
        // low ports and high ports together are every port of TCP to 10.1.0.0/16; neither alone is.
        var findings = Check(
            Rule("low", 300, destination: "10.0.0.0/8", protocol: 6, destinationPorts: (0, 1023)),
            Rule("high", 200, destination: "10.1.0.0/16", protocol: 6, destinationPorts: (1024, 65535)),
            Rule("web", 100, destination: "10.1.2.0/24", protocol: 6, destinationPorts: (80, 8080)));

        var finding = VerifyConfigs.Single(findings, FindingSeverity.Error, "shadowed-rule", "trafficRules[2]");
        Assert.Contains("rules 'low' (priority 300, trafficRules[0]), 'high' (priority 200, trafficRules[1]) together", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ports_are_those_the_classifier_reads_zero_for_a_later_fragment()
    {
        index = 0;
        // Every TCP packet has a destination port in 0..65535 as the classifier reads it (a later fragment's is 0).
        VerifyConfigs.Single(Check(
            Rule("all-ports", 200, protocol: 6, destinationPorts: (0, 65535)),
            Rule("tcp", 100, protocol: 6)),
            FindingSeverity.Error, "shadowed-rule", "trafficRules[1]");
        index = 0;
        // 1..65535 leaves port 0 and the later fragments to the lower rule.
        Assert.Empty(Check(
            Rule("real-ports", 200, protocol: 6, destinationPorts: (1, 65535)),
            Rule("tcp", 100, protocol: 6)));
    }

    [Fact]
    public void A_rule_that_only_counts_shadows_nothing_but_can_be_shadowed()
    {
        index = 0;
        Assert.Empty(Check(
            Rule("count-all", 200, terminal: false),
            Rule("drop-some", 100, destination: "10.1.0.0/16")));
        index = 0;
        VerifyConfigs.Single(Check(
            Rule("drop-all", 200),
            Rule("count-some", 100, destination: "10.1.0.0/16", terminal: false)),
            FindingSeverity.Error, "shadowed-rule", "trafficRules[1]");
    }

    [Fact]
    public void Rules_of_different_scopes_are_not_compared()
    {
        index = 0;
        Assert.Empty(Check(
            Rule("vrf-7", 200, scope: "instance 7"),
            Rule("vrf-8", 100, destination: "10.1.0.0/16", scope: "instance 8")));
    }

    [Fact]
    public void An_address_family_limits_what_a_prefix_free_rule_covers()
    {
        index = 0;
        // 0.0.0.0/0 covers every IPv4 packet, not the IPv6 ones the lower rule also takes.
        Assert.Empty(Check(
            Rule("v4", 200, destination: "0.0.0.0/0"),
            Rule("any", 100)));
        index = 0;
        // 0.0.0.0/0 and ::/0 together cover every packet.
        var findings = Check(
            Rule("v4", 300, destination: "0.0.0.0/0"),
            Rule("v6", 200, source: "::/0"),
            Rule("any", 100, protocol: 17));
        VerifyConfigs.Single(findings, FindingSeverity.Error, "shadowed-rule", "trafficRules[2]");
    }

    [Fact]
    public void Tof_rules_compare_service_ue_and_direction()
    {
        index = 0;
        // Every direction and service of the UE /16 covers the uplink of one service for a UE /24 in it.
        VerifyConfigs.Single(Check(
            Rule("ues", 200, scope: "tof", ue: "10.45.0.0/16"),
            Rule("video-up", 100, scope: "tof", service: "video", ue: "10.45.1.0/24", directions: RuleDirections.Uplink)),
            FindingSeverity.Error, "shadowed-rule", "trafficRules[1]");
        index = 0;
        // Uplink only does not cover both directions; one service does not cover every service.
        Assert.Empty(Check(
            Rule("up", 300, scope: "tof", directions: RuleDirections.Uplink),
            Rule("video", 200, scope: "tof", service: "video"),
            Rule("all", 100, scope: "tof")));
        index = 0;
        // Uplink and downlink together do.
        VerifyConfigs.Single(Check(
            Rule("up", 300, scope: "tof", directions: RuleDirections.Uplink),
            Rule("down", 200, scope: "tof", directions: RuleDirections.Downlink),
            Rule("all", 100, scope: "tof")),
            FindingSeverity.Error, "shadowed-rule", "trafficRules[2]");
    }

    [Fact]
    public void The_ue_prefix_is_the_uplink_source_and_the_downlink_destination()
    {
        index = 0;
        // Uplink packets of UEs 10.45/16 have their source there: a rule on that source covers them.
        VerifyConfigs.Single(Check(
            Rule("from-ues", 200, scope: "tof", source: "10.45.0.0/16", directions: RuleDirections.Uplink),
            Rule("ue-up", 100, scope: "tof", ue: "10.45.3.0/24", directions: RuleDirections.Uplink)),
            FindingSeverity.Error, "shadowed-rule", "trafficRules[1]");
        index = 0;
        // Downlink packets of those UEs have their destination there, not their source.
        Assert.Empty(Check(
            Rule("from-ues", 200, scope: "tof", source: "10.45.0.0/16", directions: RuleDirections.Downlink),
            Rule("ue-down", 100, scope: "tof", ue: "10.45.3.0/24", directions: RuleDirections.Downlink)));
    }

    [Fact]
    public void A_rule_whose_source_and_destination_differ_in_family_never_matches()
    {
        index = 0;
        var finding = VerifyConfigs.Single(Check(Rule("mixed", 100, source: "10.0.0.0/8", destination: "2001:db8::/32")),
            FindingSeverity.Error, "rule-never-matches", "trafficRules[0]");
        Assert.Contains("IPv4", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_icmp_rule_with_ports_never_matches()
    {
        index = 0;
        VerifyConfigs.Single(Check(Rule("ping-443", 100, protocol: 1, destinationPorts: (443, 443))),
            FindingSeverity.Error, "rule-never-matches", "trafficRules[0]");
        index = 0;
        VerifyConfigs.Single(Check(Rule("ping6-443", 100, protocol: 58, destinationPorts: (443, 443))),
            FindingSeverity.Error, "rule-never-matches", "trafficRules[0]");
    }

    [Fact]
    public void An_uplink_rule_whose_ue_is_outside_its_source_never_matches()
    {
        index = 0;
        VerifyConfigs.Single(Check(Rule("odd", 100, scope: "tof", source: "10.1.0.0/16", ue: "10.45.0.0/16", directions: RuleDirections.Uplink)),
            FindingSeverity.Error, "rule-never-matches", "trafficRules[0]");
    }

    [Fact]
    public void A_rule_that_never_matches_shadows_nothing()
    {
        index = 0;
        var findings = Check(
            Rule("mixed", 200, source: "0.0.0.0/0", destination: "::/0"),
            Rule("v4", 100, destination: "10.0.0.0/8"));

        VerifyConfigs.Single(findings, FindingSeverity.Error, "rule-never-matches", "trafficRules[0]");
    }
}
