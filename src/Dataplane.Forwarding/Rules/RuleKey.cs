using System.Runtime.CompilerServices;

namespace Dataplane.Forwarding.Rules;

/// <summary>
/// The fields a packet is classified by: addresses widened to 128 bits (IPv4 in the low 32), protocol, the transport
/// ports (0 when the packet has none: not TCP or UDP, or a fragment after the first), and the DSCP.
/// </summary>
public struct RuleKey
{
    public UInt128 Source;
    public UInt128 Destination;
    public ushort SourcePort;
    public ushort DestinationPort;
    public byte Protocol;
    public byte Dscp;

    /// <summary>Field <paramref name="field"/> (<see cref="RuleField"/>) as the classifier compares it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly UInt128 Field(int field) => field switch
    {
        RuleField.Source => Source,
        RuleField.Destination => Destination,
        RuleField.Protocol => Protocol,
        RuleField.SourcePort => SourcePort,
        RuleField.DestinationPort => DestinationPort,
        _ => Dscp,
    };

    /// <summary>Protocol, ports and DSCP in one word (the flow cache's key beside the addresses).</summary>
    public readonly ulong PackedRest => ((ulong)Protocol << 40) | ((ulong)SourcePort << 24) | ((ulong)DestinationPort << 8) | Dscp;
}

/// <summary>The classification fields, in <see cref="RuleKey.Field"/>'s numbering.</summary>
public static class RuleField
{
    public const int Source = 0;
    public const int Destination = 1;
    public const int Protocol = 2;
    public const int SourcePort = 3;
    public const int DestinationPort = 4;
    public const int Dscp = 5;
    public const int Count = 6;

    /// <summary>The whole range of each field.</summary>
    public static FieldRange Any(int field, bool v6) => field switch
    {
        Source or Destination => new FieldRange(UInt128.Zero, v6 ? UInt128.MaxValue : uint.MaxValue),
        Protocol => new FieldRange(0, 255),
        SourcePort or DestinationPort => new FieldRange(0, 65_535),
        _ => new FieldRange(0, 63),
    };
}
