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
    TunnelNestingTooDeep,

    // Forwarding decisions.
    MapCacheMissDrop,
    NegativeEntryDrop,
    NoUsableLocator,
    TtlExpired,
    OverMtu,
    NoRoute,
    NoNeighbour,
    NoHeadroom,
    PuntQueueFull,
    TxQueueFull,

    /// <summary>No stage took the packet: a kind this configuration has no role for (e.g. VXLAN on a pure xTR).</summary>
    NoHandler,
    InnerHeaderMalformed,

    // LISP stages (ITR/ETR/PxTR/RTR) add their reasons here.

    // VXLAN VTEP stage adds its reasons here.

    // GTP-U endpoint stage adds its reasons here. (It needs none of its own so far: it drops under the shared
    // MalformedGtpU, UnknownTeid, InnerHeaderMalformed, OverMtu, NoRoute, NoNeighbour and NoHeadroom.)
}
