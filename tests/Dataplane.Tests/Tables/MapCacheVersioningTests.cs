using Dataplane.Tables.MapCache;
using Dataplane.Tables.Time;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Tables;

public class MapCacheVersioningTests
{
    private static readonly EidPrefix Prefix = EidPrefix.Parse("10.0.0.0/8");

    private static MapCacheEntry Versioned(ushort version, string rloc = "192.0.2.1") =>
        MapCacheEntry.Create(Prefix, [new Locator(IpAddress.Parse(rloc), 1, 100)], 10, new ManualClock(), version);

    [Theory]
    [InlineData(2, 1, true)]
    [InlineData(1, 2, false)]
    [InlineData(5, 5, false)]
    [InlineData(1, 4095, true)] // wrapped
    [InlineData(4095, 1, false)]
    [InlineData(2049, 1, true)] // exactly half the circle ahead counts as newer
    [InlineData(2050, 1, false)]
    [InlineData(0, 7, true)] // Null Map-Version: no ordering, always taken
    [InlineData(7, 0, true)]
    public void Serial_number_comparison_follows_rfc_9302(int candidate, int current, bool newer) =>
        Assert.Equal(newer, MapVersioning.IsNewer((ushort)candidate, (ushort)current));

    [Fact]
    public void A_stale_map_reply_does_not_roll_the_entry_back()
    {
        var cache = new MapCache();
        Assert.True(cache.AddOrReplaceIfNewer(Versioned(10)));
        long version = cache.Version;
        Assert.False(cache.AddOrReplaceIfNewer(Versioned(9, "192.0.2.9")));
        Assert.False(cache.AddOrReplaceIfNewer(Versioned(10, "192.0.2.9")));
        Assert.Equal(version, cache.Version);
        Assert.True(cache.AddOrReplaceIfNewer(Versioned(11, "192.0.2.11")));
        Assert.True(cache.TryGet(Prefix, out var entry));
        Assert.Equal(11, entry.MapVersion);
        Assert.True(cache.Version > version);
    }

    [Fact]
    public void New_locators_keep_prefix_and_expiry()
    {
        var entry = Versioned(3);
        var moved = entry.WithLocators([new Locator(IpAddress.Parse("2001:db8::9"), 1, 100)], 4);
        Assert.Equal(entry.Prefix, moved.Prefix);
        Assert.Equal(entry.ExpiresAt, moved.ExpiresAt);
        Assert.Equal(4, moved.MapVersion);
        Assert.True(moved.TrySelectRloc(99, out var rloc));
        Assert.Equal(IpAddress.Parse("2001:db8::9"), rloc);
        Assert.Throws<ArgumentException>(() => entry.WithLocators([], 5));
    }
}
