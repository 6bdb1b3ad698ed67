using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Routing;

/// <summary>
/// A FIB route: packets to <see cref="Prefix"/> (instance ID and prefix) leave on <see cref="Port"/> toward
/// <see cref="NextHop"/>, or, for a connected route (no next hop), toward the destination address itself.
/// </summary>
public sealed record Route(EidPrefix Prefix, IpAddress? NextHop, ushort Port)
{
    /// <summary>The next hop's link-layer binding, attached by the <see cref="Fib"/> when the route is installed; null for a connected route.</summary>
    public NextHopBinding? Binding { get; internal init; }

    /// <summary>The address whose MAC the frame goes to.</summary>
    public IpAddress NextHopFor(IpAddress destination) => NextHop ?? destination;
}
