using Dataplane.Wire.Addresses;
using Dataplane.Wire.Headers;

namespace Dataplane.Tests.Wire.Headers;

public class EthernetHeaderTests
{
    // A broadcast ARP request frame, hand-written and hand-decoded from the Ethernet II layout
    // (dst 6, src 6, EtherType 2): the ARP body is the one in ArpHeaderTests.
    private const string ArpFrame =
        "ff ff ff ff ff ff 00 11 22 33 44 55 08 06 " +
        "00 01 08 00 06 04 00 01 00 11 22 33 44 55 c0 a8 01 01 00 00 00 00 00 00 c0 a8 01 02";

    [Fact]
    public void Reads_fields_of_a_hand_decoded_frame()
    {
        byte[] frame = Hex.Bytes(ArpFrame);
        Assert.True(EthernetHeader.TryCreate(frame, out var eth));
        Assert.Equal(MacAddress.Broadcast, eth.Destination);
        Assert.Equal(MacAddress.Parse("00:11:22:33:44:55"), eth.Source);
        Assert.Equal(EtherType.Arp, eth.EtherType);
        Assert.Equal(14, eth.HeaderLength);
        Assert.Equal(28, eth.Payload.Length);
    }

    [Fact]
    public void Setters_write_the_expected_bytes()
    {
        var buffer = new byte[14];
        Assert.True(EthernetHeader.TryCreateForWrite(buffer, out var eth));
        eth.Destination = MacAddress.Parse("02:00:00:00:00:02");
        eth.Source = MacAddress.Parse("02:00:00:00:00:01");
        eth.EtherType = EtherType.Ipv6;

        Assert.Equal(Hex.Bytes("02 00 00 00 00 02 02 00 00 00 00 01 86 dd"), buffer);
        Assert.Equal(MacAddress.Parse("02:00:00:00:00:02"), eth.Destination);
        Assert.Equal(MacAddress.Parse("02:00:00:00:00:01"), eth.Source);
        Assert.Equal(EtherType.Ipv6, eth.EtherType);
    }

    [Fact]
    public void Refuses_fewer_than_14_bytes()
    {
        Assert.False(EthernetHeader.TryCreate(new byte[13], out _));
        Assert.False(EthernetHeader.TryCreateForWrite(new byte[13], out _));
        Assert.True(EthernetHeader.TryCreate(new byte[14], out var eth));
        Assert.Equal(0, eth.Payload.Length);
    }

    [Fact]
    public void Well_known_ether_types_have_their_registered_values()
    {
        Assert.Equal(0x0800, EtherType.Ipv4);
        Assert.Equal(0x0806, EtherType.Arp);
        Assert.Equal(0x8100, EtherType.Vlan);
        Assert.Equal(0x88A8, EtherType.QinQ);
        Assert.Equal(0x86DD, EtherType.Ipv6);
    }
}
