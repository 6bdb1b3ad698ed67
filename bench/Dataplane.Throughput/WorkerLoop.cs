using System.Diagnostics;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Runtime.Workers;
using Dataplane.Throughput.Scenarios;

namespace Dataplane.Throughput;

/// <summary>
/// One worker of a cell, on its own thread pinned to its core: builds its ring, checks that every frame of it goes
/// the scenario's way, warms up, then measures the windows the coordinator opens (a <see cref="Barrier"/> before and
/// after each, so all workers run at once). The loop between the barriers is receive, Process, repeat: it
/// allocates nothing (the ring and the batch are preallocated).
/// </summary>
internal sealed class WorkerLoop
{
    private readonly int index;
    private readonly IScenario scenario;
    private readonly ScenarioSettings scenarioSettings;
    private readonly CellSettings settings;
    private readonly ForwardingPipeline pipeline;
    private readonly int frameLength;
    private readonly Barrier barrier;
    private readonly PacketBatch batch = new();

    public WorkerLoop(int index, IScenario scenario, ScenarioSettings scenarioSettings, CellSettings settings, ForwardingPipeline pipeline, int frameLength, Barrier barrier)
    {
        this.index = index;
        this.scenario = scenario;
        this.scenarioSettings = scenarioSettings;
        this.settings = settings;
        this.pipeline = pipeline;
        this.frameLength = frameLength;
        this.barrier = barrier;
        windowPackets = new long[settings.Runs];
        windowTicks = new long[settings.Runs];
        windowAllocated = new long[settings.Runs];
        windowCpuSeconds = new double[settings.Runs];
    }

    // Raw figures per window, preallocated: the window's records are made after the last window, so the worker
    // allocates nothing while the coordinator's process-wide count (GC.GetTotalAllocatedBytes) is open.
    private readonly long[] windowPackets;
    private readonly long[] windowTicks;
    private readonly long[] windowAllocated;
    private readonly double[] windowCpuSeconds;

    /// <summary>The measured windows, complete once the thread has ended.</summary>
    public List<WorkerWindow> Windows { get; } = [];

    public string? Failure { get; private set; }

    public string? PinningProblem { get; private set; }

    public int TransmittedLength { get; private set; }

    public void Run()
    {
        if (!CpuAffinity.TryPinCurrentThread(index % Environment.ProcessorCount, out string problem))
        {
            PinningProblem = problem;
        }

        PacketRing? ring = null;
        try
        {
            ring = new PacketRing(scenario, scenarioSettings, settings.RingFrames, frameLength);
            Validate(ring);
        }
        catch (Exception exception)
        {
            Failure ??= $"worker {index}: {exception.Message}";
        }

        barrier.SignalAndWait(); // ready
        if (ring is null)
        {
            barrier.SignalAndWait(); // warmed up
            for (int run = 0; run < settings.Runs; run++)
            {
                barrier.SignalAndWait();
                barrier.SignalAndWait();
            }

            return;
        }

        using (ring)
        {
            long warmupEnd = Stopwatch.GetTimestamp() + Ticks(settings.Warmup);
            Loop(ring, warmupEnd);
            barrier.SignalAndWait(); // warmed up: idle until the first window opens, so the coordinator reads still figures
            for (int run = 0; run < settings.Runs; run++)
            {
                barrier.SignalAndWait(); // window opens
                Measure(ring, run);
                barrier.SignalAndWait(); // window closed
            }
        }

        for (int run = 0; run < settings.Runs; run++)
        {
            Windows.Add(new WorkerWindow(index, windowPackets[run], (double)windowTicks[run] / Stopwatch.Frequency, windowAllocated[run], windowCpuSeconds[run]));
        }
    }

    private void Measure(PacketRing ring, int run)
    {
        var counters = pipeline.Counters;
        long transmitted = counters.Transmitted, punted = counters.Punted, dropped = counters.TotalDropped, events = counters.Counted(scenario.Event);
        double cpu = ThreadCpuClock.Seconds();
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        long start = Stopwatch.GetTimestamp();
        long packets = Loop(ring, start + Ticks(settings.Window));
        long end = Stopwatch.GetTimestamp();
        windowAllocated[run] = GC.GetAllocatedBytesForCurrentThread() - allocated;
        windowCpuSeconds[run] = cpu > 0 ? ThreadCpuClock.Seconds() - cpu : 0;
        windowPackets[run] = packets;
        windowTicks[run] = end - start;

        transmitted = counters.Transmitted - transmitted;
        punted = counters.Punted - punted;
        dropped = counters.TotalDropped - dropped;
        events = counters.Counted(scenario.Event) - events;
        if (transmitted != packets || punted != 0 || dropped != 0 || events != packets)
        {
            Failure ??= $"worker {index}, run {run + 1}: of {packets} packets {transmitted} transmitted, {punted} punted, {dropped} dropped, {events} counted {scenario.Event}: the figure would measure another path";
        }
    }

    /// <summary>The measured loop: whole batches until the deadline; returns the packets processed.</summary>
    private long Loop(PacketRing ring, long deadline)
    {
        long packets = 0;
        var pipeline = this.pipeline;
        var batch = this.batch;
        var load = pipeline.Load;
        do
        {
            // A round as the daemon's worker makes it (ForwardingWorker.PollOnce), its load accounting included.
            bool timed = load.BeginRound(out long start);
            ring.Receive(batch);
            pipeline.Process(batch);
            load.EndRound(batch.Count, timed, start);
            packets += batch.Count;
        }
        while (Stopwatch.GetTimestamp() < deadline);

        return packets;
    }

    /// <summary>One pass over the whole ring, packet by packet: transmitted, out of the right port, with the right length.</summary>
    private void Validate(PacketRing ring)
    {
        int expectedLength = frameLength + scenario.LengthChange;
        for (int done = 0; done < ring.Frames; done += PacketBatch.MaxCapacity)
        {
            ring.Receive(batch);
            pipeline.Process(batch);
            var packets = batch.AsSpan();
            for (int i = 0; i < packets.Length; i++)
            {
                ref var packet = ref packets[i];
                if (packet.IsDropped || packet.Disposition != PacketDisposition.Transmit)
                {
                    throw new InvalidOperationException($"frame {done + i} of the ring is not transmitted: disposition {packet.Disposition}, drop reason {(DropReason)packet.DropReason}");
                }

                if (packet.EgressPort != scenario.EgressPort)
                {
                    throw new InvalidOperationException($"frame {done + i} of the ring leaves by port {packet.EgressPort}, not {scenario.EgressPort}");
                }

                if (packet.Length != expectedLength)
                {
                    throw new InvalidOperationException($"frame {done + i} of the ring leaves with {packet.Length} bytes, not {expectedLength} ({frameLength} {scenario.LengthChange:+0;-0})");
                }
            }

            TransmittedLength = packets[0].Length;
        }
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
