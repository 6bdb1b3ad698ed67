using Dataplane.Control.Metrics;
using Dataplane.Forwarding.Rules;

namespace Dataplane.Control.Rules;

/// <summary>
/// The traffic rules' control-thread chore, once a second: compiles the rule set again when the TOF's services
/// changed (a rule's service or offload target moved), and publishes each rule's counters on /metrics:
/// <c>dataplane_traffic_rule_packets_total{rule}</c>, <c>dataplane_traffic_rule_bytes_total{rule}</c> (matched),
/// <c>dataplane_traffic_rule_policer_drops_total{rule}</c> (over its rate limit).
/// The families are registered once the first rule exists, so a daemon that never had one shows none.
/// </summary>
public sealed class TrafficRuleMetrics(TrafficRuleTable table, ControlPlaneMetrics metrics) : PeriodicMetricsPublisher
{
    private MetricFamily? packets;
    private MetricFamily? bytes;
    private MetricFamily? policerDrops;

    protected override void Publish()
    {
        table.Refresh();
        var rules = table.All;
        if (rules.Count == 0 && packets is null)
        {
            return;
        }

        packets ??= metrics.Counter("dataplane_traffic_rule_packets_total", "Packets a traffic rule matched", "rule");
        bytes ??= metrics.Counter("dataplane_traffic_rule_bytes_total", "Bytes of the IP packets a traffic rule matched", "rule");
        policerDrops ??= metrics.Counter("dataplane_traffic_rule_policer_drops_total", "Packets dropped over a traffic rule's rate limit", "rule");
        foreach (var rule in rules)
        {
            packets.Set(rule.Packets, rule.Name);
            bytes.Set(rule.Bytes, rule.Name);
            policerDrops.Set(rule.PolicerDrops, rule.Name);
        }
    }
}
