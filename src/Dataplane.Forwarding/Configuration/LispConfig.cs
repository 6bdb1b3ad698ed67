namespace Dataplane.Forwarding.Configuration;

/// <summary>The "lisp" section: this xTR's RLOCs and EIDs, static map-cache entries, and ITR behaviour.</summary>
public sealed record LispConfig
{
    /// <summary>Our own RLOCs; an ETR decapsulates only packets sent to one of these.</summary>
    public IReadOnlyList<LocatorConfig> LocalRlocs { get; init; } = [];

    /// <summary>EID prefixes this xTR serves ("[iid]prefix/len" or "prefix/len").</summary>
    public IReadOnlyList<string> LocalEids { get; init; } = [];

    /// <summary>Static map-cache entries (the control plane adds dynamic ones).</summary>
    public IReadOnlyList<MapCacheEntryConfig> MapCache { get; init; } = [];

    /// <summary>
    /// How the ITR picks among the best-priority locators: "flow-hash" (weighted, by the inner 5-tuple hash) or
    /// "source-port" (the LISP+MPTCP mode: inner source port modulo the number of best locators, weights ignored).
    /// </summary>
    public string LocatorChoice { get; init; } = "flow-hash";

    /// <summary>What the ITR does with a packet that would exceed the egress MTU once encapsulated: "icmp" or "drop".</summary>
    public string OverMtu { get; init; } = "icmp";

    /// <summary>ICMP "too big" errors each worker may send per second (token bucket); 0 sends none.</summary>
    public int IcmpRateLimitPerSecond { get; init; } = 100;

    /// <summary>Map-resolvers the ITR sends Encapsulated Map-Requests to on a cache miss.</summary>
    public IReadOnlyList<string> MapResolvers { get; init; } = [];

    /// <summary>Map-servers the ETR registers its EIDs with.</summary>
    public IReadOnlyList<MapServerConfig> MapServers { get; init; } = [];

    /// <summary>Seconds between Map-Registers (RFC 9301: 60).</summary>
    public int RegisterIntervalSeconds { get; init; } = 60;

    /// <summary>TTL, in minutes, of the mappings this ETR hands out in Map-Replies and registrations.</summary>
    public uint MappingTtlMinutes { get; init; } = 1440;

    public MapRequestConfig MapRequests { get; init; } = new();

    /// <summary>RLOC probing; off when absent.</summary>
    public RlocProbingConfig? RlocProbing { get; init; }

    /// <summary>Change-Priority fast mobility; off when absent.</summary>
    public ChangePriorityConfig? ChangePriority { get; init; }

    /// <summary>The map-server / map-resolver role's sites (role "msmr").</summary>
    public MappingSystemConfig? MappingSystem { get; init; }

    /// <summary>
    /// This xTR's 128-bit xTR-ID (32 hex digits), sent in every Map-Register (the I bit) so a map-server merges the
    /// registrations of a multihomed site's ETRs per xTR. Absent: derived from the configured local RLOCs (stable
    /// across restarts, distinct between xTRs that do not share an RLOC).
    /// </summary>
    public string? XtrId { get; init; }

    /// <summary>The 64-bit site-ID sent with the xTR-ID: the ETRs of one multihomed site share it.</summary>
    public ulong SiteId { get; init; }

    /// <summary>NAT traversal: a map-server's Info-Replies and relayed registrations, an RTR's relaying; off when absent.</summary>
    public NatTraversalConfig? NatTraversal { get; init; }
}

public sealed record LocatorConfig
{
    public required string Address { get; init; }

    public byte Priority { get; init; } = 1;

    public byte Weight { get; init; } = 100;

    public bool Up { get; init; } = true;
}

public sealed record MapCacheEntryConfig
{
    public required string Eid { get; init; }

    /// <summary>Locators; none makes a negative entry, whose <see cref="Action"/> applies.</summary>
    public IReadOnlyList<LocatorConfig> Locators { get; init; } = [];

    /// <summary>For a negative entry: drop, native-forward, send-map-request, no-action.</summary>
    public string? Action { get; init; }

    /// <summary>Minutes; omitted = never expires (a static entry).</summary>
    public uint? TtlMinutes { get; init; }
}
