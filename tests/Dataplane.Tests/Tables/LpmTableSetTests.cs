using Dataplane.Tables.Lpm;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Tables;

public class LpmTableSetTests
{
    [Fact]
    public void Tables_are_created_on_demand_per_instance_and_family()
    {
        var set = new LpmTableSet();
        Assert.False(set.TryGetIpv4(7, out _));
        Assert.False(set.TryGetIpv6(7, out _));

        var v6 = set.GetOrCreateIpv6(7);
        Assert.Same(v6, set.GetOrCreateIpv6(7));
        Assert.Equal(0, set.Ipv4TableCount); // no IPv4 route, no 64 MiB first level
        Assert.Equal(1, set.Ipv6TableCount);

        set.GetOrCreateIpv4(7).TryAdd(Ipv4Address.Parse("10.0.0.0"), 8, 1);
        set.GetOrCreateIpv4(8).TryAdd(Ipv4Address.Parse("10.0.0.0"), 8, 2);
        Assert.True(set.TryGetIpv4(7, out var seven) && seven.TryLookup(Ipv4Address.Parse("10.1.1.1"), out uint v) && v == 1);
        Assert.True(set.TryGetIpv4(8, out var eight) && eight.TryLookup(Ipv4Address.Parse("10.1.1.1"), out v) && v == 2);

        Assert.True(set.RemoveInstance(7));
        Assert.False(set.RemoveInstance(7));
        Assert.False(set.TryGetIpv4(7, out _));
        Assert.False(set.TryGetIpv6(7, out _));
        Assert.True(set.TryGetIpv4(8, out _));

        // A reader that still holds a removed table keeps a working table.
        Assert.True(seven.TryLookup(Ipv4Address.Parse("10.1.1.1"), out v) && v == 1);
    }
}
