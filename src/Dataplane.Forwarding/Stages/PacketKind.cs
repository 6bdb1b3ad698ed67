namespace Dataplane.Forwarding.Stages;

/// <summary>What the classifier found, so each later stage is chosen once per packet and never re-parses the outer headers.</summary>
public enum PacketKind : byte
{
    Unclassified = 0,
    NativeIpv4,
    NativeIpv6,
    Arp,
    NeighborDiscovery,
    LispData,
    LispControl,
    Vxlan,
    VxlanGpe,
    GtpU,
    GtpC,

    /// <summary>An IPv4 fragment or an IPv6 fragment that is not atomic: reassembled when it is addressed to us, else native IP again.</summary>
    IpFragment,

    /// <summary>An Ethernet frame of EtherType 0x894F: NSH directly over Ethernet (RFC 8300), for the service function forwarder.</summary>
    Nsh,
}
