using System.ComponentModel;
using System.Text.Json.Serialization;

namespace Dataplane.Control.Rest;

// The shapes of /rule's bodies, for the generated OpenAPI document only: the handlers read and write JSON through
// ControlMethods (rule.*), which check every field (docs/configuration/traffic-rules.md says what each means).

/// <summary>A traffic rule, as rule.add and the configuration's trafficRules take it.</summary>
[Description("A traffic rule: match by priority (highest first) within a scope, then offload, rate-limit, mark, drop or count. Unknown fields are refused.")]
public sealed record RuleDocument(
    [property: JsonPropertyName("name"), Description("1..64 letters, digits, '.', '_' or '-'; unique")] string Name,
    [property: JsonPropertyName("priority"), Description("1..65535, higher is matched first; unique within a scope")] int Priority,
    [property: JsonPropertyName("scope"), Description("\"tof\" or \"instance\"")] string Scope,
    [property: JsonPropertyName("actions"), Description("At least one")] RuleActionsDocument Actions,
    [property: JsonPropertyName("instanceId"), Description("Scope instance: the instance (VRF) matched")] uint? InstanceId = null,
    [property: JsonPropertyName("vni"), Description("Scope instance, instead of instanceId: an L3 VNI of the configuration")] uint? Vni = null,
    [property: JsonPropertyName("service"), Description("Scope tof: only traffic to or from this registered service")] string? Service = null,
    [property: JsonPropertyName("ue"), Description("Scope tof: UE prefix")] string? Ue = null,
    [property: JsonPropertyName("direction"), Description("Scope tof: uplink, downlink or both (default)")] string? Direction = null,
    [property: JsonPropertyName("match"), Description("Every field optional; absent = any")] RuleMatchDocument? Match = null);

/// <summary>What a rule matches.</summary>
public sealed record RuleMatchDocument(
    [property: JsonPropertyName("source"), Description("IPv4 or IPv6 prefix")] string? Source = null,
    [property: JsonPropertyName("destination"), Description("IPv4 or IPv6 prefix, of the source's family")] string? Destination = null,
    [property: JsonPropertyName("protocol"), Description("tcp, udp, icmp, icmpv6 or 0..255")] string? Protocol = null,
    [property: JsonPropertyName("sourcePorts"), Description("A port or an inclusive range low-high (needs tcp or udp)")] string? SourcePorts = null,
    [property: JsonPropertyName("destinationPorts"), Description("A port or an inclusive range low-high (needs tcp or udp)")] string? DestinationPorts = null,
    [property: JsonPropertyName("dscp"), Description("0..63")] int? Dscp = null);

/// <summary>What a rule does.</summary>
public sealed record RuleActionsDocument(
    [property: JsonPropertyName("offload"), Description("Scope tof: offload the flow to this registered service")] string? Offload = null,
    [property: JsonPropertyName("rateLimit"), Description("A token-bucket policer")] RuleRateLimitDocument? RateLimit = null,
    [property: JsonPropertyName("markDscp"), Description("0..63, written into the packet (ECN kept)")] int? MarkDscp = null,
    [property: JsonPropertyName("drop"), Description("Drop the packet (with no other action than count)")] bool? Drop = null,
    [property: JsonPropertyName("count"), Description("Count only: the packet goes on as if no rule held it")] bool? Count = null,
    [property: JsonPropertyName("servicePath"), Description("Scope instance: put the packet on this NSH service path (SPI)")] long? ServicePath = null);

/// <summary>A rule's rate limit.</summary>
public sealed record RuleRateLimitDocument(
    [property: JsonPropertyName("packetsPerSecond")] long? PacketsPerSecond = null,
    [property: JsonPropertyName("bitsPerSecond")] long? BitsPerSecond = null,
    [property: JsonPropertyName("burstPackets")] long? BurstPackets = null,
    [property: JsonPropertyName("burstBytes")] long? BurstBytes = null,
    [property: JsonPropertyName("per"), Description("\"rule\" (default) or \"ue\"")] string? Per = null);

/// <summary>A rule with its counters, as GET /rule lists it.</summary>
[Description("A traffic rule with its counters")]
public sealed record ListedRuleDocument(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("priority")] int Priority,
    [property: JsonPropertyName("scope")] string Scope,
    [property: JsonPropertyName("actions")] RuleActionsDocument Actions,
    [property: JsonPropertyName("counters")] RuleCountersDocument Counters,
    [property: JsonPropertyName("instanceId")] uint? InstanceId = null,
    [property: JsonPropertyName("vni")] uint? Vni = null,
    [property: JsonPropertyName("service")] string? Service = null,
    [property: JsonPropertyName("ue")] string? Ue = null,
    [property: JsonPropertyName("direction")] string? Direction = null,
    [property: JsonPropertyName("match")] RuleMatchDocument? Match = null);

/// <summary>A rule's counters, summed over the workers.</summary>
public sealed record RuleCountersDocument(
    [property: JsonPropertyName("packets"), Description("Packets matched")] long Packets,
    [property: JsonPropertyName("bytes"), Description("Bytes of the IP packets matched")] long Bytes,
    [property: JsonPropertyName("drops"), Description("Dropped by the drop action")] long Drops,
    [property: JsonPropertyName("policerDrops"), Description("Dropped over the rate limit")] long PolicerDrops,
    [property: JsonPropertyName("ueOverflows"), Description("Per-UE policers: packets of UEs policed by the shared overflow bucket")] long? UeOverflows = null);
