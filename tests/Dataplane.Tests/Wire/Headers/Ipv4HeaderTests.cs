using Dataplane.Wire.Addresses;
using Dataplane.Wire.Headers;

namespace Dataplane.Tests.Wire.Headers;

public class Ipv4HeaderTests
{
    // The worked example of the IPv4 header checksum (Wikipedia, "Internet checksum" / "IPv4 header checksum"):
    // 192.168.0.1 -> 192.168.0.199, UDP, TTL 64, DF, total length 0x73 = 115, published checksum 0xb861.
    private const string Classic = "45 00 00 73 00 00 40 00 40 11 b8 61 c0 a8 00 01 c0 a8 00 c7";

    // Scapy 2.5.0: IP(src="192.168.1.10", dst="224.0.0.22", ttl=1, proto=2, tos=0xc0, flags="DF",
    // options=[IPOption_Router_Alert()]) / 8 bytes: an IGMPv3 report with the RFC 2113 Router Alert option.
    private const string WithRouterAlert =
        "46 c0 00 20 00 00 40 00 01 02 42 4f c0 a8 01 0a e0 00 00 16 94 04 00 00 22 00 f9 fd 00 00 00 00";

    private static byte[] ClassicPacket(int extraPadding = 0)
    {
        var packet = new byte[115 + extraPadding];
        Hex.Bytes(Classic).CopyTo(packet, 0);
        return packet;
    }

    [Fact]
    public void Reads_every_field_of_the_classic_checksum_example()
    {
        byte[] packet = ClassicPacket();
        Assert.True(Ipv4Header.TryCreate(packet, out var ip));
        Assert.Equal(4, ip.Version);
        Assert.Equal(5, ip.Ihl);
        Assert.Equal(20, ip.HeaderLength);
        Assert.Equal(0, ip.Dscp);
        Assert.Equal(0, ip.Ecn);
        Assert.Equal(115, ip.TotalLength);
        Assert.Equal(0, ip.Identification);
        Assert.Equal(0b010, ip.Flags);
        Assert.False(ip.ReservedFlag);
        Assert.True(ip.DontFragment);
        Assert.False(ip.MoreFragments);
        Assert.Equal(0, ip.FragmentOffset);
        Assert.False(ip.IsFragment);
        Assert.Equal(64, ip.TimeToLive);
        Assert.Equal(IpProtocol.Udp, ip.Protocol);
        Assert.Equal(0xb861, ip.Checksum);
        Assert.Equal(Ipv4Address.Parse("192.168.0.1"), ip.Source);
        Assert.Equal(Ipv4Address.Parse("192.168.0.199"), ip.Destination);
        Assert.Equal(0, ip.Options.Length);
        Assert.Equal(95, ip.Payload.Length);
    }

    [Fact]
    public void Checksum_of_the_classic_example_matches_the_published_value()
    {
        byte[] packet = ClassicPacket();
        Assert.True(Ipv4Header.TryCreate(packet, out var ip));
        Assert.True(ip.IsChecksumValid);
        Assert.Equal(0xb861, ip.ComputeChecksum());

        ip.Checksum = 0;
        Assert.False(ip.IsChecksumValid);
        ip.UpdateChecksum();
        Assert.Equal(Hex.Bytes(Classic), packet[..20]);
    }

    [Fact]
    public void Payload_stops_at_total_length_and_ignores_ethernet_padding()
    {
        byte[] packet = ClassicPacket(extraPadding: 7);
        Assert.True(Ipv4Header.TryCreate(packet, out var ip));
        Assert.Equal(95, ip.Payload.Length);
        Assert.Equal(115, ip.Packet.Length);
    }

    [Fact]
    public void Reads_options_and_the_checksum_that_covers_them()
    {
        byte[] packet = Hex.Bytes(WithRouterAlert);
        Assert.True(Ipv4Header.TryCreate(packet, out var ip));
        Assert.Equal(6, ip.Ihl);
        Assert.Equal(24, ip.HeaderLength);
        Assert.Equal(48, ip.Dscp); // tos 0xc0: CS6
        Assert.Equal(0, ip.Ecn);
        Assert.Equal(32, ip.TotalLength);
        Assert.True(ip.DontFragment);
        Assert.Equal(1, ip.TimeToLive);
        Assert.Equal(IpProtocol.Igmp, ip.Protocol);
        Assert.Equal(0x424f, ip.Checksum);
        Assert.Equal(Ipv4Address.Parse("224.0.0.22"), ip.Destination);
        Assert.Equal(Hex.Bytes("94 04 00 00"), ip.Options.ToArray());
        Assert.Equal(Hex.Bytes("22 00 f9 fd 00 00 00 00"), ip.Payload.ToArray());
        Assert.True(ip.IsChecksumValid);
        Assert.Equal(0x424f, ip.ComputeChecksum());
    }

    [Fact]
    public void Reads_fragment_fields()
    {
        // A middle fragment of a 1500-MTU ping train: flags/offset 0x20b9 = MF set, offset 185 (1480 bytes).
        byte[] packet = ClassicPacket();
        packet[6] = 0x20;
        packet[7] = 0xb9;
        Assert.True(Ipv4Header.TryCreate(packet, out var ip));
        Assert.Equal(0b001, ip.Flags);
        Assert.True(ip.MoreFragments);
        Assert.False(ip.DontFragment);
        Assert.Equal(185, ip.FragmentOffset);
        Assert.True(ip.IsFragment);
    }

    [Fact]
    public void Setters_write_every_field_byte_for_byte()
    {
        var buffer = new byte[24];
        Assert.True(Ipv4Header.TryCreateForWrite(buffer, out var ip));
        ip.Version = 4;
        ip.Ihl = 6;
        ip.Dscp = 46;
        ip.Ecn = 1;
        ip.TotalLength = 24;
        ip.Identification = 0xabcd;
        ip.ReservedFlag = false;
        ip.DontFragment = true;
        ip.MoreFragments = true;
        ip.FragmentOffset = 0x1234;
        ip.TimeToLive = 0x80;
        ip.Protocol = IpProtocol.Tcp;
        ip.Source = Ipv4Address.Parse("10.1.2.3");
        ip.Destination = Ipv4Address.Parse("172.16.0.254");
        Hex.Bytes("01 01 01 00").CopyTo(ip.Options);
        ip.UpdateChecksum();

        // Written out by hand from RFC 791 figure 4; checksum 0x6012 computed by a separate Python one-liner.
        Assert.Equal(Hex.Bytes("46 b9 00 18 ab cd 72 34 80 06 60 12 0a 01 02 03 ac 10 00 fe 01 01 01 00"), buffer);

        Assert.True(Ipv4Header.TryCreate(buffer, out var reread));
        Assert.Equal(46, reread.Dscp);
        Assert.Equal(1, reread.Ecn);
        Assert.Equal(0x1234, reread.FragmentOffset);
        Assert.Equal(0b011, reread.Flags);
        Assert.True(reread.IsChecksumValid);
        Assert.Equal(0, reread.Payload.Length);
    }

    [Fact]
    public void Bit_field_setters_leave_their_neighbours_alone()
    {
        var buffer = new byte[20];
        Assert.True(Ipv4Header.TryCreateForWrite(buffer, out var ip));
        ip.Version = 4;
        ip.Ihl = 0xFF;
        Assert.Equal(4, ip.Version);
        Assert.Equal(15, ip.Ihl);
        ip.Ecn = 3;
        ip.Dscp = 0x3F;
        Assert.Equal(0xFF, buffer[1]);
        ip.FragmentOffset = 0xFFFF;
        Assert.Equal(0x1FFF, ip.FragmentOffset);
        Assert.Equal(0, ip.Flags);
        ip.Flags = 0b100;
        Assert.True(ip.ReservedFlag);
        Assert.Equal(0x1FFF, ip.FragmentOffset);
        ip.ReservedFlag = false;
        ip.MoreFragments = true;
        ip.MoreFragments = false;
        Assert.Equal(Hex.Bytes("1f ff"), buffer[6..8]);
    }

    [Fact]
    public void Decrementing_ttl_patches_the_checksum_incrementally()
    {
        byte[] packet = ClassicPacket();
        Assert.True(Ipv4Header.TryCreate(packet, out var ip));
        Assert.True(ip.TryDecrementTimeToLive());
        Assert.Equal(63, ip.TimeToLive);
        // TTL is the high byte of word 4: the sum drops by 0x0100, so the complemented checksum rises by 0x0100.
        Assert.Equal(0xb961, ip.Checksum);
        Assert.True(ip.IsChecksumValid);

        ip.TimeToLive = 1;
        ip.UpdateChecksum();
        Assert.False(ip.TryDecrementTimeToLive());
        Assert.Equal(1, ip.TimeToLive);
    }

    [Fact]
    public void Pseudo_header_sum_uses_its_own_addresses_and_protocol()
    {
        // RFC 768 pseudo-header of the classic example for a 95-byte UDP datagram, summed by hand:
        // c0a8 + 0001 + c0a8 + 00c7 + 0011 + 005f = 0x1_8288 -> folded 0x8289.
        Assert.True(Ipv4Header.TryCreate(ClassicPacket(), out var ip));
        Assert.Equal(0x8289u, ip.PseudoHeaderSum(95));
    }

    [Theory]
    [InlineData("65 00 00 73", 115, "version 6")]
    [InlineData("44 00 00 73", 115, "IHL 4")]
    [InlineData("46 00 00 14", 115, "IHL 6 but total length 20")]
    [InlineData("45 00 00 13", 115, "total length below the header")]
    [InlineData("45 00 00 74", 115, "total length past the buffer")]
    [InlineData("4f 00 00 28", 40, "IHL 15 (60 bytes) in a 40-byte buffer")]
    public void Refuses_lying_or_impossible_length_fields(string firstWord, int bufferLength, string why)
    {
        byte[] packet = ClassicPacket();
        Hex.Bytes(firstWord).CopyTo(packet, 0);
        Assert.False(Ipv4Header.TryCreate(packet.AsSpan(0, bufferLength), out _), why);
    }

    [Fact]
    public void Refuses_a_buffer_shorter_than_the_fixed_header()
    {
        Assert.False(Ipv4Header.TryCreate(Hex.Bytes(Classic).AsSpan(0, 19), out _));
        Assert.False(Ipv4Header.TryCreateForWrite(new byte[19], out _));
    }

    [Fact]
    public void Span_getters_stay_in_bounds_after_setters_write_lies()
    {
        var buffer = new byte[20];
        Assert.True(Ipv4Header.TryCreateForWrite(buffer, out var ip));
        ip.Ihl = 15;
        ip.TotalLength = 9000;
        Assert.Equal(0, ip.Options.Length);
        Assert.Equal(0, ip.Payload.Length);
        Assert.Equal(20, ip.Packet.Length);
        _ = ip.ComputeChecksum();
        ip.Ihl = 2;
        ip.TotalLength = 3;
        Assert.Equal(0, ip.Options.Length);
        Assert.Equal(0, ip.Payload.Length);
        Assert.Equal(20, ip.Packet.Length);
    }
}
