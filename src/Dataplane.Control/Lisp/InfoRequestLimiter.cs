using Dataplane.Wire.Addresses;

namespace Dataplane.Control.Lisp;

/// <summary>
/// The bound on how many Info-Requests a map-server answers: a token bucket per source address and port (several xTRs
/// behind one NAT share the address, never the port) and one for all sources, taken in that order, before any HMAC is
/// computed. Each bucket holds at most one second of its rate (and at least one token). The table of sources is
/// bounded: when it is full, buckets that have filled up again (idle sources) are dropped, at most once a second; a
/// new source that still finds it full is refused. Control thread only.
/// </summary>
internal sealed class InfoRequestLimiter(Func<long> nowMilliseconds, int globalPerSecond, double perSourcePerSecond, int sourceLimit)
{
    private readonly Dictionary<(IpAddress Address, ushort Port), Bucket> sources = [];
    private Bucket global = new(Math.Max(1, globalPerSecond), nowMilliseconds());
    private long lastSweep = long.MinValue / 2; // far enough back that the first sweep may run, without overflowing the subtraction

    public int TrackedSources => sources.Count;

    /// <summary>True when an Info-Request from this source may be answered now (and takes its tokens).</summary>
    public bool TryAdmit(IpAddress source, ushort port)
    {
        long now = nowMilliseconds();
        double sourceCapacity = Math.Max(1, perSourcePerSecond);
        if (!sources.TryGetValue((source, port), out var bucket))
        {
            if (sources.Count >= sourceLimit && !TrySweep(now, sourceCapacity))
            {
                return false;
            }

            bucket = new Bucket(sourceCapacity, now);
        }

        bucket = bucket.Refilled(now, perSourcePerSecond, sourceCapacity);
        if (bucket.Tokens < 1)
        {
            sources[(source, port)] = bucket;
            return false;
        }

        global = global.Refilled(now, globalPerSecond, Math.Max(1, globalPerSecond));
        if (global.Tokens < 1)
        {
            sources[(source, port)] = bucket;
            return false;
        }

        global = global with { Tokens = global.Tokens - 1 };
        sources[(source, port)] = bucket with { Tokens = bucket.Tokens - 1 };
        return true;
    }

    /// <summary>Forgets sources whose bucket is full again; false when none was (or a sweep ran less than a second ago).</summary>
    private bool TrySweep(long now, double capacity)
    {
        if (now - lastSweep < 1000)
        {
            return false;
        }

        lastSweep = now;
        foreach (var (key, bucket) in sources.ToArray())
        {
            if (bucket.Refilled(now, perSourcePerSecond, capacity).Tokens >= capacity)
            {
                sources.Remove(key);
            }
        }

        return sources.Count < sourceLimit;
    }

    private readonly record struct Bucket(double Tokens, long At)
    {
        public Bucket Refilled(long now, double ratePerSecond, double capacity) =>
            new(Math.Min(capacity, Tokens + Math.Max(0, now - At) * ratePerSecond / 1000.0), now);
    }
}
