using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Tof.Clusters;

/// <summary>
/// One instance of a service's application cluster: its address (of the service's family), its share of new flows
/// (<see cref="Weight"/> against the other instances' weights), and whether it is draining (no new flows; the flows it
/// carries stay until they idle out or an explicit drain moves them).
/// </summary>
public sealed record TofApplication(IpAddress Ip, int Weight = 1, bool Drain = false)
{
    /// <summary>Instances one service may have (an instance index fits the balancing table's byte).</summary>
    public const int MaxInstances = 64;

    /// <summary>The largest weight: 1..1000 keeps the balancing table's rounding under a thousandth of any share.</summary>
    public const int MaxWeight = 1000;

    /// <summary>The address of an IPv4 instance, as the per-packet code writes it (0 for IPv6).</summary>
    public Ipv4Address Ipv4 { get; } = Ip.IsV4 ? Ip.AsV4() : default;
}
