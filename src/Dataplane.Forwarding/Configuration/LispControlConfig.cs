namespace Dataplane.Forwarding.Configuration;

/// <summary>A map-server this xTR registers its EIDs with (RFC 9301 5.6): where, and the shared key.</summary>
public sealed record MapServerConfig
{
    public required string Address { get; init; }

    /// <summary>1 = HMAC-SHA-1, 2 = HMAC-SHA-256 (RFC 9301 Key ID / Algorithm ID).</summary>
    public ushort KeyId { get; init; } = 2;

    public required string Key { get; init; }

    /// <summary>Ask the map-server to answer Map-Requests for our EIDs itself (the P bit).</summary>
    public bool ProxyReply { get; init; }

    /// <summary>
    /// Send RFC 9301's truncated HMAC (12 bytes for SHA-1, 16 for SHA-256) instead of the whole digest (20, 32), for a
    /// map-server that accepts only that form. Either form of its Map-Notify is accepted.
    /// </summary>
    public bool TruncatedHmac { get; init; }
}

/// <summary>How the ITR asks for mappings (RFC 9301 5.3, 6.1 rate limits).</summary>
public sealed record MapRequestConfig
{
    /// <summary>First retransmission after this long; each next one waits twice as long.</summary>
    public int RetransmitMilliseconds { get; init; } = 1000;

    /// <summary>Retransmissions before giving up on a destination (until traffic asks again).</summary>
    public int MaxRetransmits { get; init; } = 3;

    /// <summary>Map-Requests per second for one EID (RFC 9301: no more than one per second by default).</summary>
    public double PerDestinationPerSecond { get; init; } = 1;

    /// <summary>Map-Requests per second in all, across destinations.</summary>
    public int GlobalPerSecond { get; init; } = 100;

    /// <summary>Destinations waiting for a reply at most; misses beyond it are counted and not asked for.</summary>
    public int PendingLimit { get; init; } = 10_000;

    /// <summary>Map-Requests in a row a map-resolver leaves unanswered before it is marked down (new requests avoid it).</summary>
    public int ResolverDownAfter { get; init; } = 2;

    /// <summary>Hold-down of a map-resolver marked down: after it, one request goes to it, and its answer marks it up.</summary>
    public int ResolverRetrySeconds { get; init; } = 30;
}

/// <summary>RLOC probing (RFC 9301 7.1): probe Map-Requests to the locators of cached mappings.</summary>
public sealed record RlocProbingConfig
{
    /// <summary>The default interval between two probes of a locator, in seconds, when neither interval field is given.</summary>
    public const int DefaultIntervalSeconds = 30;

    /// <summary>Between two probes of one locator, in whole seconds (one of this and <see cref="IntervalMilliseconds"/>).</summary>
    public int? IntervalSeconds { get; init; }

    /// <summary>Between two probes of one locator, in milliseconds: sub-second probing for fast failover.</summary>
    public int? IntervalMilliseconds { get; init; }

    /// <summary>A probe unanswered after this long counts as lost; the next probe of that locator goes at once.</summary>
    public int TimeoutMilliseconds { get; init; } = 2000;

    /// <summary>Lost probes in a row that mark a locator down; one answer marks it up again.</summary>
    public int DownAfter { get; init; } = 3;

    /// <summary>
    /// Jitter (RFC 3550's mean deviation of successive round trips) above which a locator is degraded: among the
    /// locators of the best priority it gets no traffic while one that is not degraded remains. Absent: never.
    /// </summary>
    public int? DegradedJitterMilliseconds { get; init; }

    /// <summary>The probe interval in milliseconds, whichever field gave it.</summary>
    public long EffectiveIntervalMilliseconds => IntervalMilliseconds ?? (IntervalSeconds ?? DefaultIntervalSeconds) * 1000L;
}

/// <summary>Change-Priority fast mobility (docs/lisp-control-plane.md): the key xTRs and the hypervisor share, and the encoding.</summary>
public sealed record ChangePriorityConfig
{
    public ushort KeyId { get; init; } = 2;

    public required string Key { get; init; }

    /// <summary>Send the thesis's type-5 encoding instead of the type-15 shared extension (both are accepted).</summary>
    public bool LegacyType5 { get; init; }

    /// <summary>
    /// How long an arriving EID that is not in the map-cache waits for the mapping system to say where it was before
    /// it is registered anyway (the previous xTR then learns of the move by SMR and TTL, not by Change-Priority).
    /// </summary>
    public int PreviousLocatorWaitMilliseconds { get; init; } = 1000;
}

/// <summary>The map-server / map-resolver role ("msmr"): the sites allowed to register, with their keys.</summary>
public sealed record MappingSystemConfig
{
    public IReadOnlyList<SiteConfig> Sites { get; init; } = [];

    /// <summary>Minutes a registration lives without being refreshed (RFC 9301 suggests 3 register intervals).</summary>
    public uint RegistrationTtlMinutes { get; init; } = 3;

    /// <summary>TTL of the negative Map-Replies the map-resolver sends for EIDs nobody registered.</summary>
    public uint NegativeTtlMinutes { get; init; } = 1;

    /// <summary>EID prefixes registered at most, across sites; a Map-Register for a new prefix beyond it is refused and counted.</summary>
    public int MaxRegistrations { get; init; } = DefaultMaxRegistrations;

    /// <summary>2^20: room for a million registrations (about 0.5 KiB each).</summary>
    public const int DefaultMaxRegistrations = 1_048_576;

    /// <summary>The largest bound the check accepts (each registration costs memory: see docs/performance.md).</summary>
    public const int MaxRegistrationsLimit = 16_777_216;

    /// <summary>
    /// Seconds a registration part lives without being refreshed, instead of <see cref="RegistrationTtlMinutes"/>
    /// (for labs and tests that must see an ETR's part expire quickly); absent: the minutes apply.
    /// </summary>
    public uint? RegistrationTtlSeconds { get; init; }

    /// <summary>
    /// Registering xTRs merged into one EID prefix's registration at most (a multihomed site's ETRs, RFC 9301 8.2);
    /// a further xTR's registration of the prefix is refused and counted.
    /// </summary>
    public int MaxPartsPerPrefix { get; init; } = 8;

    /// <summary>The lifetime of a registration part, in milliseconds.</summary>
    public long RegistrationTtlMilliseconds => RegistrationTtlSeconds is { } seconds ? seconds * 1000L : RegistrationTtlMinutes * 60_000L;
}

public sealed record SiteConfig
{
    public required string Name { get; init; }

    public ushort KeyId { get; init; } = 2;

    public required string Key { get; init; }

    /// <summary>
    /// The EID prefixes this site may register (a registration for anything else is refused and counted). A
    /// registration belongs to the site with the most specific prefix covering it, so sites may share a key.
    /// </summary>
    public IReadOnlyList<string> EidPrefixes { get; init; } = [];

    /// <summary>Whether the site may register prefixes more specific than its own (false: exactly its prefixes).</summary>
    public bool AcceptMoreSpecifics { get; init; } = true;

    /// <summary>
    /// The HMAC form of the Map-Notifies to this site: true = RFC 9301's truncated form, false = the whole digest,
    /// absent = the form of the Map-Register being answered. Map-Registers are accepted in either form.
    /// </summary>
    public bool? TruncatedHmac { get; init; }

    /// <summary>
    /// Merge the registrations of one EID prefix by several xTRs of this site (a multihomed site's ETRs, RFC 9301 8.2):
    /// each xTR's locators are a part of the registration, the merged set is what Map-Replies and Map-Notifies carry,
    /// and each part expires on its own. False: a newer registration of a prefix replaces the older (how a move lands).
    /// </summary>
    public bool MergeRegistrations { get; init; }

    /// <summary>EID prefixes this site may have registered at once; a new prefix beyond it is refused and counted.</summary>
    public int MaxRegistrations { get; init; } = MappingSystemConfig.DefaultMaxRegistrations;
}
