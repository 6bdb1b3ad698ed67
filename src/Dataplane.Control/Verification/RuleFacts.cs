using Dataplane.Wire.Addresses;

namespace Dataplane.Control.Verification;

/// <summary>An inclusive range of values of one packet field (an address widened to 128 bits, a port, a protocol).</summary>
public readonly record struct ValueRange(UInt128 Low, UInt128 High)
{
    public bool IsEmpty => Low > High;

    public bool Contains(ValueRange other) => other.Low >= Low && other.High <= High;

    public ValueRange Intersect(ValueRange other) => new(UInt128.Max(Low, other.Low), UInt128.Min(High, other.High));

    public static ValueRange Single(UInt128 value) => new(value, value);

    /// <summary>The addresses of a prefix.</summary>
    public static ValueRange Of(IpAddress address, int length) => address.IsV4
        ? new(address.Value, address.Value | (uint)~IpAddress.V4Mask(length))
        : new(address.Value, address.Value | ~IpAddress.V6Mask(length));
}

/// <summary>An address prefix of a rule ("10.1.0.0/16"); <see cref="Range"/> is its addresses.</summary>
public readonly record struct RulePrefix(IpAddress Address, int Length)
{
    public IpFamily Family => Address.Family;

    public ValueRange Range => ValueRange.Of(Address, Length);

    public override string ToString() => $"{Address}/{Length}";
}

/// <summary>The directions a TOF rule applies in; instance rules have none (<see cref="None"/>).</summary>
[Flags]
public enum RuleDirections : byte
{
    None = 0,
    Uplink = 1,
    Downlink = 2,
    Both = Uplink | Downlink,
}

/// <summary>
/// What the analysis needs of one traffic rule, whatever model it came from: where it applies (<see cref="Scope"/>,
/// and for TOF rules the service, UE prefix and direction), what it matches (absent = any), and whether a packet it
/// matches stops there (<see cref="Terminal"/>: every action but counting alone, after which the packet goes on to the
/// next matching rule as if no rule held it). <see cref="Path"/> names it in findings (<c>trafficRules[3]</c>,
/// <c>state:rule[video-cap]</c>).
/// </summary>
public sealed record RuleFacts
{
    public required string Name { get; init; }

    public required string Path { get; init; }

    public required int Priority { get; init; }

    /// <summary>Rules are compared only with rules of the same scope: "tof", or "instance 7".</summary>
    public required string Scope { get; init; }

    public bool IsTof { get; init; }

    public string? Service { get; init; }

    public RulePrefix? Ue { get; init; }

    public RuleDirections Directions { get; init; } = RuleDirections.None;

    public RulePrefix? Source { get; init; }

    public RulePrefix? Destination { get; init; }

    public byte? Protocol { get; init; }

    public ValueRange? SourcePorts { get; init; }

    public ValueRange? DestinationPorts { get; init; }

    public byte? Dscp { get; init; }

    /// <summary>False for a rule that only counts: it shadows nothing, though it can be shadowed.</summary>
    public bool Terminal { get; init; } = true;
}
