using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Wire;

public class AddressTests
{
    [Theory]
    [InlineData("192.0.2.1", 0xC0000201u)]
    [InlineData("0.0.0.0", 0u)]
    [InlineData("255.255.255.255", 0xFFFFFFFFu)]
    public void Ipv4_parses_and_formats_round_trip(string text, uint value)
    {
        Assert.True(Ipv4Address.TryParse(text, out var address));
        Assert.Equal(value, address.Value);
        Assert.Equal(text, address.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("1.2.3")]
    [InlineData("1.2.3.4.5")]
    [InlineData("256.1.1.1")]
    [InlineData("01.2.3.4")]
    [InlineData("1.2.3.4 ")]
    [InlineData("a.b.c.d")]
    public void Ipv4_rejects_malformed_text(string text) => Assert.False(Ipv4Address.TryParse(text, out _));

    [Fact]
    public void Ipv4_reads_and_writes_network_order()
    {
        byte[] wire = [10, 1, 2, 3];
        var address = Ipv4Address.Read(wire);
        Assert.Equal(new Ipv4Address(10, 1, 2, 3), address);
        var copy = new byte[4];
        address.Write(copy);
        Assert.Equal(wire, copy);
    }

    [Theory]
    [InlineData("2001:db8::1", "2001:db8::1")]
    [InlineData("2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1")]
    [InlineData("::", "::")]
    [InlineData("fe80::1:2:3:4", "fe80::1:2:3:4")]
    public void Ipv6_parses_and_formats_canonically(string text, string canonical)
    {
        Assert.True(Ipv6Address.TryParse(text, out var address));
        Assert.Equal(canonical, address.ToString());
    }

    [Fact]
    public void Ipv6_first_wire_byte_is_most_significant()
    {
        var address = Ipv6Address.Parse("2001:db8::1");
        Assert.Equal(0x20010DB800000000UL, address.High);
        Assert.Equal(1UL, address.Low);
        var bytes = new byte[16];
        address.Write(bytes);
        Assert.Equal(new byte[] { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }, bytes);
    }

    [Theory]
    [InlineData("192.0.2.1")]
    [InlineData("fe80::1%2")]
    [InlineData("2001:db8::g")]
    public void Ipv6_rejects_non_ipv6_text(string text) => Assert.False(Ipv6Address.TryParse(text, out _));

    [Fact]
    public void Mac_parses_formats_and_round_trips_bytes()
    {
        var mac = MacAddress.Parse("02:00:5E:10:00:01");
        Assert.Equal(0x02005E100001UL, mac.Value);
        Assert.Equal("02:00:5e:10:00:01", mac.ToString());
        Assert.False(mac.IsMulticast);
        Assert.True(MacAddress.Parse("01:00:5e:00:00:01").IsMulticast);
        var bytes = new byte[6];
        mac.Write(bytes);
        Assert.Equal(new byte[] { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 }, bytes);
        Assert.Equal(mac, MacAddress.Read(bytes));
    }
}
