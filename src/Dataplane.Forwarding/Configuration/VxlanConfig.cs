namespace Dataplane.Forwarding.Configuration;

/// <summary>
/// The "vxlan" section of a VTEP (RFC 7348, draft-ietf-nvo3-vxlan-gpe): our VTEP addresses, L2 bridge domains
/// (VNI, access ports, remote VTEPs, static MACs) and L3 VNIs (VNI bound to an instance/VRF, routes behind remote
/// VTEPs). Schema and examples: docs/configuration/vxlan.md.
/// </summary>
public sealed record VxlanConfig
{
    /// <summary>Our VTEP addresses (at most one IPv4 and one IPv6); each must be an address of a port.</summary>
    public IReadOnlyList<string> LocalVteps { get; init; } = [];

    /// <summary>UDP destination port of VXLAN (RFC 7348 section 5: 4789).</summary>
    public int UdpPort { get; init; } = 4789;

    /// <summary>UDP destination port of VXLAN-GPE (draft-ietf-nvo3-vxlan-gpe: 4790).</summary>
    public int GpeUdpPort { get; init; } = 4790;

    /// <summary>TTL / hop limit of the outer IP header we write.</summary>
    public int Ttl { get; init; } = 64;

    /// <summary>Most learned MACs over all bridge domains; a learn beyond it is refused and counted.</summary>
    public int MacTableSize { get; init; } = 65536;

    public IReadOnlyList<BridgeDomainConfig> BridgeDomains { get; init; } = [];

    public IReadOnlyList<L3VniConfig> L3Vnis { get; init; } = [];
}

/// <summary>An L2 VNI: frames on its access ports are bridged to each other and to its remote VTEPs.</summary>
public sealed record BridgeDomainConfig
{
    public required uint Vni { get; init; }

    /// <summary>Names of the ports whose frames belong to this domain (a port is in at most one domain).</summary>
    public IReadOnlyList<string> Ports { get; init; } = [];

    /// <summary>Remote VTEP addresses of this VNI; MACs are learned only behind these.</summary>
    public IReadOnlyList<string> RemoteVteps { get; init; } = [];

    public IReadOnlyList<StaticMacConfig> StaticMacs { get; init; } = [];

    /// <summary>Seconds a learned MAC stays without being seen again.</summary>
    public uint AgingSeconds { get; init; } = 300;
}

/// <summary>A MAC pinned to a remote VTEP or a local port; never ages, never moves.</summary>
public sealed record StaticMacConfig
{
    public required string Mac { get; init; }

    /// <summary>Remote VTEP address (one of the domain's remoteVteps); exclusive with <see cref="Port"/>.</summary>
    public string? Vtep { get; init; }

    /// <summary>Access port name (one of the domain's ports); exclusive with <see cref="Vtep"/>.</summary>
    public string? Port { get; init; }
}

/// <summary>An L3 VNI: routed traffic of an instance/VRF carried between VTEPs (symmetric IRB style).</summary>
public sealed record L3VniConfig
{
    public required uint Vni { get; init; }

    /// <summary>Instance ID / VRF whose packets this VNI carries; decapsulated packets are routed in it.</summary>
    public uint InstanceId { get; init; }

    /// <summary>Our router MAC: inner destination of frames sent to us on this VNI, inner source of those we send.</summary>
    public required string RouterMac { get; init; }

    /// <summary>Encapsulate in VXLAN-GPE with next protocol IPv4/IPv6 and no inner Ethernet, instead of VXLAN.</summary>
    public bool Gpe { get; init; }

    public IReadOnlyList<L3VniRouteConfig> Routes { get; init; } = [];
}

/// <summary>A prefix of the L3 VNI's instance reached through a remote VTEP.</summary>
public sealed record L3VniRouteConfig
{
    /// <summary>"10.2.0.0/16" or "2001:db8:2::/48" (in the VNI's instance).</summary>
    public required string Prefix { get; init; }

    public required string Vtep { get; init; }

    /// <summary>The remote VTEP's router MAC (inner destination MAC); required unless the VNI is GPE.</summary>
    public string? Mac { get; init; }
}
