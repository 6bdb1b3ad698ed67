using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Lisp;

/// <summary>What the ITR decided for one packet: the outer addresses, the LISP header fields and the next-hop MACs.</summary>
public readonly record struct LispEncapsulation(
    MacAddress SourceMac,
    MacAddress DestinationMac,
    Ipv4Address OuterSource,
    Ipv4Address OuterDestination,
    uint InstanceId,
    uint Nonce,
    ushort SourcePort,
    bool DontFragment);
