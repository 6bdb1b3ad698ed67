using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Rules;

/// <summary>Where a rule applies.</summary>
public enum TrafficRuleScope : byte
{
    /// <summary>User traffic on the TOF: the inner packet of S1-U / N3 G-PDUs, and the applications' replies.</summary>
    Tof,

    /// <summary>Native IPv4 / IPv6 packets of one instance (VRF), after decapsulation and before encapsulation or routing.</summary>
    Instance,
}

/// <summary>The directions a TOF rule applies in.</summary>
[Flags]
public enum TrafficDirections : byte
{
    Uplink = 1,
    Downlink = 2,
    Both = Uplink | Downlink,
}

/// <summary>An inclusive range of one classification field (addresses widened to 128 bits, ports, protocol, DSCP).</summary>
public readonly record struct FieldRange(UInt128 Low, UInt128 High)
{
    public bool Contains(UInt128 value) => value >= Low && value <= High;

    public bool IsEmpty => Low > High;

    /// <summary>The values in both ranges (empty when they do not overlap).</summary>
    public FieldRange Intersect(FieldRange other) => new(Low > other.Low ? Low : other.Low, High < other.High ? High : other.High);

    public static FieldRange Of(IpPrefix prefix) => new(prefix.First, prefix.Last);
}

/// <summary>An IPv4 or IPv6 prefix, host bits zero.</summary>
public readonly record struct IpPrefix(IpAddress Address, byte Length)
{
    public IpFamily Family => Address.Family;

    /// <summary>The lowest address, as the 128-bit value the classifier compares (an IPv4 address in the low 32 bits).</summary>
    public UInt128 First => Address.Value;

    public UInt128 Last => Address.IsV4
        ? Address.Value | (uint)~IpAddress.V4Mask(Length)
        : Address.Value | ~IpAddress.V6Mask(Length);

    public bool Contains(IpAddress address) => address.Family == Family && address.Value >= First && address.Value <= Last;

    public override string ToString() => $"{Address}/{Length}";
}

/// <summary>What a rule matches besides its scope: absent fields match anything.</summary>
public sealed record TrafficRuleMatch
{
    public IpPrefix? Source { get; init; }

    public IpPrefix? Destination { get; init; }

    public byte? Protocol { get; init; }

    public FieldRange? SourcePorts { get; init; }

    public FieldRange? DestinationPorts { get; init; }

    public byte? Dscp { get; init; }

    /// <summary>The address family the prefixes tie the rule to; null when it has none (it then matches both).</summary>
    public IpFamily? Family => Source?.Family ?? Destination?.Family;
}

/// <summary>Whose packets share one token bucket.</summary>
public enum PolicerScope : byte
{
    Rule,
    Ue,
}

/// <summary>A token-bucket policer: a packet rate and/or a bit rate (0 = not limited), each with its burst.</summary>
public sealed record TrafficRateLimit(long PacketsPerSecond, long BitsPerSecond, long BurstPackets, long BurstBytes, PolicerScope Per);

/// <summary>What a matching packet has done to it. Several may combine (mark and police ...).</summary>
public sealed record TrafficRuleActions
{
    /// <summary>Scope tof: the registered service the flow is offloaded to.</summary>
    public string? Offload { get; init; }

    public TrafficRateLimit? RateLimit { get; init; }

    public byte? MarkDscp { get; init; }

    public bool Drop { get; init; }

    public bool Count { get; init; }

    /// <summary>Scope instance: the NSH service path (SPI) the packet is put on (docs/configuration/nsh.md).</summary>
    public uint? ServicePath { get; init; }
}

/// <summary>
/// One checked traffic rule (docs/configuration/traffic-rules.md). Rules of one scope are matched by
/// <see cref="Priority"/>, highest first; the first match holds the packet. <see cref="InstanceId"/> is set for scope
/// instance (resolved from <see cref="Vni"/> when the rule named a VNI).
/// </summary>
public sealed record TrafficRule
{
    public required string Name { get; init; }

    public required ushort Priority { get; init; }

    public required TrafficRuleScope Scope { get; init; }

    /// <summary>Scope instance: the instance matched (resolved from <see cref="Vni"/> when that was given).</summary>
    public uint InstanceId { get; init; }

    /// <summary>Scope instance: the L3 VNI the rule was given by, if any.</summary>
    public uint? Vni { get; init; }

    /// <summary>Scope tof: only traffic to or from this service.</summary>
    public string? Service { get; init; }

    /// <summary>Scope tof: UE addresses.</summary>
    public IpPrefix? Ue { get; init; }

    public TrafficDirections Direction { get; init; } = TrafficDirections.Both;

    public TrafficRuleMatch Match { get; init; } = new();

    public required TrafficRuleActions Actions { get; init; }
}
