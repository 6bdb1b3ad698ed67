using Dataplane.Tables.MapCache;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Tables;

/// <summary>LocalEidSet is a faster shape of "some local prefix Contains the EID": it must give the same answers.</summary>
public class LocalEidSetTests
{
    private static readonly EidPrefix[] Prefixes =
    [
        EidPrefix.Parse("[7]10.1.0.0/24"),
        EidPrefix.Parse("[7]10.2.0.0/16"),
        EidPrefix.Parse("[0]0.0.0.0/0"),
        EidPrefix.Parse("[9]192.0.2.1/32"),
        EidPrefix.Parse("[7]2001:db8:1::/64"),
        EidPrefix.Parse("[3]::/0"),
        EidPrefix.Parse("[7]2001:db8:2::1/128"),
    ];

    [Theory]
    [InlineData(7, "10.1.0.10", true)]
    [InlineData(7, "10.1.1.10", false)]
    [InlineData(8, "10.1.0.10", false)]
    [InlineData(7, "10.2.255.1", true)]
    [InlineData(0, "203.0.113.9", true)]
    [InlineData(9, "192.0.2.1", true)]
    [InlineData(9, "192.0.2.2", false)]
    [InlineData(7, "2001:db8:1::5", true)]
    [InlineData(7, "2001:db8:1:1::5", false)]
    [InlineData(3, "2001:db8:ffff::1", true)]
    [InlineData(7, "2001:db8:2::1", true)]
    [InlineData(7, "2001:db8:2::2", false)]
    [InlineData(0, "2001:db8:1::5", false)]
    public void Contains_matches_the_prefix_scan(uint instanceId, string address, bool expected)
    {
        var set = new LocalEidSet(Prefixes);
        var eid = IpAddress.Parse(address);

        Assert.Equal(expected, Prefixes.Any(p => p.Contains(instanceId, eid)));
        Assert.Equal(expected, set.Contains(instanceId, eid));
        Assert.Equal(expected, eid.IsV4 ? set.Contains(instanceId, eid.AsV4()) : set.Contains(instanceId, eid.AsV6()));
    }

    [Fact]
    public void Random_addresses_agree_with_the_prefix_scan()
    {
        var set = new LocalEidSet(Prefixes);
        var random = new Random(5);
        for (int i = 0; i < 20_000; i++)
        {
            uint iid = (uint)random.Next(10);
            IpAddress eid = random.Next(2) == 0
                ? new Ipv4Address((uint)random.Next(0x0A00_0000, 0x0A03_0000))
                : new Ipv6Address(0x2001_0db8_0000_0000UL | (ulong)random.Next(4) << 16, (ulong)random.Next(3));
            Assert.Equal(Prefixes.Any(p => p.Contains(iid, eid)), set.Contains(iid, eid));
        }
    }

    [Fact]
    public void The_database_publishes_a_new_set_with_every_prefix_change()
    {
        var database = new LocalDatabase([EidPrefix.Parse("[7]10.1.0.0/24")]);
        var eid = IpAddress.Parse("10.9.0.1");
        Assert.False(database.Eids.Contains(7, eid));

        database.AddEidPrefix(EidPrefix.Parse("[7]10.9.0.0/16"));
        Assert.True(database.Eids.Contains(7, eid));
        Assert.True(database.IsLocalEid(7, eid));

        database.RemoveEidPrefix(EidPrefix.Parse("[7]10.9.0.0/16"));
        Assert.False(database.Eids.Contains(7, eid));
        Assert.Equal(1, database.EidPrefixes.Length);
    }
}
