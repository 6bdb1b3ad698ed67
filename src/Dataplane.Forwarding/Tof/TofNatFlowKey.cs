using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Tof;

/// <summary>
/// An offloaded flow as the application sees it: UE address and port, application address and port, IP protocol.
/// The uplink builds it after the destination NAT, the reply from its reversed addresses, so both find one entry.
/// ICMP echo uses the identifier as both ports.
/// </summary>
public readonly record struct TofNatFlowKey(Ipv4Address Ue, ushort UePort, Ipv4Address Application, ushort ApplicationPort, byte Protocol);
