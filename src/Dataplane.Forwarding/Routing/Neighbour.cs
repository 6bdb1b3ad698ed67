using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Routing;

/// <summary>A next hop's link-layer address and the port it is reached on (an ARP / ND cache entry, or a static one).</summary>
public readonly record struct Neighbour(MacAddress Mac, ushort Port);
