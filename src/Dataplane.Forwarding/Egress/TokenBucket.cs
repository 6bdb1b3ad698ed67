namespace Dataplane.Forwarding.Egress;

/// <summary>
/// A token bucket in integer arithmetic: tokens are bits x clock ticks per second, so a refill is one multiplication
/// (elapsed ticks x rate in bit/s) and a frame costs its bytes x 8 x ticks per second, with no division and no
/// rounding drift. A frame may leave while the bucket holds any credit; it then goes into debt by at most that frame,
/// so a frame larger than the depth is never stuck.
/// </summary>
internal struct TokenBucket
{
    private readonly long rate;
    private readonly long depth;
    private readonly long maxElapsed;
    private readonly long byteCost;
    private long tokens;

    public TokenBucket(long rateBitsPerSecond, long depthBytes, long ticksPerSecond)
    {
        rate = rateBitsPerSecond;
        byteCost = 8 * ticksPerSecond;
        depth = depthBytes * byteCost;
        // Beyond this, a pause fills the bucket anyway; capping it keeps elapsed x rate from overflowing.
        maxElapsed = rate > 0 ? depth / rate + 1 : 0;
        tokens = rate > 0 ? depth : 0;
    }

    public readonly bool HasCredit => tokens > 0;

    public void Refill(long elapsedTicks)
    {
        if (elapsedTicks > maxElapsed)
        {
            elapsedTicks = maxElapsed;
        }

        long filled = tokens + elapsedTicks * rate;
        tokens = filled > depth ? depth : filled;
    }

    public void Spend(int bytes) => tokens -= bytes * byteCost;
}
