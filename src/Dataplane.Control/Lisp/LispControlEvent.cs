namespace Dataplane.Control.Lisp;

/// <summary>What the LISP control plane counts: messages in and out by type, and every message it refused, by reason.</summary>
public enum LispControlEvent
{
    // Received, parsed and handled.
    MapRequestReceived,
    MapReplyReceived,
    MapRegisterReceived,
    MapNotifyReceived,
    EncapsulatedControlReceived,
    ChangePriorityReceived,

    /// <summary>An Info-Request (NAT traversal) reached the map-server.</summary>
    InfoRequestReceived,

    // Sent.
    MapRequestSent,
    MapRequestRetransmitted,
    SmrSent,
    SmrInvokedRequestSent,
    RlocProbeSent,
    MapReplySent,
    MapRegisterSent,
    MapNotifySent,
    MapRequestForwarded,
    ChangePrioritySent,

    /// <summary>An arriving EID was not in the map-cache: a Map-Request asked the map-resolvers where it was.</summary>
    MoveLookupSent,
    InjectRefused,

    /// <summary>An ETR acknowledged a map-server's Map-Notify that told it a merged set unasked (RFC 9301 5.7).</summary>
    MapNotifyAckSent,

    /// <summary>The map-server answered an Info-Request: the xTR's translated address and port, our RTRs.</summary>
    InfoReplySent,

    /// <summary>An RTR passed a NATed xTR's Map-Register on to its map-server.</summary>
    MapRegisterRelayed,

    /// <summary>An RTR passed the map-server's Map-Notify on to the NATed xTR, through its NAT.</summary>
    MapNotifyRelayed,

    /// <summary>A map-server told a registrant its prefix's merged set changed (an unsolicited Map-Notify).</summary>
    MergedSetNotifySent,

    /// <summary>An unsolicited Map-Notify sent again: no Map-Notify-Ack came within the wait.</summary>
    MapNotifyRetransmitted,

    // Results.
    MapCacheInstalled,
    NegativeMapCacheInstalled,
    RegistrationAccepted,
    RegistrationExpired,
    RegistrationConfirmed,

    /// <summary>An ETR's registration of a prefix withdrawn by the ETR itself (record TTL 0): its part leaves the merged set.</summary>
    RegistrationWithdrawn,

    /// <summary>An ETR accepted a merged set a map-server told it unasked (a verified Map-Notify naming its xTR-ID).</summary>
    UnsolicitedMapNotifyAccepted,

    /// <summary>A registrant acknowledged an unsolicited Map-Notify.</summary>
    MapNotifyAckReceived,

    /// <summary>An unsolicited Map-Notify was never acknowledged after every retransmission: given up.</summary>
    MapNotifyGaveUp,

    MapRequestGaveUp,
    RlocUp,
    RlocDown,

    /// <summary>The mapping system said where an arriving EID was: its previous xTR was told, and the EID registered.</summary>
    MoveLookupAnswered,

    /// <summary>No answer about an arriving EID in time: registered anyway (SMR and TTLs converge the ITRs).</summary>
    MoveLookupTimedOut,

    /// <summary>A local RLOC's priority or weight changed at run time (lisp.rloc-priority).</summary>
    LocalRlocChanged,
    /// <summary>A map-resolver left <c>resolverDownAfter</c> Map-Requests in a row unanswered: new requests avoid it.</summary>
    MapResolverDown,

    /// <summary>A map-resolver marked down answered again.</summary>
    MapResolverUp,

    /// <summary>RLOC probing measured a locator's jitter above <c>degradedJitterMilliseconds</c>: it yields to healthy ones of its priority.</summary>
    RlocDegraded,

    /// <summary>A degraded locator's jitter fell to half the threshold: it takes its share again.</summary>
    RlocHealthy,

    // Refused, each under its own reason (RFC 9301 security: dropped and counted).
    Malformed,
    BadHmac,

    /// <summary>Authentication data whose length is neither form of its algorithm (SHA-1: 20 or 12; SHA-256: 32 or 16).</summary>
    BadAuthenticationLength,
    UnknownKeyId,
    ReplayedNonce,
    PrefixNotAllowed,
    UnmatchedMapNotify,
    UnmatchedMapReply,
    RateLimited,
    RetransmissionRateLimited,
    PendingLimitReached,
    NotForUs,
    UnusableRecord,

    /// <summary>An ETR answered a Map-Request but did not remember its ITR-RLOC for SMR: the EID's requester set is full.</summary>
    RequesterMemoryFull,

    /// <summary>A Solicit-Map-Request for an EID not in our map-cache: not followed (RFC 9301 6.3).</summary>
    SmrForUncachedEid,

    /// <summary>A Map-Register presenting an xTR-ID bound to another site or site-ID: refused, the existing parts kept.</summary>
    ForgedXtrId,

    /// <summary>A Map-Register trying to merge into a prefix held under another site-ID: refused, the existing parts kept.</summary>
    MergeConflict,

    /// <summary>A Map-Register from one xTR more than a prefix may merge (mappingSystem.maxPartsPerPrefix): refused.</summary>
    PartLimitReached,

    /// <summary>A Map-Notify-Ack that answers no Map-Notify we wait for: dropped.</summary>
    UnmatchedMapNotifyAck,

    /// <summary>Unsolicited Map-Notifies waiting for their ack are at their bound: this one is sent once, not retransmitted.</summary>
    NotifyPendingLimitReached,

    /// <summary>Too many arrivals waiting for the mapping system: this one was registered without a lookup.</summary>
    MoveLookupLimitReached,

    /// <summary>A Change-Priority C=1 for an EID that is ours now: our map-cache is not pointed away from ourselves.</summary>
    ChangePriorityForLocalEid,

    /// <summary>
    /// A control message that would go to one of our own addresses through the underlay (a registrant, ITR-RLOC,
    /// map-server or locator that is us), or an Encapsulated Map-Request whose inner source or an ITR-RLOC is us: not
    /// sent, not handled.
    /// </summary>
    SelfAddressed,

    /// <summary>An Encapsulated Map-Request this map-server handled already came back from another sender: not forwarded again.</summary>
    MapRequestLoop,

    /// <summary>
    /// A Map-Register record for a new prefix while the map-server holds lisp.mappingSystem.maxRegistrations, or its
    /// site its sites[].maxRegistrations: not stored (refreshes of registered prefixes still are).
    /// </summary>
    RegistrationLimitReached,

    /// <summary>An Info-Request over the per-source or the global rate (or from a new source when the source table is full): not answered.</summary>
    InfoRequestRateLimited,

    /// <summary>A relayed Map-Register from an address that is not one of the map-server's RTRs (natTraversal.rtrs).</summary>
    UnknownRtr,

    /// <summary>An RTR asked to relay to, or sent a Map-Notify by, a map-server not in natTraversal.mapServers.</summary>
    UnknownMapServer,

    /// <summary>An RTR's table of NATed xTRs (or of registrations waiting for their Map-Notify) is full: the registration is not relayed.</summary>
    NatedXtrTableFull,

    /// <summary>A NATed xTR not confirmed by a Map-Notify within natTraversal.natedXtrSeconds: the RTR forgets it and its map-cache entry.</summary>
    NatedXtrExpired,
}
