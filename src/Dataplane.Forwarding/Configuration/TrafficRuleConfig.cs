using System.Text.Json;

namespace Dataplane.Forwarding.Configuration;

/// <summary>
/// One traffic rule as the configuration's <c>trafficRules</c> array, the control socket's rule.add and the REST API's
/// /rule spell it (docs/configuration/traffic-rules.md). Values are checked by <see cref="TrafficRuleConfigReader"/>,
/// which names the offending field as a JSON path.
/// </summary>
public sealed record TrafficRuleConfig
{
    /// <summary>Unique, 1..64 of [A-Za-z0-9._-].</summary>
    public string? Name { get; init; }

    /// <summary>1..65535; higher is matched first; unique within a scope.</summary>
    public int? Priority { get; init; }

    /// <summary>"tof" or "instance".</summary>
    public string? Scope { get; init; }

    /// <summary>Scope instance: the instance ID (VRF) of the native packets matched.</summary>
    public uint? InstanceId { get; init; }

    /// <summary>Scope instance, instead of <see cref="InstanceId"/>: an L3 VNI of the VXLAN configuration, resolved to its instance.</summary>
    public uint? Vni { get; init; }

    /// <summary>Scope tof: only traffic to or from this registered service.</summary>
    public string? Service { get; init; }

    /// <summary>Scope tof: UE addresses (the inner source uplink, the inner destination downlink).</summary>
    public string? Ue { get; init; }

    /// <summary>Scope tof: "uplink", "downlink" or "both" (the default).</summary>
    public string? Direction { get; init; }

    public TrafficRuleMatchConfig? Match { get; init; }

    public TrafficRuleActionsConfig? Actions { get; init; }
}

/// <summary>What a rule matches; every field optional, absent = any.</summary>
public sealed record TrafficRuleMatchConfig
{
    /// <summary>An IPv4 or IPv6 prefix (a bare address is a host prefix).</summary>
    public string? Source { get; init; }

    public string? Destination { get; init; }

    /// <summary>"tcp", "udp", "icmp", "icmpv6" or a number 0..255.</summary>
    public JsonElement? Protocol { get; init; }

    /// <summary>A port or an inclusive range "low-high" (a string, or a number for one port).</summary>
    public JsonElement? SourcePorts { get; init; }

    public JsonElement? DestinationPorts { get; init; }

    /// <summary>0..63.</summary>
    public int? Dscp { get; init; }
}

/// <summary>What a rule does; at least one action.</summary>
public sealed record TrafficRuleActionsConfig
{
    /// <summary>Scope tof: offload the flow to this registered service.</summary>
    public string? Offload { get; init; }

    public TrafficRateLimitConfig? RateLimit { get; init; }

    /// <summary>0..63: the DSCP written into matching packets (ECN kept).</summary>
    public int? MarkDscp { get; init; }

    public bool? Drop { get; init; }

    /// <summary>Counting alone: the packet goes on as if no rule held it.</summary>
    public bool? Count { get; init; }

    /// <summary>Scope instance: put the packet on this NSH service path (SPI 1..16777215; docs/configuration/nsh.md).</summary>
    public long? ServicePath { get; init; }
}

/// <summary>A token-bucket policer: a packet rate and/or a bit rate, each with its burst.</summary>
public sealed record TrafficRateLimitConfig
{
    public long? PacketsPerSecond { get; init; }

    public long? BitsPerSecond { get; init; }

    public long? BurstPackets { get; init; }

    public long? BurstBytes { get; init; }

    /// <summary>"rule" (one bucket for the rule) or "ue" (one bucket per UE address).</summary>
    public string? Per { get; init; }
}

/// <summary>Limits of the traffic rules (top-level <c>trafficRuleLimits</c>); the defaults when absent.</summary>
public sealed record TrafficRuleLimitsConfig
{
    /// <summary>Rules at most, configuration and control socket together.</summary>
    public int MaxRules { get; init; } = 4096;

    /// <summary>UEs with a bucket of their own per rule with a per-UE rate limit; more share one overflow bucket.</summary>
    public int UesPerRule { get; init; } = 65_536;
}
