using Dataplane.Tables.MapCache;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Tables;

public class MapCacheLocalDatabaseTests
{
    [Fact]
    public void Finds_local_eids_and_rlocs()
    {
        var database = new LocalDatabase(
            [EidPrefix.Parse("10.0.0.0/8"), EidPrefix.Parse("10.1.0.0/16"), EidPrefix.Parse("[4]2001:db8::/32")],
            [new Locator(IpAddress.Parse("192.0.2.1"), 1, 100), new Locator(IpAddress.Parse("2001:db8:ffff::1"), 2, 100)]);

        Assert.True(database.TryFindEidPrefix(0, IpAddress.Parse("10.1.2.3"), out var prefix));
        Assert.Equal(EidPrefix.Parse("10.1.0.0/16"), prefix);
        Assert.True(database.IsLocalEid(4, IpAddress.Parse("2001:db8::5")));
        Assert.False(database.IsLocalEid(0, IpAddress.Parse("2001:db8::5")));
        Assert.True(database.IsLocalRloc(IpAddress.Parse("192.0.2.1")));
        Assert.False(database.IsLocalRloc(IpAddress.Parse("192.0.2.2")));
        Assert.All(database.Rlocs.ToArray(), r => Assert.True(r.IsLocal));
    }

    [Fact]
    public void Changes_publish_new_arrays()
    {
        var database = new LocalDatabase();
        Assert.True(database.AddEidPrefix(EidPrefix.Parse("10.0.0.0/8")));
        Assert.False(database.AddEidPrefix(EidPrefix.Parse("10.0.0.0/8")));
        Assert.True(database.IsLocalEid(0, IpAddress.Parse("10.9.9.9")));
        Assert.True(database.RemoveEidPrefix(EidPrefix.Parse("10.0.0.0/8")));
        Assert.False(database.RemoveEidPrefix(EidPrefix.Parse("10.0.0.0/8")));
        Assert.False(database.IsLocalEid(0, IpAddress.Parse("10.9.9.9")));

        database.SetRlocs([new Locator(IpAddress.Parse("198.51.100.1"), 255, 0)]);
        Assert.Equal(255, database.Rlocs[0].Priority);
        Assert.True(database.IsLocalRloc(IpAddress.Parse("198.51.100.1")));
    }
}
