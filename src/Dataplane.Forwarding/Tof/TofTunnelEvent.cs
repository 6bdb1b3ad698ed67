using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Tof;

/// <summary>A tunnel change seen by a worker (a new UE address or TEID seen is an event), for the control socket and the log.</summary>
public readonly record struct TofTunnelEvent(TofTunnelEventKind Kind, Ipv4Address Ue, TofDirection Direction, Ipv4Address Source,
    Ipv4Address Destination, uint Teid)
{
    public override string ToString() =>
        $"tof: UE {Ue} {Kind.ToString().ToLowerInvariant()} {Direction.ToString().ToLowerInvariant()} {Source} -> {Destination} TEID 0x{Teid:x}";
}
