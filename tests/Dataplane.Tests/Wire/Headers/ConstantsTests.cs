using Dataplane.Wire.Headers;
using PdnEtherType = PacketDotNet.EthernetType;
using PdnProtocol = PacketDotNet.ProtocolType;

namespace Dataplane.Tests.Wire.Headers;

/// <summary>Our protocol numbers against PacketDotNet's enums, which were transcribed from the IANA/IEEE registries by other hands.</summary>
public class ConstantsTests
{
    [Fact]
    public void Ether_types_match_packetdotnet()
    {
        Assert.Equal((ushort)PdnEtherType.IPv4, EtherType.Ipv4);
        Assert.Equal((ushort)PdnEtherType.Arp, EtherType.Arp);
        Assert.Equal((ushort)PdnEtherType.VLanTaggedFrame, EtherType.Vlan);
        Assert.Equal((ushort)PdnEtherType.ProviderBridging, EtherType.QinQ);
        Assert.Equal((ushort)PdnEtherType.QInQ, EtherType.LegacyQinQ);
        Assert.Equal((ushort)PdnEtherType.IPv6, EtherType.Ipv6);
        Assert.Equal((ushort)PdnEtherType.MplsUnicast, EtherType.MplsUnicast);
    }

    [Fact]
    public void Ip_protocol_numbers_match_packetdotnet()
    {
        Assert.Equal((byte)PdnProtocol.IPv6HopByHopOptions, IpProtocol.HopByHopOptions);
        Assert.Equal((byte)PdnProtocol.Icmp, IpProtocol.Icmp);
        Assert.Equal((byte)PdnProtocol.Igmp, IpProtocol.Igmp);
        Assert.Equal((byte)PdnProtocol.IPv4, IpProtocol.IpInIp);
        Assert.Equal((byte)PdnProtocol.Tcp, IpProtocol.Tcp);
        Assert.Equal((byte)PdnProtocol.Udp, IpProtocol.Udp);
        Assert.Equal((byte)PdnProtocol.IPv6, IpProtocol.Ipv6);
        Assert.Equal((byte)PdnProtocol.IPv6RoutingHeader, IpProtocol.Routing);
        Assert.Equal((byte)PdnProtocol.IPv6FragmentHeader, IpProtocol.Fragment);
        Assert.Equal((byte)PdnProtocol.Gre, IpProtocol.Gre);
        Assert.Equal((byte)PdnProtocol.IPSecEncapsulatingSecurityPayload, IpProtocol.Esp);
        Assert.Equal((byte)PdnProtocol.IPSecAuthenticationHeader, IpProtocol.AuthenticationHeader);
        Assert.Equal((byte)PdnProtocol.IcmpV6, IpProtocol.Icmpv6);
        Assert.Equal((byte)PdnProtocol.IPv6NoNextHeader, IpProtocol.NoNextHeader);
        Assert.Equal((byte)PdnProtocol.IPv6DestinationOptions, IpProtocol.DestinationOptions);
    }

    [Fact]
    public void Icmp_types_match_packetdotnet()
    {
        Assert.Equal((ushort)PacketDotNet.IcmpV4TypeCode.EchoRequest >> 8, Icmpv4Type.EchoRequest);
        Assert.Equal((ushort)PacketDotNet.IcmpV4TypeCode.EchoReply >> 8, Icmpv4Type.EchoReply);
        Assert.Equal((ushort)PacketDotNet.IcmpV4TypeCode.UnreachableFragmentationNeeded, (Icmpv4Type.DestinationUnreachable << 8) | Icmpv4Type.CodeFragmentationNeeded);
        Assert.Equal((byte)PacketDotNet.IcmpV6Type.DestinationUnreachable, Icmpv6Type.DestinationUnreachable);
        Assert.Equal((byte)PacketDotNet.IcmpV6Type.PacketTooBig, Icmpv6Type.PacketTooBig);
        Assert.Equal((byte)PacketDotNet.IcmpV6Type.EchoRequest, Icmpv6Type.EchoRequest);
        Assert.Equal((byte)PacketDotNet.IcmpV6Type.EchoReply, Icmpv6Type.EchoReply);
        Assert.Equal((byte)PacketDotNet.IcmpV6Type.NeighborSolicitation, Icmpv6Type.NeighborSolicitation);
    }
}
