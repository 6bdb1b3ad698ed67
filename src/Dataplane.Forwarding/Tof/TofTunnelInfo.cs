using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Tof;

/// <summary>
/// One learned tunnel as GET /tunnel lists it: the UE, both directions (null when not learned), the QFI (null when
/// the uplink carries no PDU Session Container), seconds since it was last seen, and the packets per direction.
/// An IPv6 UE is listed by its /64 prefix (<see cref="TofTunnel.UeAddress"/>).
/// </summary>
public sealed record TofTunnelInfo(
    IpAddress UeAddress,
    TofTunnelEndpoint? Uplink,
    TofTunnelEndpoint? Downlink,
    byte? Qfi,
    double IdleSeconds,
    long UplinkPackets,
    long DownlinkPackets);
