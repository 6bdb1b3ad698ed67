namespace Dataplane.Forwarding.Counters;

/// <summary>
/// Why a packet was dropped. Every drop in every stage names one of these, so the counters say where traffic
/// went and rx = tx + punted + sum(drops) can be checked. Values fit the descriptor's one-byte
/// <c>DropReason</c> field; 0 means "not dropped".
/// </summary>
public enum DropReason : byte
{
    None = 0,

    // Classification: the outer headers did not parse.
    TruncatedEthernet,
    TruncatedOrBadVlanTags,
    UnsupportedEtherType,
    MalformedIpv4,
    MalformedIpv6,
    Ipv6ExtensionChainInvalid,
    MalformedUdp,
    MalformedTcp,
    MalformedIcmp,

    // Tunnels.
    MalformedLisp,
    LispToForeignRloc,
    UnknownInstanceId,
    MalformedVxlan,
    UnknownVni,
    MalformedGtpU,
    UnknownTeid,

    // Forwarding decisions.
    NegativeEntryDrop,
    NoUsableLocator,
    TtlExpired,
    OverMtu,
    NoRoute,
    NoNeighbour,
    NoHeadroom,
    PuntQueueFull,

    /// <summary>The egress port's transmit queue had no room (the NIC or kernel is slower than the worker).</summary>
    TxQueueFull,

    /// <summary>No stage took the packet: a kind this configuration has no role for (e.g. VXLAN on a pure xTR).</summary>
    NoHandler,
    InnerHeaderMalformed,

    // ARP / IPv6 neighbour discovery.
    MalformedArp,
    MalformedNeighbourDiscovery,

    // LISP stages (ITR/ETR/PxTR/RTR) add their reasons here.

    /// <summary>ITR: the chosen RLOC's address family has no local RLOC to use as the outer source.</summary>
    NoLocalRloc,

    /// <summary>ETR (without petr/rtr): the decapsulated packet's destination is not one of our EID prefixes in its instance.</summary>
    NotLocalEid,

    /// <summary>The LISP header's key-ID bits (KK) are set: the payload is encrypted with LISP-crypto (RFC 8061), which this ETR does not do.</summary>
    LispCryptoUnsupported,

    // VXLAN VTEP stage adds its reasons here.

    /// <summary>VXLAN / VXLAN-GPE to an address of ours that is not a VTEP address (to others it is transit, routed).</summary>
    VxlanToForeignVtep,

    /// <summary>VXLAN on an L2 VNI from a VTEP that is not in the bridge domain's remoteVteps.</summary>
    VxlanFromUnknownVtep,

    /// <summary>Broadcast, multicast or unknown unicast from the only access port of a domain whose flood list is empty: nowhere to flood it.</summary>
    VxlanNoFloodTarget,

    /// <summary>The destination MAC is on the port the frame came in on.</summary>
    VxlanSameIngressPort,

    /// <summary>A frame from a remote VTEP whose destination MAC is behind a remote VTEP: never sent back into the overlay (split horizon).</summary>
    VxlanSplitHorizon,

    /// <summary>On an L3 VNI, the inner destination MAC is not our router MAC.</summary>
    VxlanNotRouterMac,

    /// <summary>VXLAN-GPE next protocol we do not carry (NSH, unknown), or IP on an L2 VNI.</summary>
    VxlanGpeUnsupportedNextProtocol,

    // GTP-U endpoint stage adds its reasons here. (It drops under the shared MalformedGtpU, UnknownTeid,
    // InnerHeaderMalformed, OverMtu, NoRoute, NoNeighbour and NoHeadroom; TunnelUdpChecksumBad and
    // GtpUUnsupportedExtensionHeader came later and are at the end.)

    // TOF (traffic offloading function) stage adds its reasons here.

    /// <summary>TOF: an application's reply for a UE whose downlink TEID is not learned yet (the pinger is asked to reveal it).</summary>
    TofNoDownlinkTunnel,

    /// <summary>TOF: an uplink packet to a service whose NAT flow could not be recorded (the flow table's probe window was full).</summary>
    TofFlowTableFull,

    // Replication (PacketEmitter): a copy a stage asked for that could not be made; the original goes on.

    /// <summary>A replica or extra packet found no free buffer in its source (the mempool or the worker's replica pool).</summary>
    ReplicaNoBuffer,

    /// <summary>A replica or extra packet past the number one batch may emit (<c>PacketEmitter.Capacity</c>).</summary>
    ReplicaVectorFull,

    /// <summary>A replica of a frame larger than the buffers of its source.</summary>
    ReplicaTooLarge,

    // Reassembly of IP fragments addressed to our tunnel endpoints adds its reasons here.

    /// <summary>
    /// Not an error: a fragment whose bytes were copied into the reassembly table, and its buffer freed. The datagram
    /// leaves in the buffer of the fragment that completes it; its fate is counted as FragmentsReassembled,
    /// ReassemblyTimedOut or ReassemblyAbandoned events.
    /// </summary>
    FragmentHeldForReassembly,

    /// <summary>A fragment that cannot be part of a datagram: empty, or not a multiple of 8 bytes while more follow, or an IPv6 unfragmentable part too long.</summary>
    FragmentMalformed,

    /// <summary>A fragment overlapping one held for the same datagram, or ending it at another length: the whole datagram is abandoned (RFC 5722).</summary>
    FragmentOverlap,

    /// <summary>An exact copy (same offset and length) of a fragment already held: only the copy is dropped.</summary>
    FragmentDuplicate,

    /// <summary>Every reassembly slot of the worker holds an unfinished datagram: a new datagram's fragment is refused.</summary>
    ReassemblyTableFull,

    /// <summary>Holding the fragment would exceed the worker's reassembly byte budget; its datagram is abandoned.</summary>
    ReassemblyBytesExhausted,

    /// <summary>A datagram in more fragments than the configured limit; it is abandoned.</summary>
    ReassemblyTooManyFragments,

    /// <summary>A datagram that would be larger than the configured limit (or than IP allows); it is abandoned.</summary>
    ReassemblyTooLarge,

    /// <summary>A complete datagram that does not fit the buffer of the fragment that completed it (headroom, L2 header and datagram).</summary>
    ReassemblyOverBufferCapacity,

    /// <summary>A tunnel packet (GTP-U, VXLAN, LISP) addressed to us whose non-zero UDP checksum does not verify (with tunnelUdpChecksum "verify", the default).</summary>
    TunnelUdpChecksumBad,

    /// <summary>GTP-U: a G-PDU to us with an extension header whose comprehension is required of us and which we do not support (TS 29.281 5.2.1), when no Supported Extension Headers Notification could go back in its place (budget spent, peer unreachable).</summary>
    GtpUUnsupportedExtensionHeader,

    /// <summary>A packet for a port with an egress scheduler whose class queue was full (counted per class too: dataplane_egress_class_drops_total).</summary>
    EgressQueueFull,

    /// <summary>A packet still waiting in an egress scheduler's queue when its worker stopped: its buffer is freed, it was never sent.</summary>
    EgressDiscardedAtStop,

    /// <summary>NSH (over VXLAN-GPE or Ethernet) whose header is cut short, not version 0, or whose length disagrees with its MD type (RFC 8300 section 2).</summary>
    NshMalformed,

    /// <summary>NSH whose service path (SPI) is not configured, or whose service index names no hop of it.</summary>
    NshUnknownPath,

    /// <summary>NSH whose TTL reached 0 when this forwarder decremented it (RFC 8300 section 2.2).</summary>
    NshTtlExpired,

    /// <summary>NSH at the end of a service path whose "end" is "drop", or whose inner packet (not IPv4, IPv6 or Ethernet carrying them) cannot be routed.</summary>
    NshPathEnd,

    /// <summary>A traffic rule with the drop action matched the packet.</summary>
    TrafficRuleDrop,

    /// <summary>A traffic rule's rate limit: the packet was over it (its token bucket was empty).</summary>
    TrafficRulePolicerDrop,

    /// <summary>TOF: a new flow to a service every application instance of which is draining, so none may take it.</summary>
    TofNoActiveInstance,
}
