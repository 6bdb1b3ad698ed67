using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Tof;

/// <summary>
/// A tunnel change seen by a worker (a new UE address or TEID seen is an event), for the control socket and the log.
/// <see cref="Ue"/> is an IPv6 UE's /64 prefix.
/// </summary>
public readonly record struct TofTunnelEvent(TofTunnelEventKind Kind, IpAddress Ue, TofDirection Direction, IpAddress Source,
    IpAddress Destination, uint Teid)
{
    public override string ToString() =>
        $"tof: UE {Ue}{(Ue.IsV6 ? "/64" : "")} {Kind.ToString().ToLowerInvariant()} {Direction.ToString().ToLowerInvariant()} {Source} -> {Destination} TEID 0x{Teid:x}";
}
