using Dataplane.Tables.MapCache;
using Dataplane.Tables.Time;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Tables;

public class MapCacheEntryTests
{
    private static readonly EidPrefix Prefix = EidPrefix.Parse("[9]10.0.0.0/8");

    private static readonly Locator[] OneLocator = [new(IpAddress.Parse("192.0.2.1"), 1, 100)];

    [Fact]
    public void Ttl_expires_on_a_driven_clock()
    {
        var clock = new ManualClock(frequency: 1000);
        clock.Advance(TimeSpan.FromHours(5));
        var entry = MapCacheEntry.Create(Prefix, OneLocator, ttlMinutes: 15, clock);

        Assert.Equal(15u, entry.TtlMinutes);
        Assert.Equal(clock.Now + (15 * 60 * 1000), entry.ExpiresAt);
        clock.Advance(TimeSpan.FromMinutes(14));
        Assert.False(entry.IsExpired(clock.Now));
        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.False(entry.IsExpired(clock.Now));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(entry.IsExpired(clock.Now));
    }

    [Fact]
    public void Ttl_zero_is_expired_at_once_and_all_ones_never_expires()
    {
        var clock = new ManualClock();
        Assert.True(MapCacheEntry.Create(Prefix, OneLocator, 0, clock).IsExpired(clock.Now));
        var forever = MapCacheEntry.Create(Prefix, OneLocator, MapCacheEntry.InfiniteTtl, clock);
        Assert.Equal(long.MaxValue, forever.ExpiresAt);
        Assert.False(forever.IsExpired(long.MaxValue - 1));
        // A huge TTL on a fast clock saturates rather than wrapping into the past.
        Assert.Equal(long.MaxValue, MapCacheEntry.ExpiryOf(uint.MaxValue - 1, long.MaxValue / 2, 1_000_000_000));
    }

    [Theory]
    [InlineData(NegativeAction.NoAction)]
    [InlineData(NegativeAction.NativelyForward)]
    [InlineData(NegativeAction.SendMapRequest)]
    [InlineData(NegativeAction.Drop)]
    public void Negative_entries_keep_their_action_and_select_nothing(NegativeAction action)
    {
        var entry = MapCacheEntry.Negative(Prefix, action, 1, new ManualClock(), mapVersion: 5);
        Assert.True(entry.IsNegative);
        Assert.Equal(action, entry.Action);
        Assert.Equal(5, entry.MapVersion);
        Assert.True(entry.Locators.IsEmpty);
        Assert.Equal(-1, entry.Selector.Select(123));
        Assert.False(entry.TrySelectRloc(123, out _));

        var cache = new MapCache();
        cache.AddOrReplace(entry);
        Assert.True(cache.TryGet(Prefix, out var stored));
        Assert.Equal(action, stored.Action);
    }

    [Fact]
    public void Act_values_match_rfc_9301() =>
        Assert.Equal([0, 1, 2, 3], new[] { NegativeAction.NoAction, NegativeAction.NativelyForward, NegativeAction.SendMapRequest, NegativeAction.Drop }.Select(a => (int)a));

    [Fact]
    public void Construction_is_validated()
    {
        var clock = new ManualClock();
        Assert.Throws<ArgumentException>(() => MapCacheEntry.Create(Prefix, [], 1, clock));
        var nine = Enumerable.Range(1, 9).Select(i => new Locator(IpAddress.Parse($"192.0.2.{i}"), 1, 1)).ToArray();
        Assert.Throws<ArgumentException>(() => MapCacheEntry.Create(Prefix, nine, 1, clock));
        Assert.Throws<ArgumentException>(() => MapCacheEntry.Create(Prefix, [new Locator(default, 1, 1)], 1, clock));
        Assert.Throws<ArgumentOutOfRangeException>(() => MapCacheEntry.Create(Prefix, OneLocator, 1, clock, mapVersion: 0x1000));
        Assert.Throws<ArgumentOutOfRangeException>(() => MapCacheEntry.Negative(Prefix, (NegativeAction)4, 1, clock));
        Assert.Equal(MapCacheEntry.MaxLocators, MapCacheEntry.Create(Prefix, nine.AsSpan(0, 8), 1, clock).Locators.Length);
    }

    [Fact]
    public void Entries_copy_their_locators()
    {
        var locators = OneLocator.ToArray();
        var entry = MapCacheEntry.Create(Prefix, locators, 1, new ManualClock());
        locators[0] = locators[0] with { Priority = 255 };
        Assert.Equal(1, entry.Locators[0].Priority);
        Assert.Equal(0, entry.Selector.Select(0));
    }

    [Fact]
    public void Locator_state_change_keeps_ttl_and_version()
    {
        var clock = new ManualClock();
        var entry = MapCacheEntry.Create(Prefix, OneLocator, 10, clock, mapVersion: 77);
        var down = entry.WithLocatorState(0, false);
        Assert.Equal(entry.ExpiresAt, down.ExpiresAt);
        Assert.Equal(77, down.MapVersion);
        Assert.False(down.Locators[0].IsUp);
        Assert.Throws<ArgumentOutOfRangeException>(() => entry.WithLocatorState(1, false));
    }

    [Fact]
    public void The_single_usable_locator_is_kept_in_the_entry()
    {
        var clock = new ManualClock();
        var a = IpAddress.Parse("192.0.2.1");
        var b = IpAddress.Parse("2001:db8::b");

        Assert.Equal(a, MapCacheEntry.Create(Prefix, OneLocator, 15, clock).SingleUsableRloc);
        // Two at the best priority share flows: no single one.
        Assert.Equal(IpFamily.Unspecified, MapCacheEntry.Create(Prefix, [new(a, 1, 50), new(b, 1, 50)], 15, clock).SingleUsableRloc.Family);
        // A better priority that is down, or priority 255, leaves the other as the only usable one.
        Assert.Equal(b, MapCacheEntry.Create(Prefix, [new(a, 1, 50, IsUp: false), new(b, 2, 50)], 15, clock).SingleUsableRloc);
        Assert.Equal(b, MapCacheEntry.Create(Prefix, [new(a, Locator.UnusablePriority, 50), new(b, 9, 0)], 15, clock).SingleUsableRloc);
        // One best and a worse priority: the best alone.
        Assert.Equal(a, MapCacheEntry.Create(Prefix, [new(a, 1, 50), new(b, 2, 50)], 15, clock).SingleUsableRloc);
        // Nothing usable, and negative entries: none.
        Assert.Equal(IpFamily.Unspecified, MapCacheEntry.Create(Prefix, [new(a, 1, 50, IsUp: false)], 15, clock).SingleUsableRloc.Family);
        Assert.Equal(IpFamily.Unspecified, MapCacheEntry.Negative(Prefix, NegativeAction.Drop, 15, clock).SingleUsableRloc.Family);
        // A state change rebuilds it.
        var both = MapCacheEntry.Create(Prefix, [new(a, 1, 50), new(b, 1, 50)], 15, clock);
        Assert.Equal(b, both.WithLocatorState(0, isUp: false).SingleUsableRloc);
    }
}
