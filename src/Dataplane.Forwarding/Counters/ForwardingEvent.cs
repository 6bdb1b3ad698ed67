namespace Dataplane.Forwarding.Counters;

/// <summary>
/// Things stages did that are not the packet's final fate but that an operator wants counted per stage:
/// encapsulations, decapsulations, replies generated, entries learned. Counted per worker like drops.
/// </summary>
public enum ForwardingEvent : byte
{
    None = 0,

    /// <summary>Native packets forwarded by the routing stage (TTL/hop limit decremented, Ethernet rewritten).</summary>
    Routed,

    ArpReplied,
    NeighbourAdvertised,

    /// <summary>A packet with no neighbour for its next hop became an ARP request / neighbour solicitation for it.</summary>
    NeighbourRequestSent,

    /// <summary>ARP replies and neighbour advertisements handed to the control plane, which learns the sender's MAC.</summary>
    NeighbourReplyPunted,

    // LISP stages (ITR/ETR/PxTR/RTR) add their events here.

    /// <summary>ITR/PITR/RTR: a packet left inside a LISP tunnel (counted for re-encapsulations too).</summary>
    LispEncapsulated,

    /// <summary>RTR: a packet that came out of a LISP tunnel was encapsulated again.</summary>
    LispReencapsulated,

    /// <summary>ITR: no map-cache entry for the destination; punted so the control plane sends a Map-Request.</summary>
    MapCacheMissPunted,

    /// <summary>ITR: the map-cache entry had expired; punted so the control plane refreshes it.</summary>
    MapCacheExpiredPunted,

    /// <summary>ITR: a negative entry with action send-map-request; punted.</summary>
    NegativeEntryMapRequestPunted,

    /// <summary>ITR: a negative entry with action native-forward or no-action; left to native routing.</summary>
    NegativeEntryNativelyForwarded,

    /// <summary>ITR: a packet too big for the tunnel was turned into ICMP fragmentation-needed / packet-too-big.</summary>
    IcmpTooBigSent,

    /// <summary>LISP data packets to one of our RLOCs stripped to their inner packet (ETR/PETR/RTR).</summary>
    LispDecapsulated,

    /// <summary>LISP control messages (UDP 4342) to one of our addresses handed to the control plane.</summary>
    LispControlPunted,

    /// <summary>LISP control messages not addressed to us that reached the control stage (a batch classified by port alone), left to native routing; the classifier makes transit ones plain IP before.</summary>
    LispControlRouted,

    // VXLAN VTEP stage adds its events here.

    /// <summary>Frames or packets put into VXLAN (RFC 7348) toward a remote VTEP.</summary>
    VxlanEncapsulated,

    /// <summary>Packets put into VXLAN-GPE toward a remote VTEP.</summary>
    VxlanGpeEncapsulated,

    /// <summary>VXLAN packets whose tunnel we stripped (L2: inner frame sent on an access port; L3: handed to routing).</summary>
    VxlanDecapsulated,

    /// <summary>VXLAN-GPE packets whose tunnel we stripped.</summary>
    VxlanGpeDecapsulated,

    /// <summary>Frames bridged between two access ports of one bridge domain, without a tunnel.</summary>
    VxlanBridgedLocally,

    /// <summary>
    /// Broadcast, multicast or unknown unicast frames flooded in their bridge domain, once per frame: the copies (one
    /// per target past the first) count as emitted packets.
    /// </summary>
    VxlanFlooded,

    /// <summary>VXLAN-GPE packets with the O (OAM) flag, punted to the control plane.</summary>
    VxlanGpeOamPunted,

    /// <summary>A MAC learned (new, or re-learned after aging).</summary>
    MacLearned,

    /// <summary>A learned MAC seen at another port or VTEP.</summary>
    MacMoved,

    /// <summary>A learn refused because the MAC table's probe window was full (the table never grows on the hot path).</summary>
    MacLearnTableFull,

    /// <summary>A frame from a MAC pinned by a static entry elsewhere; the static entry wins and nothing is learned.</summary>
    MacStaticConflict,

    // GTP-U endpoint stage adds its events here.

    /// <summary>A G-PDU to one of our tunnels was stripped to its inner packet (TS 29.281 section 4.3).</summary>
    GtpUDecapsulated,

    /// <summary>A native packet to a tunnel's UE address was sent into the tunnel as a G-PDU.</summary>
    GtpUEncapsulated,

    /// <summary>An Echo Request to one of our addresses was answered with an Echo Response (TS 29.281 section 7.2.2).</summary>
    GtpUEchoReplied,

    /// <summary>A GTP-U signalling message to us (Error Indication, End Marker, Echo Response ...) was handed to the control plane.</summary>
    GtpUPunted,

    // TOF (traffic offloading function) stage adds its events here.

    /// <summary>A G-PDU revealed a UE or a tunnel direction not known before (a new session).</summary>
    TofTunnelLearned,

    /// <summary>A known UE's tunnel changed address or TEID (handover).</summary>
    TofTunnelUpdated,

    /// <summary>An End Marker closed a UE's downlink path (its next downlink G-PDU is learned afresh).</summary>
    TofDownlinkEnded,

    /// <summary>An Error Indication named a learned tunnel, which was removed.</summary>
    TofTunnelRemoved,

    /// <summary>A learn refused: the tunnel table's probe window was full.</summary>
    TofTunnelTableFull,

    /// <summary>An uplink G-PDU to a service was decapsulated, NATed to the application and sent out the Apps port.</summary>
    TofOffloaded,

    /// <summary>An application's reply was NATed back to the service address and sent into the UE's downlink tunnel.</summary>
    TofReturned,

    /// <summary>A packet went through the TOF unchanged (bridged between the eNB and SGW ports).</summary>
    TofPassedThrough,

    // Reassembly of IP fragments addressed to our tunnel endpoints adds its events here.

    /// <summary>A datagram put back together from its fragments and handed on, classified again, to its decapsulator.</summary>
    FragmentsReassembled,

    /// <summary>A datagram abandoned because its fragments did not all arrive within the reassembly timeout.</summary>
    ReassemblyTimedOut,

    /// <summary>A datagram abandoned for an overlap, a limit or a buffer too small (the fragment that caused it is dropped under its reason).</summary>
    ReassemblyAbandoned,

    /// <summary>ITR/PITR/RTR: an IPv4 packet with DF clear too big for the tunnel was cut in two, each fragment encapsulated (RFC 9300 section 7.1).</summary>
    InnerPacketFragmented,

    // ICMP errors about packets that could not be forwarded (Icmp/IcmpErrorSender).

    /// <summary>A packet whose TTL / hop limit would have reached 0 was turned into ICMP Time Exceeded to its source.</summary>
    IcmpTimeExceededSent,

    /// <summary>A packet with no route was turned into ICMP Destination Unreachable (net unreachable / no route) to its source.</summary>
    IcmpDestinationUnreachableSent,

    /// <summary>An ICMP error was due but this worker's token bucket was empty: the packet was dropped without one.</summary>
    IcmpErrorRateLimited,

    /// <summary>No ICMP error may be sent about the packet (it is an ICMP error, a later fragment, to or from a group or broadcast address, or the box has no source address of its family): dropped without one.</summary>
    IcmpErrorNotAllowed,

    /// <summary>A G-PDU to us with an unknown TEID was turned into an Error Indication to its sender (TS 29.281 7.3.1).</summary>
    GtpUErrorIndicationSent,

    /// <summary>An Error Indication or Supported Extension Headers Notification not sent: the worker's budget per second was spent.</summary>
    GtpUSignallingSuppressed,

    /// <summary>A G-PDU with an unsupported comprehension-required extension header was turned into a Supported Extension Headers Notification (TS 29.281 7.3.2).</summary>
    GtpUExtensionHeadersNotified,

    /// <summary>A tunnel packet to us with a wrong non-zero UDP checksum, let through because tunnelUdpChecksum is "accept".</summary>
    TunnelUdpChecksumBadAccepted,

    /// <summary>A native packet was put on an NSH service path by a traffic rule (classifier) and sent to the path's first function.</summary>
    NshClassified,

    /// <summary>An NSH packet back from a service function was sent on to the next function of its path.</summary>
    NshForwarded,

    /// <summary>An NSH packet reached the end of its path: NSH removed, the inner packet handed to routing.</summary>
    NshDecapsulated,
}
