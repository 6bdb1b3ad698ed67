using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Tables.MapCache;
using Dataplane.Tests.Golden;

namespace Dataplane.Tests.Fuzz;

/// <summary>
/// Wire headers: ClassifyStage and each role's whole pipeline over one mutated frame at a time (every golden case
/// is a role: ITR, ETR, PITR, PETR, RTR, VTEP, GTP-U, ToF), seeded from the case's own input. Beyond the damage of
/// <see cref="HostileInputTests"/>, the mutator lies in length fields (IPv4 total length, UDP length, IPv6 payload
/// length, GTP-U length) and splices frames. Every packet ends decided under a named reason, conservation holds,
/// no frame reaches outside its buffer, and no buffer leaks.
/// </summary>
public class WireFuzzTests
{
    private const int BatchSize = 32;

    [Theory]
    [MemberData(nameof(GoldenSuiteTests.Cases), MemberType = typeof(GoldenSuiteTests))]
    public void Each_role_pipeline_survives_mutated_frames(string name)
    {
        var goldenCase = new GoldenCase(name);
        var plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Load(goldenCase.ConfigPath), new ForwardingPlaneOptions { Clock = new ManualClock(1_000_000_000), NonceSeed = 1 });
        var pipeline = plane.CreateWorker();
        var frames = CaptureFrames.Read(goldenCase.InputPath);
        using var pool = new PacketPool((2 * PacketBatch.MaxCapacity) + pipeline.Punts.Capacity, 9216, 256);
        var batch = new PacketBatch();
        var pending = new List<byte[]>(BatchSize);
        long fed = 0;

        void Flush()
        {
            batch.Clear();
            foreach (var frame in pending)
            {
                var packet = default(PacketDescriptor);
                Assert.True(pool.TryAllocate(ref packet));
                int length = Math.Min(frame.Length, packet.Capacity - packet.DataOffset);
                frame.AsSpan(0, length).CopyTo(packet.BufferSpan[packet.DataOffset..]);
                packet.TrySetLength(length);
                batch.TryAdd(packet);
            }

            pending.Clear();
            pipeline.Process(batch);
            fed += batch.Count;
            foreach (ref var packet in batch.AsSpan())
            {
                Assert.True(packet.IsDropped || packet.Disposition != PacketDisposition.Pending, "a packet left pending after the pipeline");
                Assert.True(packet.DataOffset >= 0 && packet.DataOffset + packet.Length <= packet.Capacity, "a frame outside its buffer");
                if (packet.Disposition != PacketDisposition.Punt || packet.IsDropped)
                {
                    pool.Free(ref packet);
                }
            }

            while (pipeline.Punts.TryDequeue(out var punted))
            {
                pool.Free(ref punted);
            }

            var counters = plane.Counters();
            Assert.True(counters.IsConserved, counters.ToTable());
        }

        FuzzBudget.Run("wire/" + name, frames, 40_000, input =>
        {
            pending.Add(input);
            if (pending.Count == BatchSize)
            {
                Flush();
            }
        });
        Flush();

        var final = plane.Counters();
        Assert.Equal(fed, final.Received);
        Assert.Equal(0, final.Dropped(DropReason.None));
        Assert.Equal(pool.BufferCount, pool.Available);
    }
}
