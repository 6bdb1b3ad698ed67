using Dataplane.Wire.Addresses;
using Dataplane.Wire.Headers;

namespace Dataplane.Tests.Wire.Headers;

public class TcpHeaderTests
{
    // Scapy 2.5.0: IP(src="192.0.2.1", dst="198.51.100.7", id=0x1c46, flags="DF", ttl=64)
    //   / TCP(sport=49152, dport=80, seq=0x12345678, flags="S", window=64240,
    //         options=[("MSS", 1460), ("SAckOK", b""), ("NOP", None), ("WScale", 7)]).
    private const string Syn =
        "45 00 00 34 1c 46 40 00 40 06 32 42 c0 00 02 01 c6 33 64 07 " +
        "c0 00 00 50 12 34 56 78 00 00 00 00 80 02 fa f0 5f e8 00 00 02 04 05 b4 04 02 01 03 03 07 00 00";

    // Scapy 2.5.0: IPv6(src="2001:db8::1", dst="2001:db8::2") / TCP(sport=443, dport=50000, seq=1, ack=2, flags="PA", window=512) / "data".
    private const string PushAckOverIpv6 =
        "60 00 00 00 00 18 06 40 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02 " +
        "01 bb c3 50 00 00 00 01 00 00 00 02 50 18 02 00 b4 82 00 00 64 61 74 61";

    [Fact]
    public void Reads_every_field_of_a_syn_with_options()
    {
        byte[] packet = Hex.Bytes(Syn);
        Assert.True(TcpHeader.TryCreate(packet.AsSpan(20), out var tcp));
        Assert.Equal(49152, tcp.SourcePort);
        Assert.Equal(80, tcp.DestinationPort);
        Assert.Equal(0x12345678u, tcp.SequenceNumber);
        Assert.Equal(0u, tcp.AcknowledgmentNumber);
        Assert.Equal(8, tcp.DataOffset);
        Assert.Equal(32, tcp.HeaderLength);
        Assert.Equal(TcpFlags.Syn, tcp.Flags);
        Assert.True(tcp.Syn);
        Assert.False(tcp.Ack || tcp.Fin || tcp.Rst || tcp.Psh || tcp.Urg || tcp.Ece || tcp.Cwr);
        Assert.Equal(64240, tcp.Window);
        Assert.Equal(0x5fe8, tcp.Checksum);
        Assert.Equal(0, tcp.UrgentPointer);
        Assert.Equal(Hex.Bytes("02 04 05 b4 04 02 01 03 03 07 00 00"), tcp.Options.ToArray());
        Assert.Equal(0, tcp.Payload.Length);

        var source = Ipv4Address.Parse("192.0.2.1");
        var destination = Ipv4Address.Parse("198.51.100.7");
        Assert.True(tcp.IsChecksumValid(source, destination));
        Assert.Equal(0x5fe8, tcp.ComputeChecksum(source, destination));
    }

    [Fact]
    public void Reads_a_data_segment_over_ipv6_and_verifies_its_checksum()
    {
        byte[] packet = Hex.Bytes(PushAckOverIpv6);
        Assert.True(TcpHeader.TryCreate(packet.AsSpan(40), out var tcp));
        Assert.Equal(443, tcp.SourcePort);
        Assert.Equal(50000, tcp.DestinationPort);
        Assert.Equal(1u, tcp.SequenceNumber);
        Assert.Equal(2u, tcp.AcknowledgmentNumber);
        Assert.Equal(TcpFlags.Psh | TcpFlags.Ack, tcp.Flags);
        Assert.Equal(512, tcp.Window);
        Assert.Equal(0, tcp.Options.Length);
        Assert.Equal("data"u8.ToArray(), tcp.Payload.ToArray());
        var source = Ipv6Address.Parse("2001:db8::1");
        var destination = Ipv6Address.Parse("2001:db8::2");
        Assert.True(tcp.IsChecksumValid(source, destination));
        Assert.Equal(0xb482, tcp.ComputeChecksum(source, destination));
    }

    [Fact]
    public void Setters_write_every_field_byte_for_byte()
    {
        var buffer = new byte[24];
        Assert.True(TcpHeader.TryCreateForWrite(buffer, out var tcp));
        tcp.SourcePort = 0x1234;
        tcp.DestinationPort = 0x5678;
        tcp.SequenceNumber = 0x01020304;
        tcp.AcknowledgmentNumber = 0xa0b0c0d0;
        tcp.DataOffset = 6;
        tcp.Fin = true;
        tcp.Syn = false;
        tcp.Rst = true;
        tcp.Psh = false;
        tcp.Ack = true;
        tcp.Urg = false;
        tcp.Ece = true;
        tcp.Cwr = false;
        tcp.Window = 0xfedc;
        tcp.Checksum = 0x1111;
        tcp.UrgentPointer = 0x0042;
        Hex.Bytes("02 04 05 dc").CopyTo(tcp.Options);

        // RFC 9293 figure 1 by hand: flags FIN|RST|ACK|ECE = 0x01|0x04|0x10|0x40 = 0x55; option MSS 1500.
        Assert.Equal(Hex.Bytes("12 34 56 78 01 02 03 04 a0 b0 c0 d0 60 55 fe dc 11 11 00 42 02 04 05 dc"), buffer);
        Assert.Equal(TcpFlags.Fin | TcpFlags.Rst | TcpFlags.Ack | TcpFlags.Ece, tcp.Flags);

        tcp.Flags = TcpFlags.Syn | TcpFlags.Cwr | TcpFlags.Urg | TcpFlags.Psh;
        Assert.Equal(0xaa, buffer[13]);
        Assert.True(tcp.Syn && tcp.Cwr && tcp.Urg && tcp.Psh);
        Assert.False(tcp.Fin || tcp.Rst || tcp.Ack || tcp.Ece);
    }

    [Fact]
    public void Data_offset_setter_keeps_the_reserved_nibble()
    {
        var buffer = new byte[20];
        buffer[12] = 0x0f;
        Assert.True(TcpHeader.TryCreateForWrite(buffer, out var tcp));
        tcp.DataOffset = 5;
        Assert.Equal(0x5f, buffer[12]);
    }

    [Fact]
    public void Flag_values_are_the_wire_bits()
    {
        Assert.Equal(0x01, (int)TcpFlags.Fin);
        Assert.Equal(0x02, (int)TcpFlags.Syn);
        Assert.Equal(0x04, (int)TcpFlags.Rst);
        Assert.Equal(0x08, (int)TcpFlags.Psh);
        Assert.Equal(0x10, (int)TcpFlags.Ack);
        Assert.Equal(0x20, (int)TcpFlags.Urg);
        Assert.Equal(0x40, (int)TcpFlags.Ece);
        Assert.Equal(0x80, (int)TcpFlags.Cwr);
    }

    [Theory]
    [InlineData(0x40, 52)]
    [InlineData(0x00, 52)]
    [InlineData(0x90, 32)]
    [InlineData(0xf0, 59)]
    public void Refuses_a_data_offset_below_five_or_past_the_buffer(byte offsetByte, int segmentLength)
    {
        byte[] segment = Hex.Bytes(Syn)[20..];
        Array.Resize(ref segment, segmentLength);
        segment[12] = offsetByte;
        Assert.False(TcpHeader.TryCreate(segment, out _));
    }

    [Fact]
    public void Refuses_a_buffer_shorter_than_the_fixed_header() => Assert.False(TcpHeader.TryCreate(new byte[19], out _));
}
