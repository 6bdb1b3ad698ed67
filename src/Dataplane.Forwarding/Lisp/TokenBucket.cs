using Dataplane.Tables.Time;

namespace Dataplane.Forwarding.Lisp;

/// <summary>
/// A per-worker token bucket on a monotonic clock (no locks: one worker owns it). Holds at most
/// <c>ratePerSecond</c> tokens (a one-second burst) and starts full. Used to rate-limit ICMP errors
/// (RFC 1812 section 4.3.2.8, RFC 4443 section 2.4 (f)).
/// </summary>
public sealed class TokenBucket
{
    private readonly IMonotonicClock clock;
    private readonly long capacity;
    private readonly long ticksPerToken;
    private long tokens;
    private long lastRefill;

    public TokenBucket(IMonotonicClock clock, int ratePerSecond)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentOutOfRangeException.ThrowIfNegative(ratePerSecond);
        this.clock = clock;
        capacity = ratePerSecond;
        ticksPerToken = ratePerSecond == 0 ? long.MaxValue : Math.Max(1, clock.Frequency / ratePerSecond);
        tokens = capacity;
        lastRefill = clock.Now;
    }

    /// <summary>Takes one token; false when none is left (the caller drops instead of sending).</summary>
    public bool TryTake()
    {
        if (capacity == 0)
        {
            return false;
        }

        long now = clock.Now;
        long earned = (now - lastRefill) / ticksPerToken;
        if (earned > 0)
        {
            if (tokens + earned >= capacity)
            {
                tokens = capacity;
                lastRefill = now;
            }
            else
            {
                tokens += earned;
                lastRefill += earned * ticksPerToken;
            }
        }

        if (tokens == 0)
        {
            return false;
        }

        tokens--;
        return true;
    }
}
