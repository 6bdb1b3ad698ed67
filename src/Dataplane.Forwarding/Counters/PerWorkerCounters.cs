namespace Dataplane.Forwarding.Counters;

/// <summary>
/// A few counters of one shared object (a TOF service, a UE's tunnel) that several workers add to: each worker adds
/// to its own cache line with a plain increment, and a read sums the lines. An interlocked add on one shared line
/// costs a cache-line transfer between cores per packet once two workers touch the object; this costs none.
/// The workers that exist when the object is made get a line each; a worker made later (its index past them) shares
/// one overflow line with the other latecomers, with interlocked adds there, so no update is ever lost.
/// </summary>
public sealed class PerWorkerCounters
{
    /// <summary>Longs per line: 64 bytes, one cache line.</summary>
    private const int Stride = 8;

    private readonly long[] cells;
    private readonly int workers;

    /// <param name="workers">Workers that get a line of their own (at least 1).</param>
    /// <param name="fields">Counters per worker, at most 8.</param>
    public PerWorkerCounters(int workers, int fields)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fields, Stride);
        this.workers = Math.Max(1, workers);
        // One line per worker, the overflow line, and a leading line so the first worker's does not share one with
        // the array's header (read by every worker's bounds check).
        cells = new long[(this.workers + 2) * Stride];
    }

    /// <summary>Adds <paramref name="value"/> to counter <paramref name="field"/> for <paramref name="worker"/>.</summary>
    public void Add(int worker, int field, long value)
    {
        if ((uint)worker < (uint)workers)
        {
            cells[((worker + 1) * Stride) + field] += value; // this worker's line: nobody else writes it
        }
        else
        {
            Interlocked.Add(ref cells[((workers + 1) * Stride) + field], value);
        }
    }

    /// <summary>Counter <paramref name="field"/> summed over the workers.</summary>
    public long Sum(int field)
    {
        long total = 0;
        for (int line = 1; line <= workers + 1; line++)
        {
            total += Volatile.Read(ref cells[(line * Stride) + field]);
        }

        return total;
    }
}
