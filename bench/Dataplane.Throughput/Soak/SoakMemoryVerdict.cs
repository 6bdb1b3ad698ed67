namespace Dataplane.Throughput.Soak;

/// <summary>
/// Memory over the soak. "Flat" is judged on the second half against the first half (both after the first sample,
/// which follows the setup's forced collection): the highest RSS of the second half may exceed the highest of the
/// first by at most <see cref="RssGrowthBoundBytes"/>, likewise the GC heap, and the second half may not have more
/// gen2 collections than the first plus one (a steady process collects gen2 at a steady rate or not at all; a leak
/// makes it climb).
/// </summary>
public sealed record SoakMemoryVerdict(
    long RssFirst, long RssLast, long RssMax, long RssFirstHalfMax, long RssSecondHalfMax,
    long HeapFirst, long HeapLast, long HeapMax, long HeapFirstHalfMax, long HeapSecondHalfMax,
    int Gen2FirstHalf, int Gen2SecondHalf, long RssGrowthBoundBytes, long HeapGrowthBoundBytes)
{
    /// <summary>
    /// 32 MiB for RSS: the gen0 allocation budget of the workstation GC is sized from the L3 cache (a few MiB to
    /// tens of MiB), and the control server's per-request garbage (JSON documents, reply strings) fills it and is
    /// returned to the OS lazily, so RSS breathes by up to about one budget between samples; a leak of even 100
    /// bytes per update at 10000/s is 1 MB/s, 300 MB over the second half of a 600 s soak, far beyond it.
    /// The GC heap gets the same bound for the same reason.
    /// </summary>
    public const long DefaultGrowthBound = 32L << 20;

    public bool RssFlat => RssSecondHalfMax - RssFirstHalfMax <= RssGrowthBoundBytes;

    public bool HeapFlat => HeapSecondHalfMax - HeapFirstHalfMax <= HeapGrowthBoundBytes;

    public bool Gen2Flat => Gen2SecondHalf <= Gen2FirstHalf + 1;

    public static SoakMemoryVerdict From(IReadOnlyList<SoakSample> samples)
    {
        if (samples.Count < 2)
        {
            throw new ArgumentException("a soak needs at least two samples", nameof(samples));
        }

        int half = samples.Count / 2;
        long rssFirstHalf = 0, rssSecondHalf = 0, heapFirstHalf = 0, heapSecondHalf = 0, rssMax = 0, heapMax = 0;
        for (int i = 0; i < samples.Count; i++)
        {
            var s = samples[i];
            rssMax = Math.Max(rssMax, s.RssBytes);
            heapMax = Math.Max(heapMax, s.GcHeapBytes);
            if (i < half)
            {
                rssFirstHalf = Math.Max(rssFirstHalf, s.RssBytes);
                heapFirstHalf = Math.Max(heapFirstHalf, s.GcHeapBytes);
            }
            else
            {
                rssSecondHalf = Math.Max(rssSecondHalf, s.RssBytes);
                heapSecondHalf = Math.Max(heapSecondHalf, s.GcHeapBytes);
            }
        }

        var first = samples[0];
        var middle = samples[half];
        var last = samples[^1];
        return new SoakMemoryVerdict(
            first.RssBytes, last.RssBytes, rssMax, rssFirstHalf, rssSecondHalf,
            first.GcHeapBytes, last.GcHeapBytes, heapMax, heapFirstHalf, heapSecondHalf,
            middle.Gen2 - first.Gen2, last.Gen2 - middle.Gen2, DefaultGrowthBound, DefaultGrowthBound);
    }
}
