using Dataplane.Wire.Addresses;
using Dataplane.Tables.Time;

namespace Dataplane.Tables.MapCache;

/// <summary>
/// One map-cache entry: an EID prefix and either its locator set (positive) or an action (negative), with its
/// TTL and map-version. Immutable: the writer builds a new entry for every change (new locators, a locator going
/// down, a refreshed TTL) and publishes the reference whole, so a reader sees the old or the new entry and never
/// a mix. The locator choice is precomputed (<see cref="Selector"/>) at build time.
/// </summary>
public sealed class MapCacheEntry
{
    /// <summary>
    /// Locators per entry. RFC 9301 allows up to 255; real mappings carry a handful, and a small cap keeps an
    /// entry within a few cache lines. The control plane trims longer sets (keeping the best priorities) before
    /// building an entry; <see cref="Create(EidPrefix, ReadOnlySpan{Locator}, uint, long, long, ushort)"/> refuses them.
    /// </summary>
    public const int MaxLocators = 8;

    /// <summary>Map-versions are 12 bits (RFC 9302); 0 means "not versioned".</summary>
    public const ushort MaxMapVersion = 0xFFF;

    /// <summary>RFC 9301: a record TTL of 0xFFFFFFFF lets the receiver keep the mapping as long as it likes; we never expire it.</summary>
    public const uint InfiniteTtl = uint.MaxValue;

    private readonly Locator[] locators;

    private MapCacheEntry(EidPrefix prefix, Locator[] locators, NegativeAction action, uint ttlMinutes, long expiresAt, ushort mapVersion, int expiryUnitShift)
    {
        Prefix = prefix;
        this.locators = locators;
        Action = action;
        TtlMinutes = ttlMinutes;
        ExpiresAt = expiresAt;
        MapVersion = mapVersion;
        Selector = LocatorSelector.Build(locators);
        HasTranslatedPorts = Array.Exists(locators, l => l.TranslatedPort != 0);
        // An entry toward a NATed xTR takes the general path, which reads the chosen locator's port; no other does.
        SingleUsableRloc = Selector.UsableCount == 1 && !HasTranslatedPorts ? locators[Selector.BestIndices[0]].Address : default;
        ExpiryUnitShift = expiryUnitShift;
        ForwardingWord = MapCacheForwardingWord.Of(this);
    }

    public EidPrefix Prefix { get; }

    public ReadOnlySpan<Locator> Locators => locators;

    /// <summary>True for an entry without locators (a negative Map-Reply); <see cref="Action"/> says what to do.</summary>
    public bool IsNegative => locators.Length == 0;

    /// <summary>The ACT field for a negative entry; <see cref="NegativeAction.NoAction"/> on positive entries.</summary>
    public NegativeAction Action { get; }

    /// <summary>The record TTL in minutes, as received.</summary>
    public uint TtlMinutes { get; }

    /// <summary>Absolute expiry in the ticks of the clock the entry was built with; <see cref="long.MaxValue"/> for never.</summary>
    public long ExpiresAt { get; }

    public ushort MapVersion { get; }

    /// <summary>The precomputed locator choice.</summary>
    public LocatorSelector Selector { get; }

    /// <summary>
    /// The address of the one usable best-priority locator when exactly one is usable (the common mapping), else
    /// the unspecified default: both selection modes (flow hash, source port) can only pick that one, so the
    /// encapsulating path reads the RLOC from the entry itself instead of going entry -> selector table ->
    /// locator array (three dependent loads, the hottest ones of the ITR loop in the C baseline's profile).
    /// Immutable like the rest of the entry, so the copy-on-write publication still hands readers a whole entry.
    /// </summary>
    public IpAddress SingleUsableRloc { get; }

    /// <summary>Whether a locator carries a NAT-translated port (<see cref="Locator.TranslatedPort"/>, an RTR's entry toward a NATed xTR).</summary>
    public bool HasTranslatedPorts { get; }

    /// <summary>log2 of the clock's frequency, rounded down: the forwarding word counts expiry in 2^shift ticks (0.5-1 s).</summary>
    public int ExpiryUnitShift { get; }

    /// <summary>What the encapsulating fast path needs of this entry in one 64-bit word (<see cref="MapCacheForwardingWord"/>).</summary>
    public ulong ForwardingWord { get; }

    public bool IsExpired(long now) => now >= ExpiresAt;

    /// <summary>The RLOC for a flow; false when the entry is negative or no locator is usable.</summary>
    public bool TrySelectRloc(uint flowHash, out IpAddress rloc)
    {
        int index = Selector.Select(flowHash);
        if (index < 0)
        {
            rloc = default;
            return false;
        }

        rloc = locators[index].Address;
        return true;
    }

    public static MapCacheEntry Create(EidPrefix prefix, ReadOnlySpan<Locator> locators, uint ttlMinutes, IMonotonicClock clock, ushort mapVersion = 0)
    {
        ArgumentNullException.ThrowIfNull(clock);
        return Create(prefix, locators, ttlMinutes, clock.Now, clock.Frequency, mapVersion);
    }

    /// <summary>A positive entry. Throws when the locator set is empty (use <see cref="Negative(EidPrefix, NegativeAction, uint, IMonotonicClock, ushort)"/>) or longer than <see cref="MaxLocators"/>.</summary>
    public static MapCacheEntry Create(EidPrefix prefix, ReadOnlySpan<Locator> locators, uint ttlMinutes, long now, long frequency, ushort mapVersion = 0)
    {
        CheckLocators(locators);
        CheckVersion(mapVersion);
        return new MapCacheEntry(prefix, locators.ToArray(), NegativeAction.NoAction, ttlMinutes, ExpiryOf(ttlMinutes, now, frequency), mapVersion, MapCacheForwardingWord.UnitShift(frequency));
    }

    public static MapCacheEntry Negative(EidPrefix prefix, NegativeAction action, uint ttlMinutes, IMonotonicClock clock, ushort mapVersion = 0)
    {
        ArgumentNullException.ThrowIfNull(clock);
        return Negative(prefix, action, ttlMinutes, clock.Now, clock.Frequency, mapVersion);
    }

    public static MapCacheEntry Negative(EidPrefix prefix, NegativeAction action, uint ttlMinutes, long now, long frequency, ushort mapVersion = 0)
    {
        if (action > NegativeAction.Drop)
        {
            throw new ArgumentOutOfRangeException(nameof(action), action, "ACT values are 0..3");
        }

        CheckVersion(mapVersion);
        return new MapCacheEntry(prefix, [], action, ttlMinutes, ExpiryOf(ttlMinutes, now, frequency), mapVersion, MapCacheForwardingWord.UnitShift(frequency));
    }

    /// <summary>The same mapping with one locator marked up or down (RLOC probing, LSBs); TTL and version are kept.</summary>
    public MapCacheEntry WithLocatorState(int index, bool isUp) => WithLocator(index, locator => locator.WithState(isUp));

    /// <summary>The same mapping with one locator's measured health replaced (RLOC probing); TTL and version are kept.</summary>
    public MapCacheEntry WithLocatorHealth(int index, bool isUp, bool isDegraded) =>
        WithLocator(index, locator => locator with { IsUp = isUp, IsDegraded = isDegraded });

    /// <summary>A copy with one locator changed (the selector is rebuilt); TTL, expiry and version are kept.</summary>
    private MapCacheEntry WithLocator(int index, Func<Locator, Locator> change)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, locators.Length);
        var copy = (Locator[])locators.Clone();
        copy[index] = change(copy[index]);
        return new MapCacheEntry(Prefix, copy, Action, TtlMinutes, ExpiresAt, MapVersion, ExpiryUnitShift);
    }

    /// <summary>
    /// The same prefix and TTL with a new locator set: what a Change-Priority C=1 message or a promotion/demotion
    /// of RLOCs does to an existing entry. The map-version is the caller's (0 keeps none).
    /// </summary>
    public MapCacheEntry WithLocators(ReadOnlySpan<Locator> newLocators, ushort mapVersion)
    {
        CheckLocators(newLocators);
        CheckVersion(mapVersion);
        return new MapCacheEntry(Prefix, newLocators.ToArray(), NegativeAction.NoAction, TtlMinutes, ExpiresAt, mapVersion, ExpiryUnitShift);
    }

    /// <summary>
    /// Absolute expiry: now + minutes * 60 * frequency, saturating to never. A TTL of 0 is already expired
    /// (RFC 9301: remove at once); <see cref="InfiniteTtl"/> never expires.
    /// </summary>
    public static long ExpiryOf(uint ttlMinutes, long now, long frequency)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frequency);
        if (ttlMinutes == InfiniteTtl)
        {
            return long.MaxValue;
        }

        Int128 expiry = now + (Int128)ttlMinutes * 60 * frequency;
        return expiry >= long.MaxValue ? long.MaxValue : (long)expiry;
    }

    private static void CheckLocators(ReadOnlySpan<Locator> locators)
    {
        if (locators.IsEmpty)
        {
            throw new ArgumentException("a positive entry needs at least one locator; build a negative entry instead", nameof(locators));
        }

        if (locators.Length > MaxLocators)
        {
            throw new ArgumentException($"{locators.Length} locators, at most {MaxLocators} per entry", nameof(locators));
        }

        foreach (var locator in locators)
        {
            if (locator.Address.Family == IpFamily.Unspecified)
            {
                throw new ArgumentException("a locator needs an IPv4 or IPv6 address", nameof(locators));
            }
        }
    }

    private static void CheckVersion(ushort mapVersion) =>
        ArgumentOutOfRangeException.ThrowIfGreaterThan(mapVersion, MaxMapVersion);

    public override string ToString() =>
        IsNegative
            ? $"{Prefix} negative {Action} ttl {TtlMinutes}m v{MapVersion}"
            : $"{Prefix} {string.Join(", ", locators)} ttl {TtlMinutes}m v{MapVersion}";
}
