using Dataplane.Wire.Addresses;
using Dataplane.Wire.Headers;

namespace Dataplane.Tests.Wire.Headers;

public class Ipv6HeaderTests
{
    // Scapy 2.5.0: IPv6(src="2001:db8::1", dst="2001:db8::2", tc=0xb8, fl=0x12345, hlim=64)
    //   / ICMPv6EchoRequest(id=0x1234, seq=1, data=b"ping").
    // First word 6b 81 23 45 = version 6 | traffic class 0xb8 (DSCP 46 EF, ECN 0) | flow label 0x12345.
    internal const string EchoRequest =
        "6b 81 23 45 00 0c 3a 40 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01 " +
        "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02 80 00 33 3e 12 34 00 01 70 69 6e 67";

    [Fact]
    public void Reads_every_field_of_a_scapy_packet()
    {
        Assert.True(Ipv6Header.TryCreate(Hex.Bytes(EchoRequest), out var ip));
        Assert.Equal(6, ip.Version);
        Assert.Equal(0xb8, ip.TrafficClass);
        Assert.Equal(46, ip.Dscp);
        Assert.Equal(0, ip.Ecn);
        Assert.Equal(0x12345u, ip.FlowLabel);
        Assert.Equal(12, ip.PayloadLength);
        Assert.Equal(IpProtocol.Icmpv6, ip.NextHeader);
        Assert.Equal(64, ip.HopLimit);
        Assert.Equal(Ipv6Address.Parse("2001:db8::1"), ip.Source);
        Assert.Equal(Ipv6Address.Parse("2001:db8::2"), ip.Destination);
        Assert.Equal(40, ip.HeaderLength);
        Assert.Equal(Hex.Bytes("80 00 33 3e 12 34 00 01 70 69 6e 67"), ip.Payload.ToArray());
    }

    [Fact]
    public void Setters_write_every_field_byte_for_byte()
    {
        var buffer = new byte[40];
        Assert.True(Ipv6Header.TryCreateForWrite(buffer, out var ip));
        ip.Version = 6;
        ip.Dscp = 10;
        ip.Ecn = 3;
        ip.FlowLabel = 0xabcde;
        ip.PayloadLength = 0;
        ip.NextHeader = IpProtocol.NoNextHeader;
        ip.HopLimit = 255;
        ip.Source = Ipv6Address.Parse("fe80::1");
        ip.Destination = Ipv6Address.Parse("ff02::1");

        // Version 6 | traffic class (10 << 2 | 3 = 0x2b) | flow label 0xabcde = 0x62babcde (RFC 8200 section 3).
        Assert.Equal(
            Hex.Bytes("62 ba bc de 00 00 3b ff fe 80 00 00 00 00 00 00 00 00 00 00 00 00 00 01 " +
                      "ff 02 00 00 00 00 00 00 00 00 00 00 00 00 00 01"),
            buffer);
        Assert.Equal(0x2b, ip.TrafficClass);
    }

    [Fact]
    public void Fields_that_share_bytes_do_not_clobber_each_other()
    {
        var buffer = new byte[40];
        Assert.True(Ipv6Header.TryCreateForWrite(buffer, out var ip));
        ip.Version = 6;
        ip.TrafficClass = 0xff;
        ip.FlowLabel = 0xFFFF_FFFF;
        Assert.Equal(0xF_FFFFu, ip.FlowLabel);
        Assert.Equal(6, ip.Version);
        ip.FlowLabel = 0;
        Assert.Equal(0xff, ip.TrafficClass);
        ip.TrafficClass = 0;
        Assert.Equal(6, ip.Version);
        Assert.Equal(Hex.Bytes("60 00 00 00"), buffer[..4]);
    }

    [Fact]
    public void Payload_is_bounded_by_payload_length()
    {
        byte[] packet = [.. Hex.Bytes(EchoRequest), 0, 0, 0, 0];
        Assert.True(Ipv6Header.TryCreate(packet, out var ip));
        Assert.Equal(12, ip.Payload.Length);
        Assert.Equal(52, ip.Packet.Length);
    }

    [Fact]
    public void Refuses_wrong_version_short_buffers_and_a_lying_payload_length()
    {
        byte[] packet = Hex.Bytes(EchoRequest);
        Assert.False(Ipv6Header.TryCreate(packet.AsSpan(0, 39), out _));
        Assert.False(Ipv6Header.TryCreate(packet.AsSpan(0, 51), out _));
        packet[5] = 13;
        Assert.False(Ipv6Header.TryCreate(packet, out _));
        packet[5] = 12;
        packet[0] = 0x4b;
        Assert.False(Ipv6Header.TryCreate(packet, out _));
    }
}
