using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Routing;

/// <summary>Everything needed to put a frame on the wire toward a destination: the port, the two MACs, and the port's MTU.</summary>
public readonly record struct Adjacency(ushort Port, MacAddress SourceMac, MacAddress DestinationMac, int Mtu);
