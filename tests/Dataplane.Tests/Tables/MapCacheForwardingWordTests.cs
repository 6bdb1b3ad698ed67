using Dataplane.Tables.MapCache;
using Dataplane.Tables.Time;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Tables;

/// <summary>
/// The map-cache fast-path word: which entries get one, what it holds (hand-packed expected values), and that it
/// never says "usable" at or after the entry's exact expiry.
/// </summary>
public sealed class MapCacheForwardingWordTests
{
    private static ManualClock NanosecondClockAt10s()
    {
        var clock = new ManualClock(1_000_000_000);
        clock.AdvanceTicks(10_000_000_000);
        return clock;
    }

    private static readonly EidPrefix Prefix = EidPrefix.Create(7, new Ipv4Address(0x0B00_0000), 24);

    [Fact]
    public void A_single_usable_IPv4_locator_is_packed_with_the_expiry_unit()
    {
        // Nanosecond ticks: the unit is 2^29 ticks (the largest power of two <= 1e9). TTL 1 minute from t = 10 s:
        // expires at 70e9 ticks; 70e9 / 2^29 = 130.39, rounded down to 130 = 0x82.
        var clock = NanosecondClockAt10s();
        var entry = MapCacheEntry.Create(Prefix, [new Locator(IpAddress.Parse("198.51.100.1"), 1, 100)], 1, clock);
        Assert.Equal(70_000_000_000, entry.ExpiresAt);
        Assert.Equal(0xC633_6401_0000_0082UL, entry.ForwardingWord);
    }

    [Fact]
    public void Entries_the_word_cannot_describe_have_none()
    {
        var clock = NanosecondClockAt10s();
        var negative = MapCacheEntry.Negative(Prefix, NegativeAction.Drop, 1, clock);
        var two = MapCacheEntry.Create(Prefix, [new Locator(IpAddress.Parse("198.51.100.1"), 1, 50), new Locator(IpAddress.Parse("198.51.100.2"), 1, 50)], 1, clock);
        var v6 = MapCacheEntry.Create(Prefix, [new Locator(IpAddress.Parse("2001:db8::1"), 1, 100)], 1, clock);
        var down = MapCacheEntry.Create(Prefix, [new Locator(IpAddress.Parse("198.51.100.1"), 1, 100, IsUp: false)], 1, clock);
        Assert.Equal(MapCacheForwardingWord.None, negative.ForwardingWord);
        Assert.Equal(MapCacheForwardingWord.None, two.ForwardingWord);
        Assert.Equal(MapCacheForwardingWord.None, v6.ForwardingWord);
        Assert.Equal(MapCacheForwardingWord.None, down.ForwardingWord);
    }

    [Fact]
    public void One_down_of_two_leaves_the_other_in_the_word()
    {
        var clock = NanosecondClockAt10s();
        var entry = MapCacheEntry.Create(Prefix, [new Locator(IpAddress.Parse("198.51.100.1"), 1, 50, IsUp: false), new Locator(IpAddress.Parse("198.51.100.2"), 1, 50)], 1, clock);
        Assert.True(MapCacheForwardingWord.TryGetRloc(entry.ForwardingWord, MapCacheForwardingWord.Unit(clock.Now, 29), out uint rloc));
        Assert.Equal(0xC633_6402u, rloc);
    }

    [Theory]
    [InlineData(10_000_000_000L, true)]     // 50 s before expiry
    [InlineData(69_793_218_559L, true)]     // last tick of unit 129: still usable by the word
    [InlineData(69_793_218_560L, false)]    // unit 130 starts (130 << 29), the entry path decides from here
    [InlineData(69_999_999_999L, false)]    // the entry itself is still valid, but the word has let go
    [InlineData(70_000_000_000L, false)]    // expired
    [InlineData(80_000_000_000L, false)]
    public void The_word_lets_go_before_the_entry_expires_never_after(long now, bool usable)
    {
        var entry = MapCacheEntry.Create(Prefix, [new Locator(IpAddress.Parse("198.51.100.1"), 1, 100)], 1, NanosecondClockAt10s());
        Assert.Equal(usable, MapCacheForwardingWord.TryGetRloc(entry.ForwardingWord, MapCacheForwardingWord.Unit(now, 29), out _));
        Assert.True(!usable || !entry.IsExpired(now));
    }

    [Theory]
    [InlineData(1_000_000_000L, 29)] // Linux Stopwatch: nanoseconds; unit 0.54 s
    [InlineData(1_000L, 9)]          // a millisecond clock (ManualClock's default); unit 0.512 s
    [InlineData(1L, 0)]
    public void The_unit_is_the_largest_power_of_two_ticks_within_a_second(long frequency, int shift) =>
        Assert.Equal(shift, MapCacheForwardingWord.UnitShift(frequency));

    [Fact]
    public void The_cache_publishes_and_clears_the_word_with_the_entry()
    {
        var clock = NanosecondClockAt10s();
        var cache = new MapCache();
        var first = MapCacheEntry.Create(Prefix, [new Locator(IpAddress.Parse("198.51.100.1"), 1, 100)], 1, clock);
        uint slot = cache.AddOrReplace(first);
        Assert.Equal(first.ForwardingWord, cache.View.ForwardingWord(slot));

        var moved = MapCacheEntry.Create(Prefix, [new Locator(IpAddress.Parse("198.51.100.9"), 1, 100)], 1, clock);
        Assert.Equal(slot, cache.AddOrReplace(moved));
        Assert.Equal(0xC633_6409u, (uint)(cache.View.ForwardingWord(slot) >> 32));

        Assert.True(cache.Remove(Prefix));
        Assert.Equal(MapCacheForwardingWord.None, cache.View.ForwardingWord(slot));
        Assert.Equal(MapCacheForwardingWord.None, cache.View.ForwardingWord(12345));
        Assert.Equal(MapCacheForwardingWord.None, default(MapCacheView).ForwardingWord(0));
    }
}
