using Dataplane.Wire.Addresses;
using Dataplane.Wire.Headers;

namespace Dataplane.Tests.Wire.Headers;

/// <summary>
/// Frames written only through our setters and checksum helpers, for PacketDotNet to judge and for the
/// robustness tests to cut up. Each returns a complete Ethernet frame.
/// </summary>
internal static class OurFrames
{
    public static readonly MacAddress Source = MacAddress.Parse("02:00:00:00:00:01");
    public static readonly MacAddress Destination = MacAddress.Parse("02:00:00:00:00:02");
    public static readonly Ipv4Address V4Source = Ipv4Address.Parse("192.0.2.1");
    public static readonly Ipv4Address V4Destination = Ipv4Address.Parse("198.51.100.7");
    public static readonly Ipv6Address V6Source = Ipv6Address.Parse("2001:db8::1");
    public static readonly Ipv6Address V6Destination = Ipv6Address.Parse("2001:db8::2");

    /// <summary>Ethernet, S-tag 100 (PCP 5), C-tag 200 (PCP 1, DEI), IPv4 with a Router Alert option, UDP.</summary>
    public static byte[] QinQIpv4Udp(ReadOnlySpan<byte> payload)
    {
        int l3 = EthernetHeader.Length + (2 * VlanTag.Length);
        int ipLength = 24 + UdpHeader.Length + payload.Length;
        var frame = new byte[l3 + ipLength];
        Assert.True(EthernetHeader.TryCreateForWrite(frame, out var eth));
        eth.Destination = Destination;
        eth.Source = Source;
        eth.EtherType = EtherType.QinQ;
        Assert.True(VlanTag.TryCreateForWrite(eth.Payload, out var outer));
        outer.PriorityCodePoint = 5;
        outer.VlanId = 100;
        outer.EtherType = EtherType.Vlan;
        Assert.True(VlanTag.TryCreateForWrite(outer.Payload, out var inner));
        inner.PriorityCodePoint = 1;
        inner.DropEligible = true;
        inner.VlanId = 200;
        inner.EtherType = EtherType.Ipv4;

        Ipv4Header ip = WriteIpv4(frame.AsSpan(l3), IpProtocol.Udp, ipLength, ihl: 6);
        Span<byte> option = ip.Options;
        option[0] = 0x94;
        option[1] = 0x04;
        Assert.True(UdpHeader.TryCreateForWrite(ip.Payload, out var udp));
        udp.SourcePort = 4789;
        udp.DestinationPort = 53;
        udp.TotalLength = (ushort)(UdpHeader.Length + payload.Length);
        payload.CopyTo(udp.Payload);
        udp.Checksum = udp.ComputeChecksum(ip.Source, ip.Destination);
        ip.UpdateChecksum();
        return frame;
    }

    /// <summary>Ethernet, IPv4, TCP with an MSS option, flags PSH|ACK|ECE.</summary>
    public static byte[] Ipv4Tcp(ReadOnlySpan<byte> payload)
    {
        int ipLength = Ipv4Header.MinLength + 24 + payload.Length;
        var frame = new byte[EthernetHeader.Length + ipLength];
        WriteEthernet(frame, EtherType.Ipv4);
        Ipv4Header ip = WriteIpv4(frame.AsSpan(EthernetHeader.Length), IpProtocol.Tcp, ipLength, ihl: 5);
        Assert.True(TcpHeader.TryCreateForWrite(ip.Payload, out var tcp));
        tcp.SourcePort = 50000;
        tcp.DestinationPort = 443;
        tcp.SequenceNumber = 0xfedcba98;
        tcp.AcknowledgmentNumber = 0x01234567;
        tcp.DataOffset = 6;
        tcp.Flags = TcpFlags.Psh | TcpFlags.Ack | TcpFlags.Ece;
        tcp.Window = 29200;
        tcp.UrgentPointer = 0;
        tcp.Options[0] = 2;
        tcp.Options[1] = 4;
        tcp.Options[2] = 0x05;
        tcp.Options[3] = 0xb4;
        payload.CopyTo(tcp.Payload);
        tcp.Checksum = tcp.ComputeChecksum(ip.Source, ip.Destination);
        ip.UpdateChecksum();
        return frame;
    }

    /// <summary>Ethernet, IPv4, ICMP echo request id 0x4242 seq 9.</summary>
    public static byte[] Ipv4IcmpEcho(ReadOnlySpan<byte> payload)
    {
        int ipLength = Ipv4Header.MinLength + Icmpv4Header.Length + payload.Length;
        var frame = new byte[EthernetHeader.Length + ipLength];
        WriteEthernet(frame, EtherType.Ipv4);
        Ipv4Header ip = WriteIpv4(frame.AsSpan(EthernetHeader.Length), IpProtocol.Icmp, ipLength, ihl: 5);
        Assert.True(Icmpv4Header.TryCreateForWrite(ip.Payload, out var icmp));
        icmp.Type = Icmpv4Type.EchoRequest;
        icmp.Code = 0;
        icmp.Identifier = 0x4242;
        icmp.SequenceNumber = 9;
        payload.CopyTo(icmp.Payload);
        icmp.UpdateChecksum();
        ip.UpdateChecksum();
        return frame;
    }

    /// <summary>Ethernet, IPv6 (TC 0xb8, flow 0x12345), UDP.</summary>
    public static byte[] Ipv6Udp(ReadOnlySpan<byte> payload)
    {
        int upper = UdpHeader.Length + payload.Length;
        var frame = new byte[EthernetHeader.Length + Ipv6Header.Length + upper];
        WriteEthernet(frame, EtherType.Ipv6);
        Ipv6Header ip = WriteIpv6(frame.AsSpan(EthernetHeader.Length), IpProtocol.Udp, upper);
        Assert.True(UdpHeader.TryCreateForWrite(ip.Payload, out var udp));
        udp.SourcePort = 2152;
        udp.DestinationPort = 2152;
        udp.TotalLength = (ushort)upper;
        payload.CopyTo(udp.Payload);
        udp.Checksum = udp.ComputeChecksum(ip.Source, ip.Destination);
        return frame;
    }

    /// <summary>Ethernet, IPv6, TCP SYN.</summary>
    public static byte[] Ipv6Tcp(ReadOnlySpan<byte> payload)
    {
        int upper = TcpHeader.MinLength + payload.Length;
        var frame = new byte[EthernetHeader.Length + Ipv6Header.Length + upper];
        WriteEthernet(frame, EtherType.Ipv6);
        Ipv6Header ip = WriteIpv6(frame.AsSpan(EthernetHeader.Length), IpProtocol.Tcp, upper);
        Assert.True(TcpHeader.TryCreateForWrite(ip.Payload, out var tcp));
        tcp.SourcePort = 1234;
        tcp.DestinationPort = 80;
        tcp.SequenceNumber = 77;
        tcp.DataOffset = 5;
        tcp.Syn = true;
        tcp.Cwr = true;
        tcp.Window = 1024;
        payload.CopyTo(tcp.Payload);
        tcp.Checksum = tcp.ComputeChecksum(ip.Source, ip.Destination);
        return frame;
    }

    /// <summary>Ethernet, IPv6, ICMPv6 packet-too-big (MTU 1280) quoting <paramref name="invoking"/>.</summary>
    public static byte[] Ipv6PacketTooBig(ReadOnlySpan<byte> invoking)
    {
        int upper = Icmpv6Header.Length + invoking.Length;
        var frame = new byte[EthernetHeader.Length + Ipv6Header.Length + upper];
        WriteEthernet(frame, EtherType.Ipv6);
        Ipv6Header ip = WriteIpv6(frame.AsSpan(EthernetHeader.Length), IpProtocol.Icmpv6, upper);
        Assert.True(Icmpv6Header.TryCreateForWrite(ip.Payload, out var icmp));
        icmp.Type = Icmpv6Type.PacketTooBig;
        icmp.Code = 0;
        icmp.Mtu = 1280;
        invoking.CopyTo(icmp.InvokingPacket);
        icmp.UpdateChecksum(ip.Source, ip.Destination);
        return frame;
    }

    /// <summary>Ethernet, IPv6, hop-by-hop (PadN), fragment (offset 0, M, id 0x0badcafe), UDP.</summary>
    public static byte[] Ipv6FragmentedUdp(ReadOnlySpan<byte> payload)
    {
        int upper = 8 + 8 + UdpHeader.Length + payload.Length;
        var frame = new byte[EthernetHeader.Length + Ipv6Header.Length + upper];
        WriteEthernet(frame, EtherType.Ipv6);
        Ipv6Header ip = WriteIpv6(frame.AsSpan(EthernetHeader.Length), IpProtocol.HopByHopOptions, upper);
        Span<byte> extensions = ip.Payload;
        extensions[0] = IpProtocol.Fragment;
        extensions[1] = 0;
        extensions[2] = 1; // PadN
        extensions[3] = 4;
        extensions[8] = IpProtocol.Udp;
        extensions[11] = 0x01; // offset 0, M = 1
        extensions[12] = 0x0b;
        extensions[13] = 0xad;
        extensions[14] = 0xca;
        extensions[15] = 0xfe;
        Assert.True(UdpHeader.TryCreateForWrite(extensions[16..], out var udp));
        udp.SourcePort = 7;
        udp.DestinationPort = 9;
        udp.TotalLength = (ushort)(UdpHeader.Length + payload.Length);
        payload.CopyTo(udp.Payload);
        return frame;
    }

    /// <summary>Ethernet broadcast, ARP request 192.0.2.1 asking for 198.51.100.7.</summary>
    public static byte[] ArpRequest()
    {
        var frame = new byte[EthernetHeader.Length + ArpHeader.Length];
        Assert.True(EthernetHeader.TryCreateForWrite(frame, out var eth));
        eth.Destination = MacAddress.Broadcast;
        eth.Source = Source;
        eth.EtherType = EtherType.Arp;
        Assert.True(ArpHeader.TryCreateForWrite(eth.Payload, out var arp));
        arp.HardwareType = ArpOperation.HardwareTypeEthernet;
        arp.ProtocolType = EtherType.Ipv4;
        arp.HardwareLength = 6;
        arp.ProtocolLength = 4;
        arp.Operation = ArpOperation.Request;
        arp.SenderHardwareAddress = Source;
        arp.SenderProtocolAddress = V4Source;
        arp.TargetHardwareAddress = MacAddress.Zero;
        arp.TargetProtocolAddress = V4Destination;
        return frame;
    }

    private static void WriteEthernet(Span<byte> frame, ushort etherType)
    {
        Assert.True(EthernetHeader.TryCreateForWrite(frame, out var eth));
        eth.Destination = Destination;
        eth.Source = Source;
        eth.EtherType = etherType;
    }

    private static Ipv4Header WriteIpv4(Span<byte> bytes, byte protocol, int totalLength, byte ihl)
    {
        Assert.True(Ipv4Header.TryCreateForWrite(bytes, out var ip));
        ip.Version = 4;
        ip.Ihl = ihl;
        ip.Dscp = 46;
        ip.Ecn = 2;
        ip.TotalLength = (ushort)totalLength;
        ip.Identification = 0x1c46;
        ip.DontFragment = true;
        ip.TimeToLive = 64;
        ip.Protocol = protocol;
        ip.Source = V4Source;
        ip.Destination = V4Destination;
        return ip;
    }

    private static Ipv6Header WriteIpv6(Span<byte> bytes, byte nextHeader, int payloadLength)
    {
        Assert.True(Ipv6Header.TryCreateForWrite(bytes, out var ip));
        ip.Version = 6;
        ip.TrafficClass = 0xb8;
        ip.FlowLabel = 0x12345;
        ip.PayloadLength = (ushort)payloadLength;
        ip.NextHeader = nextHeader;
        ip.HopLimit = 64;
        ip.Source = V6Source;
        ip.Destination = V6Destination;
        return ip;
    }
}
