using Dataplane.Forwarding.Rules;

namespace Dataplane.Control.Verification;

/// <summary>The analysis' view (<see cref="RuleFacts"/>) of the traffic rules the plane holds (<see cref="TrafficRule"/>).</summary>
public static class TrafficRuleFacts
{
    public static RuleFacts From(TrafficRule rule, string path)
    {
        ArgumentNullException.ThrowIfNull(rule);
        bool tof = rule.Scope == TrafficRuleScope.Tof;
        var match = rule.Match;
        var actions = rule.Actions;
        // Counting alone: the packet goes on to the next matching rule.
        bool countOnly = actions.Offload is null && actions.RateLimit is null && actions.MarkDscp is null && !actions.Drop;
        return new RuleFacts
        {
            Name = rule.Name,
            Path = path,
            Priority = rule.Priority,
            Scope = tof ? "tof" : $"instance {rule.InstanceId}",
            IsTof = tof,
            Service = tof ? rule.Service : null,
            Ue = tof && rule.Ue is { } ue ? new RulePrefix(ue.Address, ue.Length) : null,
            Directions = !tof ? RuleDirections.None
                : (rule.Direction.HasFlag(TrafficDirections.Uplink) ? RuleDirections.Uplink : RuleDirections.None)
                  | (rule.Direction.HasFlag(TrafficDirections.Downlink) ? RuleDirections.Downlink : RuleDirections.None),
            Source = match.Source is { } source ? new RulePrefix(source.Address, source.Length) : null,
            Destination = match.Destination is { } destination ? new RulePrefix(destination.Address, destination.Length) : null,
            Protocol = match.Protocol,
            SourcePorts = match.SourcePorts is { } sp ? new ValueRange(sp.Low, sp.High) : null,
            DestinationPorts = match.DestinationPorts is { } dp ? new ValueRange(dp.Low, dp.High) : null,
            Dscp = match.Dscp,
            Terminal = !countOnly,
        };
    }
}
