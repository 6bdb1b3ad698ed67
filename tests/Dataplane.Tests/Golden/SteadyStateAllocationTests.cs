using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Tables.Time;

namespace Dataplane.Tests.Golden;

/// <summary>
/// The hot path allocates nothing: every golden case's input, fed through one worker's pipeline over and over
/// (every stage and every decision the suite covers: encapsulations, decapsulations, punts, drops, replies), leaves
/// the allocated-bytes counter of the thread where it was once the tables are warm. Flood copies come from the same
/// pool, as in replay, so replication is measured too.
/// </summary>
public class SteadyStateAllocationTests
{
    private const int WarmUpRounds = 20;
    private const int MeasuredRounds = 200;

    [Theory]
    [MemberData(nameof(GoldenSuiteTests.Cases), MemberType = typeof(GoldenSuiteTests))]
    public void Steady_state_forwarding_allocates_nothing(string name)
    {
        var goldenCase = new GoldenCase(name);
        var clock = new ManualClock(1_000_000_000);
        var plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Load(goldenCase.ConfigPath), new ForwardingPlaneOptions { Clock = clock, NonceSeed = 1 });
        var pipeline = plane.CreateWorker();
        var frames = CaptureFrames.Read(goldenCase.InputPath);
        using var pool = new PacketPool((2 * PacketBatch.MaxCapacity) + pipeline.Punts.Capacity + pipeline.Emitter.Capacity, 9216, 256);
        pipeline.Emitter.UseSources([], new PacketPoolBufferSource(pool, ownerPort: 0)); // flood copies, as in replay
        var batch = new PacketBatch();

        for (int i = 0; i < WarmUpRounds; i++)
        {
            Round(frames, pool, batch, pipeline);
        }

        long least = long.MaxValue;
        int rounds = WarmUpRounds;
        for (int run = 0; run < 3 && least != 0; run++)
        {
            rounds += MeasuredRounds;
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < MeasuredRounds; i++)
            {
                Round(frames, pool, batch, pipeline);
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, least);
        var counters = plane.Counters();
        Assert.Equal((long)rounds * frames.Count, counters.Received);
        Assert.True(counters.IsConserved, counters.ToTable());
    }

    /// <summary>One pass over the input in batches, as a port would do it: fill, process, send/free, drain punts.</summary>
    private static void Round(List<byte[]> frames, PacketPool pool, PacketBatch batch, ForwardingPipeline pipeline)
    {
        for (int start = 0; start < frames.Count; start += PacketBatch.MaxCapacity)
        {
            batch.Clear();
            int end = Math.Min(frames.Count, start + PacketBatch.MaxCapacity);
            for (int i = start; i < end; i++)
            {
                var packet = default(PacketDescriptor);
                Assert.True(pool.TryAllocate(ref packet));
                frames[i].CopyTo(packet.BufferSpan[packet.DataOffset..]);
                packet.TrySetLength(frames[i].Length);
                batch.TryAdd(packet);
            }

            pipeline.Process(batch);
            foreach (ref var packet in batch.AsSpan())
            {
                if (packet.Disposition != PacketDisposition.Punt || packet.IsDropped)
                {
                    pool.Free(ref packet);
                }
            }

            pool.FreeBulk(pipeline.Emitter.Packets); // emitted packets are never punted
            pipeline.Emitter.Clear();

            while (pipeline.Punts.TryDequeue(out var punted))
            {
                pool.Free(ref punted);
            }
        }
    }
}
