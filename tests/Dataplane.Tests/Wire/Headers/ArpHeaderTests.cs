using Dataplane.Wire.Addresses;
using Dataplane.Wire.Headers;

namespace Dataplane.Tests.Wire.Headers;

public class ArpHeaderTests
{
    // RFC 826 packet layout, Ethernet/IPv4: htype 1, ptype 0x0800, hlen 6, plen 4, op 1 (request),
    // 192.168.1.1 at 00:11:22:33:44:55 asking who has 192.168.1.2. Hand-written and hand-decoded.
    private const string Request = "00 01 08 00 06 04 00 01 00 11 22 33 44 55 c0 a8 01 01 00 00 00 00 00 00 c0 a8 01 02";

    [Fact]
    public void Reads_every_field_of_a_request()
    {
        Assert.True(ArpHeader.TryCreate(Hex.Bytes(Request), out var arp));
        Assert.Equal(ArpOperation.HardwareTypeEthernet, arp.HardwareType);
        Assert.Equal(EtherType.Ipv4, arp.ProtocolType);
        Assert.Equal(6, arp.HardwareLength);
        Assert.Equal(4, arp.ProtocolLength);
        Assert.Equal(ArpOperation.Request, arp.Operation);
        Assert.Equal(MacAddress.Parse("00:11:22:33:44:55"), arp.SenderHardwareAddress);
        Assert.Equal(Ipv4Address.Parse("192.168.1.1"), arp.SenderProtocolAddress);
        Assert.Equal(MacAddress.Zero, arp.TargetHardwareAddress);
        Assert.Equal(Ipv4Address.Parse("192.168.1.2"), arp.TargetProtocolAddress);
        Assert.Equal(28, arp.HeaderLength);
    }

    [Fact]
    public void Setters_write_a_reply_byte_for_byte()
    {
        var buffer = new byte[28];
        Assert.True(ArpHeader.TryCreateForWrite(buffer, out var arp));
        arp.HardwareType = 1;
        arp.ProtocolType = 0x0800;
        arp.HardwareLength = 6;
        arp.ProtocolLength = 4;
        arp.Operation = ArpOperation.Reply;
        arp.SenderHardwareAddress = MacAddress.Parse("66:77:88:99:aa:bb");
        arp.SenderProtocolAddress = Ipv4Address.Parse("192.168.1.2");
        arp.TargetHardwareAddress = MacAddress.Parse("00:11:22:33:44:55");
        arp.TargetProtocolAddress = Ipv4Address.Parse("192.168.1.1");

        Assert.Equal(Hex.Bytes("00 01 08 00 06 04 00 02 66 77 88 99 aa bb c0 a8 01 02 00 11 22 33 44 55 c0 a8 01 01"), buffer);
        Assert.True(ArpHeader.TryCreate(buffer, out var reread));
        Assert.Equal(ArpOperation.Reply, reread.Operation);
        Assert.Equal(Ipv4Address.Parse("192.168.1.1"), reread.TargetProtocolAddress);
    }

    [Theory]
    [InlineData(4, 8)]
    [InlineData(5, 5)]
    [InlineData(5, 16)]
    public void Refuses_address_sizes_other_than_ethernet_ipv4(int index, byte value)
    {
        byte[] bytes = Hex.Bytes(Request);
        bytes[index] = value;
        Assert.False(ArpHeader.TryCreate(bytes, out _));
    }

    [Fact]
    public void Refuses_a_short_buffer() => Assert.False(ArpHeader.TryCreate(Hex.Bytes(Request).AsSpan(0, 27), out _));
}
