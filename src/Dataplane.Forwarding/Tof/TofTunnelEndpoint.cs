using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Tof;

/// <summary>
/// One direction of a learned GTP-U tunnel, as the G-PDUs carry it: outer source, outer destination and TEID
/// (uplink: eNB -> SGW with the SGW's TEID; downlink: SGW -> eNB with the eNB's TEID). Immutable, so a worker swaps
/// a whole direction in one reference write and readers never see half of a handover.
/// </summary>
public sealed record TofTunnelEndpoint(Ipv4Address Source, Ipv4Address Destination, uint Teid)
{
    public bool Matches(Ipv4Address source, Ipv4Address destination, uint teid) =>
        Teid == teid && Source.Value == source.Value && Destination.Value == destination.Value; // every G-PDU asks: as 32-bit compares
}
