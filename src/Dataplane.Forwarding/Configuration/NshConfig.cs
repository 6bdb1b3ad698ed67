namespace Dataplane.Forwarding.Configuration;

/// <summary>
/// The "nsh" section: NSH service chaining (RFC 8300). The service functions packets are sent to, and the service
/// paths that chain them; with the section present the node is a service function forwarder (SFF) for those paths,
/// and traffic rules may classify packets onto them. Schema and examples: docs/configuration/nsh.md.
/// </summary>
public sealed record NshConfig
{
    /// <summary>Source address of the VXLAN-GPE packets sent to service functions; a port address. Absent: the first port address of the function's family.</summary>
    public string? LocalAddress { get; init; }

    /// <summary>MD type of the NSH a classifier writes: 1 (16 bytes of zero context, the default) or 2 (no context).</summary>
    public int MdType { get; init; } = 1;

    /// <summary>TTL / hop limit of the outer IP header of VXLAN-GPE packets to service functions.</summary>
    public int UnderlayTtl { get; init; } = 64;

    public IReadOnlyList<NshFunctionConfig> ServiceFunctions { get; init; } = [];

    public IReadOnlyList<NshPathConfig> ServicePaths { get; init; } = [];
}

/// <summary>A service function, and how packets reach it.</summary>
public sealed record NshFunctionConfig
{
    /// <summary>Unique name, [A-Za-z0-9._-]{1,64}; paths name their hops by it.</summary>
    public required string Name { get; init; }

    /// <summary>"vxlan-gpe" (UDP 4790 to <see cref="Address"/>) or "ethernet" (EtherType 0x894F to <see cref="Mac"/> on <see cref="Port"/>).</summary>
    public required string Transport { get; init; }

    /// <summary>vxlan-gpe: the function's IPv4 or IPv6 address, reached through the underlay (instance 0).</summary>
    public string? Address { get; init; }

    /// <summary>vxlan-gpe: the VNI written in the GPE header, 0..16777215.</summary>
    public uint Vni { get; init; }

    /// <summary>ethernet: the function's MAC.</summary>
    public string? Mac { get; init; }

    /// <summary>ethernet: the port, by name, the function is on.</summary>
    public string? Port { get; init; }
}

/// <summary>A service path: the functions a packet visits, in order, and what happens after the last one.</summary>
public sealed record NshPathConfig
{
    /// <summary>Service Path Identifier, 1..16777215.</summary>
    public required uint Spi { get; init; }

    /// <summary>Function names, first hop first (SI 255, then 254 ...); 1..255 of them.</summary>
    public IReadOnlyList<string> Hops { get; init; } = [];

    /// <summary>"route" (remove NSH, route the inner packet in <see cref="InstanceId"/>) or "drop".</summary>
    public string End { get; init; } = "route";

    /// <summary>The instance (VRF) whose FIB routes the inner packet at the end of the path.</summary>
    public uint InstanceId { get; init; }
}
