using Dataplane.Wire.Ipfix;
using E = Dataplane.Wire.Ipfix.IpfixElements;

namespace Dataplane.Control.FlowExport;

/// <summary>
/// The templates the exporter announces, one per kind of record and address family (docs/flow-export.md lists them
/// with their element IDs). The IDs are fixed, so a collector's decoded records keep their meaning across restarts.
/// </summary>
public sealed class FlowExportTemplates
{
    public const ushort TofFlowIpv4Id = 256, TofFlowIpv6Id = 257, GtpUTunnelId = 258, VxlanVniId = 259, MapCacheIpv4Id = 260, MapCacheIpv6Id = 261;

    /// <summary>The enterprise-specific elements, under <see cref="EnterpriseNumber"/>: the GTP-U TEID and the UE's address.</summary>
    public const ushort TeidElement = 1, UeAddressElement = 2;

    public FlowExportTemplates(uint enterpriseNumber)
    {
        EnterpriseNumber = enterpriseNumber;
        TofFlowIpv4 = new IpfixTemplate(TofFlowIpv4Id,
        [
            new(E.SourceIpv4Address, 4), new(E.DestinationIpv4Address, 4), new(E.PostNatSourceIpv4Address, 4), new(E.PostNatDestinationIpv4Address, 4),
            .. Flow,
        ]);
        TofFlowIpv6 = new IpfixTemplate(TofFlowIpv6Id,
        [
            new(E.SourceIpv6Address, 16), new(E.DestinationIpv6Address, 16), new(E.PostNatSourceIpv6Address, 16), new(E.PostNatDestinationIpv6Address, 16),
            .. Flow,
        ]);
        GtpUTunnel = new IpfixTemplate(GtpUTunnelId,
        [
            new(E.SourceIpv6Address, 16), new(E.DestinationIpv6Address, 16), new(TeidElement, 4, enterpriseNumber), new(UeAddressElement, 16, enterpriseNumber),
            .. Counts,
        ]);
        VxlanVni = new IpfixTemplate(VxlanVniId, [new(E.Layer2SegmentId, 8), new(E.FlowDirection, 1), .. Counts]);
        MapCacheIpv4 = new IpfixTemplate(MapCacheIpv4Id,
            [new(E.IngressVrfId, 4), new(E.DestinationIpv4Prefix, 4), new(E.DestinationIpv4PrefixLength, 1), new(E.IpNextHopIpv6Address, 16), .. Counts]);
        MapCacheIpv6 = new IpfixTemplate(MapCacheIpv6Id,
            [new(E.IngressVrfId, 4), new(E.DestinationIpv6Prefix, 16), new(E.DestinationIpv6PrefixLength, 1), new(E.IpNextHopIpv6Address, 16), .. Counts]);
        All = [TofFlowIpv4, TofFlowIpv6, GtpUTunnel, VxlanVni, MapCacheIpv4, MapCacheIpv6];
    }

    // Ports, protocol, then what every record ends with.
    private static readonly IpfixFieldSpecifier[] Flow =
        [new(E.SourceTransportPort, 2), new(E.DestinationTransportPort, 2), new(E.ProtocolIdentifier, 1), .. Counts];

    // packetDeltaCount, octetDeltaCount, flowStartMilliseconds, flowEndMilliseconds, flowEndReason.
    private static IpfixFieldSpecifier[] Counts =>
        [new(E.PacketDeltaCount, 8), new(E.OctetDeltaCount, 8), new(E.FlowStartMilliseconds, 8), new(E.FlowEndMilliseconds, 8), new(E.FlowEndReason, 1)];

    public uint EnterpriseNumber { get; }

    /// <summary>An offloaded TOF flow, IPv4, one direction: before and after the NAT, ports, protocol, counts.</summary>
    public IpfixTemplate TofFlowIpv4 { get; }

    public IpfixTemplate TofFlowIpv6 { get; }

    /// <summary>A UE's GTP-U tunnel, one direction: the outer addresses (IPv4 as IPv4-mapped IPv6; eNB to SGW is the uplink), TEID, UE address, counts.</summary>
    public IpfixTemplate GtpUTunnel { get; }

    /// <summary>A VXLAN VNI, one direction (ingress = decapsulated, egress = encapsulated): counts.</summary>
    public IpfixTemplate VxlanVni { get; }

    /// <summary>A LISP map-cache entry: instance ID, EID prefix, the RLOC last used (IPv4 as IPv4-mapped IPv6), encapsulated counts.</summary>
    public IpfixTemplate MapCacheIpv4 { get; }

    public IpfixTemplate MapCacheIpv6 { get; }

    public IReadOnlyList<IpfixTemplate> All { get; }
}
