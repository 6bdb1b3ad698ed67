using System.Runtime.CompilerServices;

namespace Dataplane.Forwarding.Counters;

/// <summary>
/// A few counters of one shared object (a TOF service, a UE's tunnel) that several workers add to (or stamp, see
/// <see cref="Raise"/>): each worker adds
/// to its own counters, two cache lines away from any other worker's, with a plain increment, and a read sums them. An interlocked add on one shared line
/// costs a cache-line transfer between cores per packet once two workers touch the object; this costs none.
/// The workers that exist when the object is made get a line each; a worker made later (its index past them) shares
/// one overflow line with the other latecomers, with interlocked adds there, so no update is ever lost.
/// </summary>
public sealed class PerWorkerCounters
{
    /// <summary>
    /// Longs of the gap kept between any two workers' counters: 128 bytes, two cache lines, since the L2's adjacent-line
    /// prefetcher moves lines in 128-byte pairs.
    /// </summary>
    private const int Gap = 16;

    private const int MaxFields = 8;

    private readonly long[] cells;
    private readonly int workers;
    private readonly int stride;

    /// <param name="workers">Workers that get a line of their own (at least 1).</param>
    /// <param name="fields">Counters per worker, at most 8.</param>
    public PerWorkerCounters(int workers, int fields)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fields, MaxFields);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fields);
        this.workers = Math.Max(1, workers);
        // The array is only 8-byte aligned, so a worker's counters are kept a whole line pair away from the next
        // worker's (and the first ones away from the array's length, read by every bounds check) rather than placed
        // on a line boundary: no two workers' counters can then share a line, wherever the array lands.
        stride = fields + Gap;
        cells = new long[Gap + ((this.workers + 1) * stride)];
    }

    /// <summary>Adds <paramref name="value"/> to counter <paramref name="field"/> for <paramref name="worker"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(int worker, int field, long value)
    {
        if ((uint)worker < (uint)workers)
        {
            cells[Gap + (worker * stride) + field] += value; // this worker's: nobody else writes it
        }
        else
        {
            Interlocked.Add(ref cells[Gap + (workers * stride) + field], value); // the latecomers' overflow
        }
    }

    /// <summary>
    /// Raises field <paramref name="field"/> of <paramref name="worker"/> to <paramref name="value"/> (a time stamp,
    /// read with <see cref="Max"/>): a plain store on the worker's own line, which its counters already keep in its cache.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Raise(int worker, int field, long value)
    {
        if ((uint)worker < (uint)workers)
        {
            cells[Gap + (worker * stride) + field] = value; // this worker's: nobody else writes it, and its clock only goes forward
        }
        else
        {
            RaiseShared(ref cells[Gap + (workers * stride) + field], value);
        }
    }

    /// <summary>Field <paramref name="field"/>'s largest value over the workers (the latest stamp).</summary>
    public long Max(int field)
    {
        long max = long.MinValue;
        for (int line = 0; line <= workers; line++)
        {
            max = Math.Max(max, Volatile.Read(ref cells[Gap + (line * stride) + field]));
        }

        return max;
    }

    private static void RaiseShared(ref long cell, long value)
    {
        long seen = Volatile.Read(ref cell);
        while (seen < value)
        {
            long found = Interlocked.CompareExchange(ref cell, value, seen);
            if (found == seen)
            {
                return;
            }

            seen = found;
        }
    }

    /// <summary>Counter <paramref name="field"/> summed over the workers.</summary>
    public long Sum(int field)
    {
        long total = 0;
        for (int line = 0; line <= workers; line++)
        {
            total += Volatile.Read(ref cells[Gap + (line * stride) + field]);
        }

        return total;
    }
}
