namespace Dataplane.Forwarding.Configuration;

/// <summary>
/// The configuration file, as JSON (camelCase field names; comments and trailing commas allowed; unknown fields
/// are an error so a typo never silently does nothing). The schema, with an example per role, is in
/// docs/configuration.md. Addresses, MACs and prefixes are strings here and are checked when the forwarding
/// plane is built (<see cref="ForwardingPlaneBuilder"/>), which names the offending field.
/// </summary>
public sealed record DataplaneConfig
{
    /// <summary>What this data plane does: any of itr, etr, pitr, petr, rtr, vtep, gtpu. Native routing is always on.</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>The ports, numbered 0.. in this order (replay reads its input as arriving on port 0 unless told otherwise).</summary>
    public IReadOnlyList<PortConfig> Ports { get; init; } = [];

    /// <summary>Static next-hop MACs (the ARP/ND cache the daemon fills by itself later).</summary>
    public IReadOnlyList<NeighbourConfig> Neighbours { get; init; } = [];

    /// <summary>Routes for native forwarding and for the underlay (instance 0), where RLOCs and tunnel peers are reached.</summary>
    public IReadOnlyList<RouteConfig> Routes { get; init; } = [];

    /// <summary>Seconds a learned neighbour (ARP / ND) stays without being confirmed; static neighbours never age.</summary>
    public int NeighbourAgingSeconds { get; init; } = 300;

    /// <summary>Packets the control plane may have queued and not yet read; more are dropped as PuntQueueFull.</summary>
    public int PuntQueueCapacity { get; init; } = 1024;

    /// <summary>ICMP errors about packets that cannot be forwarded: their per-worker rate limit.</summary>
    public IcmpErrorConfig IcmpErrors { get; init; } = new();

    /// <summary>
    /// What the tunnel endpoints (GTP-U, VXLAN, LISP) do with a packet addressed to us whose non-zero UDP checksum does
    /// not verify: "verify" drops it (TunnelUdpChecksumBad), as the Linux kernel and VPP do; "accept" lets it through
    /// and counts it (event TunnelUdpChecksumBadAccepted), for peers known to send wrong checksums (docs/architecture.md).
    /// </summary>
    public string TunnelUdpChecksum { get; init; } = "verify";

    /// <summary>Worker threads of <c>dataplane run</c>; each polls its own queue of every port.</summary>
    public int Workers { get; init; } = 1;

    /// <summary>CPU cores to pin workers to, one per worker, in order; empty = not pinned.</summary>
    public IReadOnlyList<int> Cores { get; init; } = [];

    /// <summary>DPDK settings, for ports with driver "dpdk".</summary>
    public DpdkConfig? Dpdk { get; init; }

    public LispConfig? Lisp { get; init; }

    public VxlanConfig? Vxlan { get; init; }

    public GtpUConfig? Gtpu { get; init; }

    /// <summary>The traffic offloading function (role tof; docs/configuration/tof.md).</summary>
    public TofConfig? Tof { get; init; }

    /// <summary>NSH service chaining: service functions and paths (docs/configuration/nsh.md); absent = no NSH stage.</summary>
    public NshConfig? Nsh { get; init; }

    /// <summary>Limits of the reassembly of fragments addressed to a decapsulating node; the defaults when absent.</summary>
    public ReassemblyConfig Reassembly { get; init; } = new();

    /// <summary>The control socket, persistence and metrics endpoint of <c>dataplane run</c> (docs/control.md).</summary>
    public ControlConfig? Control { get; init; }

    /// <summary>IPFIX flow records to a collector (docs/flow-export.md); null = none.</summary>
    public FlowExportConfig? FlowExport { get; init; }

    /// <summary>Traffic rules: classify, offload, police, mark, drop, count (docs/configuration/traffic-rules.md).</summary>
    public IReadOnlyList<TrafficRuleConfig> TrafficRules { get; init; } = [];

    /// <summary>Limits of the traffic rules; the defaults when absent.</summary>
    public TrafficRuleLimitsConfig? TrafficRuleLimits { get; init; }
}

public sealed record PortConfig
{
    public required string Name { get; init; }

    public required string Mac { get; init; }

    /// <summary>Largest IP packet the port carries (Linux's notion of MTU, without the Ethernet header).</summary>
    public int Mtu { get; init; } = 1500;

    /// <summary>Instance ID / VRF of packets received on this port.</summary>
    public uint InstanceId { get; init; }

    /// <summary>Addresses the data plane owns on this port (RLOCs, VTEP and GTP-U endpoint addresses).</summary>
    public IReadOnlyList<string> Addresses { get; init; } = [];

    /// <summary>
    /// How <c>dataplane run</c> opens the port: "af_packet" (a kernel interface, <see cref="Interface"/>), "dpdk" (an
    /// ethdev, <see cref="DpdkDevice"/>), "pcap" (read <see cref="RxPcap"/>, write <see cref="TxPcap"/>; for tests and
    /// demos). Absent: the port exists only for <c>dataplane replay</c>.
    /// </summary>
    public string? Driver { get; init; }

    /// <summary>Kernel interface name, for driver af_packet.</summary>
    public string? Interface { get; init; }

    /// <summary>DPDK device name as EAL knows it ("0000:01:00.0", "net_pcap0", "net_ring0"), for driver dpdk.</summary>
    public string? DpdkDevice { get; init; }

    /// <summary>Capture to receive from, for driver pcap.</summary>
    public string? RxPcap { get; init; }

    /// <summary>Capture to write transmitted frames to, for driver pcap.</summary>
    public string? TxPcap { get; init; }

    /// <summary>Shape what the port sends to a rate, with guaranteed classes by DSCP (docs/configuration/egress.md); absent: unshaped.</summary>
    public Egress.EgressConfig? Egress { get; init; }
}

public sealed record DpdkConfig
{
    /// <summary>EAL arguments, passed to rte_eal_init unchanged (e.g. "-l", "0-1", "--no-huge", "-m", "512", "--vdev=net_ring0").</summary>
    public IReadOnlyList<string> Eal { get; init; } = [];

    /// <summary>mbufs in the packet pool shared by all DPDK ports.</summary>
    public int MbufCount { get; init; } = 8191;
}

public sealed record NeighbourConfig
{
    public required string Address { get; init; }

    public required string Mac { get; init; }

    /// <summary>Port name the neighbour is on.</summary>
    public required string Port { get; init; }
}

public sealed record RouteConfig
{
    /// <summary>"10.0.0.0/8", "2001:db8::/32", or with an instance ID "[7]10.0.0.0/8".</summary>
    public required string Prefix { get; init; }

    /// <summary>Gateway address; omitted for a connected route (the destination itself is the neighbour).</summary>
    public string? NextHop { get; init; }

    /// <summary>Port name the route leaves on.</summary>
    public required string Port { get; init; }
}
