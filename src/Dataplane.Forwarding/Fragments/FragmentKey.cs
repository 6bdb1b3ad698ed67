namespace Dataplane.Forwarding.Fragments;

/// <summary>
/// What makes fragments parts of one datagram: source, destination, identification and, for IPv4, the protocol
/// (RFC 791 section 3.2; RFC 8200 section 4.5 leaves the protocol out, it is 0 here), within one instance, so two
/// VRFs with overlapping addresses never mix their fragments.
/// </summary>
public readonly record struct FragmentKey(UInt128 Source, UInt128 Destination, uint Identification, byte Protocol, bool IsIpv6, uint InstanceId);
