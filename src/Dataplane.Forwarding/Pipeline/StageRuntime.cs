using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Dataplane.Forwarding.Pipeline;

/// <summary>
/// Where one worker's time goes, per stage, as <c>vppctl show runtime</c> tells it per node: how often each stage ran,
/// how many packets each call was handed (packets per call is the vector size), and the time per packet. The
/// classify pass and the settle pass are stages here too, first and last. Counts are plain increments of the worker
/// that owns them, summed when read. The clock is read on one batch in <see cref="SampleEvery"/>: a clock read costs
/// about as much as a stage on a small batch, and sampled it adds well under a nanosecond per packet.
/// </summary>
public sealed class StageRuntime
{
    /// <summary>One batch in this many is timed (a power of two).</summary>
    public const int SampleEvery = 16;

    private readonly long[] calls;
    private readonly long[] packets;
    private readonly long[] sampledPackets;
    private readonly long[] sampledTicks;
    private long batches;

    public StageRuntime(IReadOnlyList<string> stageNames)
    {
        Names = [.. stageNames];
        calls = new long[Names.Length];
        packets = new long[Names.Length];
        sampledPackets = new long[Names.Length];
        sampledTicks = new long[Names.Length];
    }

    /// <summary>The stages in the order they run: classify, the role's stages, settle.</summary>
    public string[] Names { get; }

    /// <summary>
    /// Starts a batch: true (and the clock in <paramref name="start"/>) when this one is timed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool BeginBatch(out long start)
    {
        bool timed = (++batches & (SampleEvery - 1)) == 0;
        start = timed ? Stopwatch.GetTimestamp() : 0;
        return timed;
    }

    /// <summary>Stage <paramref name="stage"/> ran over <paramref name="count"/> packets; on a timed batch, since <paramref name="start"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Record(int stage, int count, bool timed, ref long start)
    {
        calls[stage]++;
        packets[stage] += count;
        if (timed)
        {
            long now = Stopwatch.GetTimestamp();
            sampledTicks[stage] += now - start;
            sampledPackets[stage] += count;
            start = now;
        }
    }

    /// <summary>What the stages did so far, summed over <paramref name="workers"/> (which run the same stages).</summary>
    public static IReadOnlyList<StageFigures> Sum(IEnumerable<StageRuntime> workers)
    {
        StageRuntime[] all = [.. workers];
        if (all.Length == 0)
        {
            return [];
        }

        var figures = new StageFigures[all[0].Names.Length];
        for (int stage = 0; stage < figures.Length; stage++)
        {
            long calls = 0, packets = 0, sampledPackets = 0, sampledTicks = 0;
            foreach (var worker in all)
            {
                calls += Volatile.Read(ref worker.calls[stage]);
                packets += Volatile.Read(ref worker.packets[stage]);
                sampledPackets += Volatile.Read(ref worker.sampledPackets[stage]);
                sampledTicks += Volatile.Read(ref worker.sampledTicks[stage]);
            }

            figures[stage] = new StageFigures(all[0].Names[stage], calls, packets, sampledPackets, sampledTicks * (1e9 / Stopwatch.Frequency));
        }

        return figures;
    }
}

/// <summary>
/// One stage's figures: calls, packets handed to it, and the packets and nanoseconds of the timed batches, from which
/// the time per packet (null until a timed batch ran).
/// </summary>
public sealed record StageFigures(string Name, long Calls, long Packets, long SampledPackets, double SampledNanoseconds)
{
    public double PacketsPerCall => Calls == 0 ? 0 : (double)Packets / Calls;

    public double? NanosecondsPerPacket => SampledPackets == 0 ? null : SampledNanoseconds / SampledPackets;

    /// <summary>These and <paramref name="other"/> (the same stage's, over another window) together.</summary>
    public StageFigures Plus(StageFigures other) =>
        this with
        {
            Calls = Calls + other.Calls,
            Packets = Packets + other.Packets,
            SampledPackets = SampledPackets + other.SampledPackets,
            SampledNanoseconds = SampledNanoseconds + other.SampledNanoseconds,
        };

    /// <summary>What happened between <paramref name="earlier"/> (the same stage's figures, read before) and these.</summary>
    public StageFigures Since(StageFigures earlier) =>
        this with
        {
            Calls = Calls - earlier.Calls,
            Packets = Packets - earlier.Packets,
            SampledPackets = SampledPackets - earlier.SampledPackets,
            SampledNanoseconds = SampledNanoseconds - earlier.SampledNanoseconds,
        };
}
