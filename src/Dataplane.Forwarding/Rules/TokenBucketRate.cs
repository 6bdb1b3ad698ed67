using System.Runtime.CompilerServices;

namespace Dataplane.Forwarding.Rules;

/// <summary>
/// One rate of a policer in the form its bucket charges it: the time one unit (a packet, a byte) earns, and the bucket's
/// depth as time (the burst). Times are in 1/64 of a clock tick, so a packet's cost keeps its fraction of a tick at any
/// rate the configuration allows, and a bucket stays in range for years (64-bit, ticks of 1 ns: 4.5 years).
/// </summary>
public readonly struct TokenBucketRate
{
    /// <summary>Sub-tick resolution: times are ticks shifted left by this.</summary>
    public const int Shift = 6;

    // Cost per unit with 24 more fraction bits: (units * perUnit) >> 24.
    private const int FractionBits = 24;

    private readonly ulong perUnit;

    /// <param name="unitsPerSecond">Packets or bytes per second (bits per second / 8, kept exact by <paramref name="unitsPerSecondDivisor"/>).</param>
    /// <param name="burstUnits">Packets or bytes the bucket holds.</param>
    /// <param name="frequency">Clock ticks per second.</param>
    public TokenBucketRate(long unitsPerSecond, long unitsPerSecondDivisor, long burstUnits, long frequency)
    {
        // ticks per unit = frequency * divisor / rate; in 1/64 tick, with 24 fraction bits.
        var numerator = (UInt128)(ulong)frequency * (ulong)unitsPerSecondDivisor << (Shift + FractionBits);
        perUnit = (ulong)(numerator / (ulong)unitsPerSecond);
        Depth = Cost(burstUnits);
    }

    /// <summary>The bucket's depth: what <see cref="Cost"/> of a full burst is.</summary>
    public long Depth { get; }

    public bool IsSet => perUnit != 0;

    /// <summary>The time <paramref name="units"/> packets or bytes take at the rate, in 1/64 tick.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Cost(long units)
    {
        ulong high = Math.BigMul((ulong)units, perUnit, out ulong low);
        return (long)((high << (64 - FractionBits)) | (low >> FractionBits));
    }

    /// <summary>
    /// The generic cell rate algorithm (ITU-T I.371), which is a token bucket kept as one word: the bucket's
    /// theoretical arrival time, the instant it would be full again. A packet costing <paramref name="cost"/>
    /// conforms when, charged, the bucket would not be over its depth; then it is charged with one compare-and-swap,
    /// so workers sharing the bucket never lose an update or take a lock. A bounded number of attempts: a bucket
    /// fought over that long refuses the packet (counted as a policer drop).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryCharge(ref long arrival, long now, long cost, long depth)
    {
        for (int attempt = 0; attempt < 64; attempt++)
        {
            long seen = Volatile.Read(ref arrival);
            long start = seen > now ? seen : now;
            long next = start + cost;
            if (next - now > depth)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref arrival, next, seen) == seen)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Gives back a charge (the other rate of the policer refused the packet).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Refund(ref long arrival, long cost) => Interlocked.Add(ref arrival, -cost);
}
