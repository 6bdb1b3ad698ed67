using BenchmarkDotNet.Attributes;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Tables.Time;

namespace Dataplane.Benchmarks;

/// <summary>
/// Runs one worker's whole pipeline (classify, every configured stage, settle) over a batch of 256 copies of one
/// frame; the figure is per packet. Each invocation first rewrites every buffer with the template frame (a 64..128
/// byte copy per packet, included in the figure, as a NIC's DMA write is not), because the pipeline rewrites
/// packets in place.
/// </summary>
[MemoryDiagnoser]
public abstract class PipelineBenchmarkBase
{
    protected const int BatchSize = PacketBatch.MaxCapacity;

    private readonly PacketBatch batch = new();
    private PacketPool pool = null!;
    private ForwardingPipeline pipeline = null!;
    private byte[] frame = [];

    /// <summary>The JSON configuration of the plane under test.</summary>
    protected abstract string Configuration { get; }

    /// <summary>The frame every packet of the batch starts as.</summary>
    protected abstract byte[] Frame { get; }

    /// <summary>Lets a benchmark fill tables (e.g. a 1M-prefix map-cache) after the plane is built.</summary>
    protected virtual void Populate(ForwardingPlane plane)
    {
    }

    [GlobalSetup]
    public void Setup()
    {
        var plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(Configuration), new ForwardingPlaneOptions { Clock = new ManualClock(1_000_000_000), NonceSeed = 1 });
        Populate(plane);
        pipeline = plane.CreateWorker();
        frame = Frame;
        pool = new PacketPool(BatchSize, 2048, 256);
        for (int i = 0; i < BatchSize; i++)
        {
            var packet = default(PacketDescriptor);
            pool.TryAllocate(ref packet);
            batch.TryAdd(packet);
        }

        Process();
        var settled = batch[0];
        if (settled.IsDropped || settled.Disposition != PacketDisposition.Transmit)
        {
            throw new InvalidOperationException($"the benchmark packet is not transmitted (drop reason {(Forwarding.Counters.DropReason)settled.DropReason}, disposition {settled.Disposition}): it would measure the wrong path");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        pool.Free(batch);
        pool.Dispose();
    }

    [Benchmark(OperationsPerInvoke = BatchSize)]
    public void Process()
    {
        var packets = batch.AsSpan();
        for (int i = 0; i < packets.Length; i++)
        {
            ref var packet = ref packets[i];
            packet.Reattach(256, frame.Length);
            frame.CopyTo(packet.Data);
        }

        pipeline.Process(batch);
    }
}
