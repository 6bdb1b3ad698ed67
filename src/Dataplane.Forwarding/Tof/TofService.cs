using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Tof;

/// <summary>
/// A registered edge service (the seed's REST body): uplink traffic from UEs to <see cref="ServiceIp"/> is offloaded
/// to the edge application at <see cref="ApplicationIp"/> (destination NAT), and its replies go back to the UE as if
/// they came from the service.
/// </summary>
public sealed record TofService(string Name, Ipv4Address ServiceIp, Ipv4Address ApplicationIp);
