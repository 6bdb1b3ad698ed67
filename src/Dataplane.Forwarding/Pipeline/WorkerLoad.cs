using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Dataplane.Forwarding.Pipeline;

/// <summary>
/// How busy a worker's loop is: rounds over its queues (polls), the rounds that received something (busy polls) and
/// the time those rounds took, receive to last transmit. Rate of busy time over wall time is the share of the core
/// the worker spends forwarding rather than spinning on empty queues, which the worker's own CPU time cannot tell
/// (a polling worker is always at 100%). Written by the worker's thread only, one round at a time (never per
/// packet); read by the scraper, which may see a round's figures a moment apart.
/// </summary>
public sealed class WorkerLoad
{
    private long polls;
    private long busyPolls;
    private long busyTicks;

    /// <summary>Rounds over the worker's queues, empty ones included.</summary>
    public long Polls => Volatile.Read(ref polls);

    /// <summary>Rounds that received at least one packet.</summary>
    public long BusyPolls => Volatile.Read(ref busyPolls);

    /// <summary>Time spent in busy rounds, in <see cref="Stopwatch"/> ticks.</summary>
    public long BusyTicks => Volatile.Read(ref busyTicks);

    public double BusySeconds => (double)BusyTicks / Stopwatch.Frequency;

    /// <summary>A round that received <paramref name="received"/> packets began at <paramref name="startTimestamp"/> and has just ended.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void RecordRound(int received, long startTimestamp)
    {
        polls++;
        if (received != 0)
        {
            busyPolls++;
            busyTicks += Stopwatch.GetTimestamp() - startTimestamp;
        }
    }
}
