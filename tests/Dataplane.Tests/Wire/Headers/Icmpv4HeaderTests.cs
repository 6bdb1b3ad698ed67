using Dataplane.Wire.Addresses;
using Dataplane.Wire.Headers;

namespace Dataplane.Tests.Wire.Headers;

public class Icmpv4HeaderTests
{
    // Scapy 2.5.0: ICMP(type=8, id=1, seq=7) / "abcdefghijklmnopqrstuvwabcdefghi" (the Windows ping payload).
    private const string EchoRequest =
        "08 00 4d 54 00 01 00 07 61 62 63 64 65 66 67 68 69 6a 6b 6c 6d 6e 6f 70 71 72 73 74 75 76 77 61 62 63 64 65 66 67 68 69";

    // Scapy 2.5.0: ICMP(type=3, code=4, nexthopmtu=1400) / the first 28 bytes of a 1488-byte DF UDP datagram
    // 192.0.2.1:4789 -> 198.51.100.7:4789 (RFC 1191 "fragmentation needed" with the next-hop MTU in bytes 6-7).
    private const string FragmentationNeeded =
        "03 04 71 15 00 00 05 78 45 00 05 d0 12 34 40 00 40 11 36 ad c0 00 02 01 c6 33 64 07 12 b5 12 b5 05 bc 5b 48";

    [Fact]
    public void Reads_an_echo_request()
    {
        Assert.True(Icmpv4Header.TryCreate(Hex.Bytes(EchoRequest), out var icmp));
        Assert.Equal(Icmpv4Type.EchoRequest, icmp.Type);
        Assert.Equal(0, icmp.Code);
        Assert.Equal(0x4d54, icmp.Checksum);
        Assert.Equal(1, icmp.Identifier);
        Assert.Equal(7, icmp.SequenceNumber);
        Assert.Equal(0x0001_0007u, icmp.RestOfHeader);
        Assert.Equal("abcdefghijklmnopqrstuvwabcdefghi"u8.ToArray(), icmp.Payload.ToArray());
        Assert.Equal(0, icmp.InvokingPacket.Length);
        Assert.True(icmp.IsChecksumValid);
        Assert.Equal(0x4d54, icmp.ComputeChecksum());
        Assert.Equal(8, icmp.HeaderLength);
    }

    [Fact]
    public void Reads_fragmentation_needed_with_the_next_hop_mtu_and_the_invoking_packet()
    {
        Assert.True(Icmpv4Header.TryCreate(Hex.Bytes(FragmentationNeeded), out var icmp));
        Assert.Equal(Icmpv4Type.DestinationUnreachable, icmp.Type);
        Assert.Equal(Icmpv4Type.CodeFragmentationNeeded, icmp.Code);
        Assert.Equal(1400, icmp.NextHopMtu);
        Assert.True(icmp.IsChecksumValid);
        Assert.Equal(0x7115, icmp.ComputeChecksum());
        Assert.Equal(28, icmp.InvokingPacket.Length);
        Assert.Equal(0x45, icmp.InvokingPacket[0]);

        // The quoted datagram is cut short, so a strict IPv4 view refuses it; only its fixed fields can be read.
        Assert.False(Ipv4Header.TryCreate(icmp.InvokingPacket, out _));
        Assert.True(Ipv4Header.TryCreateForWrite(icmp.InvokingPacket, out var quoted));
        Assert.Equal(1488, quoted.TotalLength);
        Assert.Equal(Ipv4Address.Parse("198.51.100.7"), quoted.Destination);
    }

    [Fact]
    public void Setters_write_an_echo_reply_byte_for_byte()
    {
        var buffer = new byte[10];
        Assert.True(Icmpv4Header.TryCreateForWrite(buffer, out var icmp));
        icmp.Type = Icmpv4Type.EchoReply;
        icmp.Code = 0;
        icmp.Identifier = 0xbeef;
        icmp.SequenceNumber = 0x0102;
        "hi"u8.CopyTo(icmp.Payload);
        icmp.UpdateChecksum();

        // Scapy 2.5.0: ICMP(type=0, id=0xbeef, seq=0x0102) / "hi".
        Assert.Equal(Hex.Bytes("00 00 d7 a4 be ef 01 02 68 69"), buffer);
    }

    [Fact]
    public void Type_specific_accessors_share_bytes_four_to_seven()
    {
        var buffer = new byte[8];
        Assert.True(Icmpv4Header.TryCreateForWrite(buffer, out var icmp));
        icmp.GatewayAddress = Ipv4Address.Parse("192.0.2.254");
        Assert.Equal(Hex.Bytes("c0 00 02 fe"), buffer[4..]);
        icmp.Pointer = 9;
        Assert.Equal(9, buffer[4]);
        icmp.NextHopMtu = 1280;
        Assert.Equal(Hex.Bytes("05 00"), buffer[6..]);
        icmp.RestOfHeader = 0x01020304;
        Assert.Equal(Hex.Bytes("01 02 03 04"), buffer[4..]);
        icmp.Checksum = 0xabcd;
        Assert.Equal(Hex.Bytes("ab cd"), buffer[2..4]);
    }

    [Fact]
    public void Refuses_fewer_than_eight_bytes() => Assert.False(Icmpv4Header.TryCreate(new byte[7], out _));
}
