namespace Dataplane.Wire.Ipfix;

/// <summary>
/// The IANA IPFIX Information Elements the exporter uses (RFC 7012 and the IANA "IPFIX Information Elements"
/// registry): their element IDs. The comment gives each one's abstract data type and the length we encode it in.
/// </summary>
public static class IpfixElements
{
    public const ushort OctetDeltaCount = 1;                 // unsigned64, 8
    public const ushort PacketDeltaCount = 2;                // unsigned64, 8
    public const ushort ProtocolIdentifier = 4;              // unsigned8, 1
    public const ushort SourceTransportPort = 7;             // unsigned16, 2
    public const ushort SourceIpv4Address = 8;               // ipv4Address, 4
    public const ushort DestinationTransportPort = 11;       // unsigned16, 2
    public const ushort DestinationIpv4Address = 12;         // ipv4Address, 4
    public const ushort DestinationIpv4PrefixLength = 13;    // unsigned8, 1
    public const ushort IpNextHopIpv4Address = 15;           // ipv4Address, 4
    public const ushort SourceIpv6Address = 27;              // ipv6Address, 16
    public const ushort DestinationIpv6Address = 28;         // ipv6Address, 16
    public const ushort DestinationIpv6PrefixLength = 30;    // unsigned8, 1
    public const ushort DestinationIpv4Prefix = 44;          // ipv4Address, 4
    public const ushort IpNextHopIpv6Address = 62;           // ipv6Address, 16
    public const ushort FlowDirection = 61;                  // unsigned8, 1: 0 ingress, 1 egress
    public const ushort FlowEndReason = 136;                 // unsigned8, 1
    public const ushort FlowStartMilliseconds = 152;         // dateTimeMilliseconds, 8
    public const ushort FlowEndMilliseconds = 153;           // dateTimeMilliseconds, 8
    public const ushort DestinationIpv6Prefix = 170;         // ipv6Address, 16
    public const ushort PostNatSourceIpv4Address = 225;      // ipv4Address, 4
    public const ushort PostNatDestinationIpv4Address = 226; // ipv4Address, 4
    public const ushort IngressVrfId = 234;                  // unsigned32, 4
    public const ushort PostNatSourceIpv6Address = 281;      // ipv6Address, 16
    public const ushort PostNatDestinationIpv6Address = 282; // ipv6Address, 16
    public const ushort Layer2SegmentId = 351;               // unsigned64, 8: top octet the segment type (1 = VXLAN), then the ID

    /// <summary>layer2SegmentId's type octet for a VXLAN VNI (IANA registry, element 351).</summary>
    public const byte Layer2SegmentTypeVxlan = 0x01;
}
