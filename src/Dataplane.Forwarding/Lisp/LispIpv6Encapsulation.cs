using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Lisp;

/// <summary>What the ITR decided for one packet sent over an IPv6 underlay: outer addresses, LISP header fields, next-hop MACs.</summary>
public readonly record struct LispIpv6Encapsulation(
    MacAddress SourceMac,
    MacAddress DestinationMac,
    Ipv6Address OuterSource,
    Ipv6Address OuterDestination,
    uint InstanceId,
    uint Nonce,
    ushort SourcePort);
