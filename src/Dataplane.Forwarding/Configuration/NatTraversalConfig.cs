namespace Dataplane.Forwarding.Configuration;

/// <summary>
/// LISP NAT traversal ("lisp.natTraversal", draft-ermagan-lisp-nat-traversal): on a map-server (role msmr), the RTRs
/// it hands to xTRs behind NATs in its Info-Replies and accepts relayed registrations from, and the bounds of its
/// Info-Request answering; on an RTR (role rtr), the map-servers it relays NATed xTRs' registrations to and the
/// bounds of its table of NATed xTRs.
/// </summary>
public sealed record NatTraversalConfig
{
    /// <summary>Map-server: RTR RLOCs announced in Info-Replies; only they may relay a NATed xTR's Map-Register.</summary>
    public IReadOnlyList<string> Rtrs { get; init; } = [];

    /// <summary>Map-server: the Info-Reply's TTL, how long the xTR keeps the RTR list before asking again.</summary>
    public uint InfoReplyTtlMinutes { get; init; } = 1440;

    /// <summary>Map-server: Info-Requests answered per second in all (one token bucket).</summary>
    public int InfoRequestsPerSecond { get; init; } = 100;

    /// <summary>Map-server: Info-Requests answered per second from one source address and port.</summary>
    public double InfoRequestsPerSourcePerSecond { get; init; } = 1;

    /// <summary>Map-server: sources whose Info-Request rate is tracked at once; beyond it a new source is refused.</summary>
    public int InfoRequestSourceLimit { get; init; } = 10_000;

    /// <summary>RTR: map-servers it relays Map-Registers to (the inner destination must be one) and takes Map-Notifies from.</summary>
    public IReadOnlyList<string> MapServers { get; init; } = [];

    /// <summary>RTR: NATed xTRs (EID prefixes) it relays for at once; a registration beyond it is refused and counted.</summary>
    public int NatedXtrLimit { get; init; } = 10_000;

    /// <summary>RTR: seconds a NATed xTR is kept after its last confirmed registration (the map-server keeps one 3 minutes).</summary>
    public int NatedXtrSeconds { get; init; } = 210;
}
