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
}
