using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Lisp;

/// <summary>
/// What the ITR decided for one packet: the outer addresses, the LISP header fields and the next-hop MACs. The
/// destination port is 4341 but toward an xTR behind a NAT, whose translated port an RTR sends to.
/// </summary>
public readonly record struct LispEncapsulation(
    MacAddress SourceMac,
    MacAddress DestinationMac,
    Ipv4Address OuterSource,
    Ipv4Address OuterDestination,
    uint InstanceId,
    uint Nonce,
    ushort SourcePort,
    bool DontFragment,
    ushort DestinationPort = Dataplane.Wire.Tunnels.TunnelPorts.LispData);
