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
    InjectRefused,

    // Results.
    MapCacheInstalled,
    NegativeMapCacheInstalled,
    RegistrationAccepted,
    RegistrationExpired,
    RegistrationConfirmed,
    MapRequestGaveUp,
    RlocUp,
    RlocDown,

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
}
