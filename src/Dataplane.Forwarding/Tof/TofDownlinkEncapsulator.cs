using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.GtpU;
using Dataplane.Forwarding.Routing;

namespace Dataplane.Forwarding.Tof;

/// <summary>
/// Puts an application's (already NATed) reply into a UE's learned downlink tunnel, in the headroom, as the SGW would
/// have sent it: Ethernet / IPv4 from the SGW's address to the eNB's (TTL 64, identification 0, no flags) / UDP
/// 2152 -> 2152 (checksum 0, RFC 768) / GTP-U G-PDU with the eNB's TEID (TS 29.281 section 5.1), plus a PDU
/// Session Container with DL PDU SESSION INFORMATION and the UE's QFI when its uplink carried one (TS 38.415
/// section 5.5.2.1). The inner packet is not copied.
/// </summary>
internal static class TofDownlinkEncapsulator
{
    public static DropReason TryEncapsulate(ref PacketDescriptor packet, int l3, int innerLength, TofTunnelEndpoint downlink, int qfi,
        in Adjacency adjacency) =>
        GtpUEncapsulator.TryFrame(ref packet, l3, innerLength, downlink.Source, downlink.Destination, downlink.Teid,
            qfi == TofTunnel.NoQfi ? null : (byte)qfi, in adjacency);
}
