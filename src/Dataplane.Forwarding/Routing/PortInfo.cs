using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Routing;

/// <summary>
/// One port as the pipeline sees it: its number (the descriptor's ingress/egress port), its MAC (the source of
/// frames we send), its MTU (the IP packet size it carries, as on Linux), the instance ID / VRF of packets that
/// arrive on it, and the addresses the data plane owns on it (RLOCs, VTEP and tunnel endpoints).
/// </summary>
public sealed record PortInfo(ushort Id, string Name, MacAddress Mac, int Mtu, uint InstanceId, IReadOnlyList<IpAddress> Addresses)
{
    public const int DefaultMtu = 1500;
}
