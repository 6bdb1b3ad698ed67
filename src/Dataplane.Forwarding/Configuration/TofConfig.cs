namespace Dataplane.Forwarding.Configuration;

/// <summary>
/// The "tof" section: the mobile-edge Traffic Offloading Function on S1-U / N3 (docs/configuration/tof.md). Either
/// <see cref="EnbPort"/> and <see cref="SgwPort"/> (two ports, bridged), or <see cref="S1Port"/> with the address lists
/// saying which side each peer is on (they cannot be told apart from the traffic).
/// </summary>
public sealed record TofConfig
{
    /// <summary>Port toward the eNodeBs / gNBs (separate-port layout).</summary>
    public string? EnbPort { get; init; }

    /// <summary>Port toward the SGWs / UPFs (separate-port layout).</summary>
    public string? SgwPort { get; init; }

    /// <summary>The one port carrying both sides of S1-U (shared layout); needs <see cref="EnbAddresses"/> and <see cref="SgwAddresses"/>.</summary>
    public string? S1Port { get; init; }

    /// <summary>GTP-U addresses of the eNodeBs (shared layout; optional with separate ports).</summary>
    public IReadOnlyList<string> EnbAddresses { get; init; } = [];

    /// <summary>GTP-U addresses of the SGWs (shared layout; optional with separate ports).</summary>
    public IReadOnlyList<string> SgwAddresses { get; init; } = [];

    /// <summary>Port toward the edge applications (may be the S1 port: a one-armed TOF).</summary>
    public required string AppsPort { get; init; }

    /// <summary>The services registered at start.</summary>
    public IReadOnlyList<TofServiceConfig> Services { get; init; } = [];

    /// <summary>Learned tunnels and NAT flows unused this long are purged.</summary>
    public int IdleTimeoutSeconds { get; init; } = 300;

    /// <summary>Slots of the learned-tunnel table (a power of two); a learn that finds its probe window full is refused.</summary>
    public int TunnelCapacity { get; init; } = 65_536;

    /// <summary>Slots of the NAT flow table (a power of two).</summary>
    public int FlowCapacity { get; init; } = 65_536;

    /// <summary>Sends echo requests inside a UE's uplink tunnel to reveal its downlink TEID; absent = no pinger.</summary>
    public TofPingerConfig? Pinger { get; init; }
}

/// <summary>
/// A registered service, as the REST API's body: uplink traffic to serviceIP is offloaded to applicationIP, or
/// balanced over the cluster of <see cref="Applications"/> (one of the two, not both).
/// </summary>
public sealed record TofServiceConfig
{
    public required string Name { get; init; }

    public required string ServiceIP { get; init; }

    public string? ApplicationIP { get; init; }

    /// <summary>The instances of an application cluster (docs/configuration/tof.md, "Application clusters").</summary>
    public IReadOnlyList<TofApplicationConfig>? Applications { get; init; }
}

/// <summary>One instance of a service's application cluster.</summary>
public sealed record TofApplicationConfig
{
    public required string Ip { get; init; }

    /// <summary>Its share of new flows against the other instances' weights: 1..1000.</summary>
    public int Weight { get; init; } = 1;

    /// <summary>Takes no new flows; the flows it carries stay.</summary>
    public bool Drain { get; init; }
}

/// <summary>The downlink-TEID discovery pinger.</summary>
public sealed record TofPingerConfig
{
    /// <summary>Where the echo requests go (an address the PDN answers for): IPv4 UEs are probed toward it when it is IPv4, IPv6 UEs when it is IPv6.</summary>
    public required string PdnAddress { get; init; }

    /// <summary>An IPv6 address the PDN answers for, where IPv6 UEs are probed when <see cref="PdnAddress"/> is IPv4 (dual stack).</summary>
    public string? PdnAddress6 { get; init; }

    public int IntervalMilliseconds { get; init; } = 1000;

    /// <summary>Requests per UE before giving up.</summary>
    public int Limit { get; init; } = 5;
}
