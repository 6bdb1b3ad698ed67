using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Tof;

/// <summary>
/// A registered edge service (the seed's REST body): uplink traffic from UEs to <see cref="ServiceIp"/> is offloaded
/// to the edge application at <see cref="ApplicationIp"/> (destination NAT), and its replies go back to the UE as if
/// they came from the service. Both addresses are of one family: an IPv4 service serves IPv4 UEs, an IPv6 service
/// IPv6 UEs (a dual-stack UE reaches both kinds).
/// </summary>
public sealed record TofService(string Name, IpAddress ServiceIp, IpAddress ApplicationIp)
{
    /// <summary>The service address of an IPv4 service, as the per-packet code compares and writes it (0 for IPv6).</summary>
    public Ipv4Address ServiceIpv4 { get; } = ServiceIp.IsV4 ? ServiceIp.AsV4() : default;

    /// <summary>The application address of an IPv4 service (0 for IPv6).</summary>
    public Ipv4Address ApplicationIpv4 { get; } = ApplicationIp.IsV4 ? ApplicationIp.AsV4() : default;
}
