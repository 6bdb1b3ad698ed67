namespace Dataplane.Ports.Pcap;

/// <summary>
/// The LINKTYPE_ values (tcpdump.org link-layer header types) we read and write. Anything else
/// in a capture is refused with an error, because the pipeline would not know where L3 starts.
/// </summary>
public enum CaptureLinkType : ushort
{
    /// <summary>LINKTYPE_ETHERNET: frames start with an Ethernet header.</summary>
    Ethernet = 1,

    /// <summary>LINKTYPE_RAW: frames start with an IPv4 or IPv6 header (version nibble tells).</summary>
    Raw = 101,

    /// <summary>LINKTYPE_IPV4: raw IPv4, read like <see cref="Raw"/>.</summary>
    Ipv4 = 228,

    /// <summary>LINKTYPE_IPV6: raw IPv6, read like <see cref="Raw"/>.</summary>
    Ipv6 = 229,
}
