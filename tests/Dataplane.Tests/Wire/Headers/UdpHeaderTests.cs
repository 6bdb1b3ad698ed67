using Dataplane.Wire.Addresses;
using Dataplane.Wire.Checksums;
using Dataplane.Wire.Headers;

namespace Dataplane.Tests.Wire.Headers;

public class UdpHeaderTests
{
    // Scapy 2.5.0: IP(src="10.0.0.1", dst="10.0.0.2", ttl=64, id=0) / UDP(sport=5000, dport=53) / "hello".
    private const string OverIpv4 = "45 00 00 21 00 00 00 00 40 11 66 ca 0a 00 00 01 0a 00 00 02 13 88 00 35 00 0d 94 42 68 65 6c 6c 6f";

    // Scapy 2.5.0: IPv6(src="2001:db8::1", dst="2001:db8::2") / UDP(sport=5000, dport=53) / "hello".
    private const string OverIpv6 =
        "60 00 00 00 00 0d 11 40 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02 " +
        "13 88 00 35 00 0d 4c d0 68 65 6c 6c 6f";

    private static readonly Ipv4Address V4Source = Ipv4Address.Parse("10.0.0.1");
    private static readonly Ipv4Address V4Destination = Ipv4Address.Parse("10.0.0.2");
    private static readonly Ipv6Address V6Source = Ipv6Address.Parse("2001:db8::1");
    private static readonly Ipv6Address V6Destination = Ipv6Address.Parse("2001:db8::2");

    [Fact]
    public void Reads_every_field_and_verifies_the_scapy_checksum_over_ipv4()
    {
        byte[] packet = Hex.Bytes(OverIpv4);
        Assert.True(UdpHeader.TryCreate(packet.AsSpan(20), out var udp));
        Assert.Equal(5000, udp.SourcePort);
        Assert.Equal(53, udp.DestinationPort);
        Assert.Equal(13, udp.TotalLength);
        Assert.Equal(0x9442, udp.Checksum);
        Assert.Equal(8, udp.HeaderLength);
        Assert.Equal("hello"u8.ToArray(), udp.Payload.ToArray());
        Assert.True(udp.IsChecksumValid(V4Source, V4Destination));
        Assert.Equal(0x9442, udp.ComputeChecksum(V4Source, V4Destination));
        Assert.False(udp.IsChecksumValid(V4Destination, Ipv4Address.Parse("10.0.0.3")));
    }

    [Fact]
    public void Verifies_the_scapy_checksum_over_ipv6()
    {
        byte[] packet = Hex.Bytes(OverIpv6);
        Assert.True(UdpHeader.TryCreate(packet.AsSpan(40), out var udp));
        Assert.Equal(0x4cd0, udp.Checksum);
        Assert.True(udp.IsChecksumValid(V6Source, V6Destination));
        Assert.Equal(0x4cd0, udp.ComputeChecksum(V6Source, V6Destination));
    }

    [Fact]
    public void Setters_write_every_field_byte_for_byte()
    {
        var buffer = new byte[11];
        Assert.True(UdpHeader.TryCreateForWrite(buffer, out var udp));
        udp.SourcePort = 4789;
        udp.DestinationPort = 4790;
        udp.TotalLength = 11;
        Hex.Bytes("01 02 03").CopyTo(udp.Payload);
        udp.Checksum = udp.ComputeChecksum(Ipv6Address.Parse("2001:db8::a"), Ipv6Address.Parse("2001:db8::b"));

        // Scapy 2.5.0: IPv6(src="2001:db8::a", dst="2001:db8::b") / UDP(sport=4789, dport=4790) / b"\x01\x02\x03".
        Assert.Equal(Hex.Bytes("12 b5 12 b6 00 0b 7a e4 01 02 03"), buffer);
    }

    [Fact]
    public void A_computed_zero_is_sent_as_all_ones()
    {
        // Pick the last payload word so that the sum is 0xffff: RFC 768 then requires 0xffff, not 0 ("no checksum").
        var buffer = new byte[10];
        Assert.True(UdpHeader.TryCreateForWrite(buffer, out var udp));
        udp.SourcePort = 1;
        udp.DestinationPort = 2;
        udp.TotalLength = 10;
        uint pseudo = InternetChecksum.PseudoHeaderSum(V4Source, V4Destination, 17, 10);
        uint partial = ScalarChecksum.Sum(buffer, pseudo);
        ushort filler = (ushort)(0xFFFF - partial);
        buffer[8] = (byte)(filler >> 8);
        buffer[9] = (byte)filler;

        Assert.Equal(0xFFFF, udp.ComputeChecksum(V4Source, V4Destination));
        udp.Checksum = 0xFFFF;
        Assert.True(udp.IsChecksumValid(V4Source, V4Destination));
    }

    [Fact]
    public void Payload_ignores_bytes_past_the_length_field()
    {
        byte[] datagram = [.. Hex.Bytes(OverIpv4)[20..], 0, 0, 0];
        Assert.True(UdpHeader.TryCreate(datagram, out var udp));
        Assert.Equal(5, udp.Payload.Length);
        Assert.Equal(13, udp.Datagram.Length);
        Assert.True(udp.IsChecksumValid(V4Source, V4Destination));
    }

    [Theory]
    [InlineData(7)]
    [InlineData(0)]
    [InlineData(14)]
    [InlineData(0xFFFF)]
    public void Refuses_a_lying_length_field(int length)
    {
        byte[] datagram = Hex.Bytes(OverIpv4)[20..];
        datagram[4] = (byte)(length >> 8);
        datagram[5] = (byte)length;
        Assert.False(UdpHeader.TryCreate(datagram, out _));
    }

    [Fact]
    public void Refuses_a_buffer_shorter_than_the_header()
    {
        Assert.False(UdpHeader.TryCreate(new byte[7], out _));
        Assert.False(UdpHeader.TryCreateForWrite(new byte[7], out _));
    }
}
