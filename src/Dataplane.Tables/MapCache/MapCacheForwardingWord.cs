namespace Dataplane.Tables.MapCache;

/// <summary>
/// The map-cache's fast path for the common mapping, packed in one 64-bit word kept in the slot array next to the
/// entry: bits 63..32 the one usable IPv4 RLOC (host order), bits 31..0 the entry's expiry in units of 2^k clock ticks, 2^k
/// the largest power of two not above the clock's frequency (so a unit is 0.5 to 1 s), rounded down. An encapsulating worker reads the word the LPM's slot leads to and, when it
/// is valid and not expired, has its RLOC with no further memory access: the entry object (another cache and TLB
/// miss at a million prefixes) is not touched. Everything else (negative entries, several usable locators, an IPv6
/// RLOC, an entry within its last unit) has the word <see cref="None"/> and takes the entry path, which decides
/// exactly. One aligned 64-bit write publishes it and one read takes it, so a reader never sees half of one word
/// and half of another.
/// </summary>
public static class MapCacheForwardingWord
{
    /// <summary>No fast path: read the entry.</summary>
    public const ulong None = 0;


    /// <summary>The word for <paramref name="entry"/>, or <see cref="None"/>.</summary>
    public static ulong Of(MapCacheEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var rloc = entry.SingleUsableRloc;
        if (entry.IsNegative || !rloc.IsV4)
        {
            return None;
        }

        // Rounding the expiry down makes the word expire up to one unit early (then the entry path decides), never late.
        uint expiry = Unit(entry.ExpiresAt, entry.ExpiryUnitShift);
        return expiry == 0 ? None : ((ulong)rloc.AsV4().Value << 32) | expiry;
    }

    /// <summary>The unit of a clock of <paramref name="frequency"/> ticks per second: log2 of it, rounded down.</summary>
    public static int UnitShift(long frequency) => frequency <= 1 ? 0 : System.Numerics.BitOperations.Log2((ulong)frequency);

    /// <summary>The clock reading <paramref name="ticks"/> in whole units of 2^<paramref name="shift"/> ticks (a reader: once per batch).</summary>
    public static uint Unit(long ticks, int shift) => ticks <= 0 ? 0 : (ticks >> shift) >= uint.MaxValue ? uint.MaxValue : (uint)(ticks >> shift);

    /// <summary>
    /// True when <paramref name="word"/> gives an RLOC usable at <paramref name="nowUnit"/> (<see cref="Unit"/> with the
    /// shift of the clock the entries were made with): an
    /// expiry unit after the current one means the entry's exact expiry (at or after the start of that unit) is still
    /// ahead. <see cref="None"/> has expiry unit 0 and never passes.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static bool TryGetRloc(ulong word, uint nowUnit, out uint rloc)
    {
        rloc = (uint)(word >> 32);
        return (uint)word > nowUnit;
    }
}
