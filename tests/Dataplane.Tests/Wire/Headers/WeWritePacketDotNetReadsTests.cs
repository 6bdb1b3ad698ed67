using PacketDotNet;

namespace Dataplane.Tests.Wire.Headers;

/// <summary>
/// Frames written with our setters and checksum helpers (<see cref="OurFrames"/>) are parsed by PacketDotNet,
/// which must see the fields we meant and, where it can check them, valid checksums.
/// </summary>
public class WeWritePacketDotNetReadsTests
{
    private static readonly byte[] Data = "The quick brown fox jumps over the lazy dog"u8.ToArray(); // odd length on purpose

    [Fact]
    public void QinQ_ipv4_with_options_and_udp()
    {
        var packet = Packet.ParsePacket(LinkLayers.Ethernet, OurFrames.QinQIpv4Udp(Data));

        var eth = Assert.IsType<EthernetPacket>(packet);
        Assert.Equal(Bcl.Physical(OurFrames.Destination), eth.DestinationHardwareAddress);
        Assert.Equal(Bcl.Physical(OurFrames.Source), eth.SourceHardwareAddress);
        Assert.Equal(PacketDotNet.EthernetType.ProviderBridging, eth.Type); // PacketDotNet names 0x88a8 after 802.1ad "provider bridging"

        var outer = Assert.IsType<Ieee8021QPacket>(eth.PayloadPacket);
        Assert.Equal(100, outer.VlanIdentifier);
        Assert.Equal(5, (int)outer.PriorityControlPoint);
        Assert.False(outer.CanonicalFormatIndicator);
        Assert.Equal(PacketDotNet.EthernetType.VLanTaggedFrame, outer.Type);
        var inner = Assert.IsType<Ieee8021QPacket>(outer.PayloadPacket);
        Assert.Equal(200, inner.VlanIdentifier);
        Assert.Equal(1, (int)inner.PriorityControlPoint);
        Assert.True(inner.CanonicalFormatIndicator); // PacketDotNet's name for the bit 802.1Q now calls DEI
        Assert.Equal(PacketDotNet.EthernetType.IPv4, inner.Type);

        var ip = Assert.IsType<IPv4Packet>(inner.PayloadPacket);
        Assert.Equal(6, ip.HeaderLength);
        Assert.Equal((46 << 2) | 2, ip.DifferentiatedServices);
        Assert.Equal(24 + 8 + Data.Length, ip.TotalLength);
        Assert.Equal(0x1c46, ip.Id);
        Assert.Equal(0b010, ip.FragmentFlags);
        Assert.Equal(0, ip.FragmentOffset);
        Assert.Equal(64, ip.TimeToLive);
        Assert.Equal(ProtocolType.Udp, ip.Protocol);
        Assert.Equal(Bcl.Ip(OurFrames.V4Source), ip.SourceAddress);
        Assert.Equal(Bcl.Ip(OurFrames.V4Destination), ip.DestinationAddress);
        Assert.True(ip.ValidIPChecksum);

        var udp = Assert.IsType<UdpPacket>(ip.PayloadPacket);
        Assert.Equal(4789, udp.SourcePort);
        Assert.Equal(53, udp.DestinationPort);
        Assert.Equal(8 + Data.Length, udp.Length);
        Assert.Equal(Data, udp.PayloadData);
        Assert.True(udp.ValidUdpChecksum);
    }

    [Fact]
    public void Ipv4_tcp_with_options()
    {
        var packet = Packet.ParsePacket(LinkLayers.Ethernet, OurFrames.Ipv4Tcp(Data));
        var ip = packet.Extract<IPv4Packet>();
        Assert.NotNull(ip);
        Assert.True(ip.ValidIPChecksum);
        var tcp = packet.Extract<TcpPacket>();
        Assert.NotNull(tcp);
        Assert.Equal(50000, tcp.SourcePort);
        Assert.Equal(443, tcp.DestinationPort);
        Assert.Equal(0xfedcba98u, tcp.SequenceNumber);
        Assert.Equal(0x01234567u, tcp.AcknowledgmentNumber);
        Assert.Equal(6, tcp.DataOffset);
        Assert.True(tcp.Push && tcp.Acknowledgment && tcp.ExplicitCongestionNotificationEcho);
        Assert.False(tcp.Synchronize || tcp.Finished || tcp.Reset || tcp.Urgent || tcp.CongestionWindowReduced);
        Assert.Equal(29200, tcp.WindowSize);
        Assert.Equal([2, 4, 0x05, 0xb4], tcp.Options);
        Assert.Equal(Data, tcp.PayloadData);
        Assert.True(tcp.ValidTcpChecksum);
    }

    [Fact]
    public void Ipv4_icmp_echo()
    {
        var packet = Packet.ParsePacket(LinkLayers.Ethernet, OurFrames.Ipv4IcmpEcho(Data));
        var icmp = packet.Extract<IcmpV4Packet>();
        Assert.NotNull(icmp);
        Assert.Equal(IcmpV4TypeCode.EchoRequest, icmp.TypeCode);
        Assert.Equal(0x4242, icmp.Id);
        Assert.Equal(9, icmp.Sequence);
        Assert.Equal(Data, icmp.Data);
        Assert.True(icmp.ValidIcmpChecksum);
        Assert.True(packet.Extract<IPv4Packet>()!.ValidIPChecksum);
    }

    [Fact]
    public void Ipv6_udp()
    {
        var packet = Packet.ParsePacket(LinkLayers.Ethernet, OurFrames.Ipv6Udp(Data));
        var ip = packet.Extract<IPv6Packet>();
        Assert.NotNull(ip);
        Assert.Equal(IPVersion.IPv6, ip.Version);
        Assert.Equal(0xb8, ip.TrafficClass);
        Assert.Equal(0x12345, ip.FlowLabel);
        Assert.Equal(8 + Data.Length, ip.PayloadLength);
        Assert.Equal(ProtocolType.Udp, ip.NextHeader);
        Assert.Equal(64, ip.HopLimit);
        Assert.Equal(Bcl.Ip(OurFrames.V6Source), ip.SourceAddress);
        Assert.Equal(Bcl.Ip(OurFrames.V6Destination), ip.DestinationAddress);
        var udp = packet.Extract<UdpPacket>();
        Assert.NotNull(udp);
        Assert.Equal(2152, udp.SourcePort);
        Assert.Equal(Data, udp.PayloadData);
        Assert.True(udp.ValidUdpChecksum);
    }

    [Fact]
    public void Ipv6_tcp()
    {
        var packet = Packet.ParsePacket(LinkLayers.Ethernet, OurFrames.Ipv6Tcp(Data));
        var tcp = packet.Extract<TcpPacket>();
        Assert.NotNull(tcp);
        Assert.Equal(1234, tcp.SourcePort);
        Assert.Equal(80, tcp.DestinationPort);
        Assert.Equal(77u, tcp.SequenceNumber);
        Assert.True(tcp.Synchronize && tcp.CongestionWindowReduced);
        Assert.False(tcp.Acknowledgment);
        Assert.Equal(1024, tcp.WindowSize);
        Assert.True(tcp.ValidTcpChecksum);
    }

    [Fact]
    public void Ipv6_icmpv6_packet_too_big()
    {
        byte[] invoking = OurFrames.Ipv6Udp(Data)[14..];
        var packet = Packet.ParsePacket(LinkLayers.Ethernet, OurFrames.Ipv6PacketTooBig(invoking));
        var icmp = packet.Extract<IcmpV6Packet>();
        Assert.NotNull(icmp);
        Assert.Equal(IcmpV6Type.PacketTooBig, icmp.Type);
        Assert.Equal(0, icmp.Code);
        Assert.Equal(invoking, icmp.Bytes[8..]);
        Assert.Equal(new byte[] { 0, 0, 5, 0 }, icmp.Bytes[4..8]);
        // Our checksum is checked against Scapy and tshark in Icmpv6HeaderTests, not here: PacketDotNet 1.4.8 gets it wrong.
    }

    [Fact]
    public void Ipv6_extension_headers_lead_to_udp()
    {
        var packet = Packet.ParsePacket(LinkLayers.Ethernet, OurFrames.Ipv6FragmentedUdp(Data));
        var ip = packet.Extract<IPv6Packet>();
        Assert.NotNull(ip);
        Assert.Equal(ProtocolType.IPv6HopByHopOptions, ip.NextHeader);
        Assert.Equal(2, ip.ExtensionHeaders.Count);
        Assert.Equal(ProtocolType.Udp, ip.Protocol);
        Assert.Equal(16, ip.ExtensionHeadersLength);
    }

    [Fact]
    public void Arp_request()
    {
        var packet = Packet.ParsePacket(LinkLayers.Ethernet, OurFrames.ArpRequest());
        var arp = packet.Extract<ArpPacket>();
        Assert.NotNull(arp);
        Assert.Equal(PacketDotNet.ArpOperation.Request, arp.Operation);
        Assert.Equal(LinkLayers.Ethernet, arp.HardwareAddressType);
        Assert.Equal(PacketDotNet.EthernetType.IPv4, arp.ProtocolAddressType);
        Assert.Equal(6, arp.HardwareAddressLength);
        Assert.Equal(4, arp.ProtocolAddressLength);
        Assert.Equal(Bcl.Physical(OurFrames.Source), arp.SenderHardwareAddress);
        Assert.Equal(Bcl.Ip(OurFrames.V4Source), arp.SenderProtocolAddress);
        Assert.Equal(Bcl.Ip(OurFrames.V4Destination), arp.TargetProtocolAddress);
    }
}
