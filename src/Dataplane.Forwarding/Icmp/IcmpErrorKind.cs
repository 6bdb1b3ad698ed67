namespace Dataplane.Forwarding.Icmp;

/// <summary>The errors a forwarding stage sends about a packet it cannot forward.</summary>
public enum IcmpErrorKind : byte
{
    /// <summary>The TTL / hop limit would reach 0: ICMPv4 type 11 code 0, ICMPv6 type 3 code 0.</summary>
    TimeExceeded,

    /// <summary>No route to the destination: ICMPv4 type 3 code 0 (net unreachable), ICMPv6 type 1 code 0 (no route).</summary>
    NoRoute,
}
