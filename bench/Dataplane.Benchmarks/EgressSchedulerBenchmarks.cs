using BenchmarkDotNet.Attributes;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Egress;

namespace Dataplane.Benchmarks;

/// <summary>
/// The egress scheduler's cost per packet, on a virtual clock that advances 10 us per operation: a batch of 256
/// frames (a third DSCP 46 in a guaranteed class, the rest best effort) queued by class and let out. <c>Unlimited</c>:
/// the port's rate lets everything out (enqueue, guarantee phase, round robin, dequeue); <c>Flooded</c>: the rate
/// lets out about 4 frames per operation and the rest is refused by the full queues (the flood's cost).
/// </summary>
[MemoryDiagnoser]
public class EgressSchedulerBenchmarks
{
    private const int Batch = 256;
    private const long Step = 10_000;
    private readonly PacketDescriptor[] frames = new PacketDescriptor[Batch];
    private readonly PacketDescriptor[] output = new PacketDescriptor[Batch];
    private PacketPool? pool;
    private EgressScheduler? unlimited;
    private EgressScheduler? flooded;
    private long now;

    [Params(64, 1500)]
    public int FrameLength { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        pool = new PacketPool(Batch);
        for (int i = 0; i < Batch; i++)
        {
            Check(pool.TryAllocate(ref frames[i]), "pool");
            frames[i].TrySetLength(FrameLength);
            var data = frames[i].Data;
            data[12] = 0x08;
            data[13] = 0x00;
            data[14] = 0x45;
            data[15] = (byte)(i % 3 == 0 ? 46 << 2 : 0);
        }

        unlimited = Scheduler(400_000_000_000);
        flooded = Scheduler(FrameLength * 8L * 4 * 100_000); // 4 frames per 10 us
    }

    private static EgressScheduler Scheduler(long rate) => new(EgressSchedulerSettings.From(new EgressConfig
    {
        RateBitsPerSecond = rate,
        Classes = [new EgressClassConfig { Name = "mec", Dscp = [46, 34], GuaranteedBitsPerSecond = rate / 4, Weight = 3, QueuePackets = 1024 }],
        BestEffort = new EgressBestEffortConfig { Weight = 1, QueuePackets = 4096 },
    }, workers: 1), 1_000_000_000, 0);

    private static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException(what);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => pool?.Dispose();

    /// <summary>Every frame queued and let out again: the scheduler's work per packet that leaves.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int Unlimited() => Round(unlimited!);

    /// <summary>The queues full: most frames refused (counted), four let out per round.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int Flooded() => Round(flooded!);

    private int Round(EgressScheduler scheduler)
    {
        // The same 256 descriptors are offered each round; what leaves or is refused is simply not freed (the pool
        // is the benchmark's, and the descriptors are copies), so only the scheduler's own work is measured.
        for (int i = 0; i < frames.Length; i++)
        {
            scheduler.TryEnqueue(frames[i]);
        }

        now += Step;
        int sent = 0, got;
        do
        {
            got = scheduler.Dequeue(now, output);
            sent += got;
        }
        while (got == output.Length);

        return sent;
    }
}
