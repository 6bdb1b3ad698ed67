using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Dataplane.Forwarding.Pipeline;

/// <summary>
/// How busy a worker's loop is: rounds over its queues (polls), the rounds that received something (busy polls) and
/// the time those rounds took, receive to last transmit. The rate of busy time is the share of the core the worker
/// spends forwarding rather than spinning on empty queues, which its CPU time cannot tell (a polling worker is
/// always at 100%). Written by the worker's thread only, once per round (never per packet); read by the scraper.
/// </summary>
/// <remarks>
/// Rounds and busy rounds are counted exactly. The time is measured on one round in <see cref="SampleEvery"/>, chosen
/// by the round's number (so busy and empty rounds are sampled alike), and a timed busy round adds its duration times
/// <see cref="SampleEvery"/>: an unbiased estimate that only grows, as a counter must. A clock read costs 20 to 75 ns
/// here, as much as a busy round's 32 packets cost in a small stage; sampled, it adds well under a nanosecond per
/// packet (the stage timing in <see cref="StageRuntime"/> samples the same way).
/// </remarks>
public sealed class WorkerLoad
{
    /// <summary>One round in this many is timed (a power of two).</summary>
    public const int SampleEvery = 16;

    private long polls;
    private long busyPolls;
    private long busyTicks;

    /// <summary>Rounds over the worker's queues, empty ones included.</summary>
    public long Polls => Volatile.Read(ref polls);

    /// <summary>Rounds that received at least one packet.</summary>
    public long BusyPolls => Volatile.Read(ref busyPolls);

    /// <summary>Time spent in busy rounds, in <see cref="Stopwatch"/> ticks, estimated from the timed rounds.</summary>
    public long BusyTicks => Volatile.Read(ref busyTicks);

    public double BusySeconds => (double)BusyTicks / Stopwatch.Frequency;

    /// <summary>Starts a round: true (and the clock in <paramref name="start"/>) when this one is timed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool BeginRound(out long start)
    {
        bool timed = (++polls & (SampleEvery - 1)) == 0;
        start = timed ? Stopwatch.GetTimestamp() : 0;
        return timed;
    }

    /// <summary>The round begun by <see cref="BeginRound"/> received <paramref name="received"/> packets and is over.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void EndRound(int received, bool timed, long start)
    {
        if (received != 0)
        {
            busyPolls++;
            if (timed)
            {
                busyTicks += (Stopwatch.GetTimestamp() - start) * SampleEvery;
            }
        }
    }
}
