using System.Collections.Frozen;
using Dataplane.Forwarding.Routing;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Forwarding;

/// <summary>LocalAddressSet answers "is it one of ours?" like the frozen set it is built from.</summary>
public class LocalAddressSetTests
{
    private static readonly FrozenSet<IpAddress> Addresses =
        new[] { "192.0.2.1", "198.51.100.7", "2001:db8::1" }.Select(IpAddress.Parse).ToFrozenSet();

    [Theory]
    [InlineData("192.0.2.1", true)]
    [InlineData("198.51.100.7", true)]
    [InlineData("192.0.2.2", false)]
    [InlineData("2001:db8::1", true)]
    [InlineData("2001:db8::2", false)]
    [InlineData("::c000:201", false)] // the IPv6 address with 192.0.2.1's bits is not 192.0.2.1
    public void Contains_agrees_with_the_set(string text, bool expected)
    {
        var set = new LocalAddressSet(Addresses);
        var address = IpAddress.Parse(text);

        Assert.Equal(expected, Addresses.Contains(address));
        Assert.Equal(expected, set.Contains(address));
        Assert.Equal(expected, address.IsV4 ? set.Contains(address.AsV4()) : set.Contains(address.AsV6()));
    }
}
