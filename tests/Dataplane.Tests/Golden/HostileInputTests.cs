using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Tables.Time;

namespace Dataplane.Tests.Golden;

/// <summary>
/// Every role's pipeline against damaged versions of its own golden input: each frame cut at random lengths and
/// with random bytes flipped (seeded, so a failure replays). Whatever arrives, nothing throws out of the pipeline,
/// every packet ends transmitted, punted or dropped under a named reason (never under None), conservation holds
/// after every batch, and no transmitted frame reaches outside its buffer.
/// </summary>
public class HostileInputTests
{
    private const int VariantsPerFrame = 40;

    [Theory]
    [MemberData(nameof(GoldenSuiteTests.Cases), MemberType = typeof(GoldenSuiteTests))]
    public void Damaged_frames_are_accounted_for_and_never_throw(string name)
    {
        var goldenCase = new GoldenCase(name);
        var plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Load(goldenCase.ConfigPath), new ForwardingPlaneOptions { Clock = new ManualClock(1_000_000_000), NonceSeed = 1 });
        var pipeline = plane.CreateWorker();
        var frames = CaptureFrames.Read(goldenCase.InputPath);
        using var pool = new PacketPool((2 * PacketBatch.MaxCapacity) + pipeline.Punts.Capacity, 9216, 256);
        var batch = new PacketBatch();
        var random = new Random(name.GetHashCode(StringComparison.Ordinal) ^ 0x5EED);
        long fed = 0;

        foreach (var original in frames)
        {
            batch.Clear();
            for (int v = 0; v < VariantsPerFrame; v++)
            {
                var packet = default(PacketDescriptor);
                Assert.True(pool.TryAllocate(ref packet));
                byte[] damaged = Damage(original, random, v);
                damaged.CopyTo(packet.BufferSpan[packet.DataOffset..]);
                packet.TrySetLength(damaged.Length);
                batch.TryAdd(packet);
            }

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

        var final = plane.Counters();
        Assert.Equal(fed, final.Received);
        Assert.Equal(0, final.Dropped(DropReason.None));
        Assert.Equal(pool.BufferCount, pool.Available);
    }

    /// <summary>Variant 0 is the frame whole; then cuts at every early length, then random cuts with flipped bytes.</summary>
    private static byte[] Damage(byte[] frame, Random random, int variant)
    {
        if (variant == 0)
        {
            return (byte[])frame.Clone();
        }

        int length = variant < 20 ? Math.Min(frame.Length, variant * 4) : random.Next(0, frame.Length + 1);
        byte[] damaged = frame.AsSpan(0, length).ToArray();
        int flips = variant < 20 ? 0 : random.Next(1, 4);
        for (int i = 0; i < flips && damaged.Length > 0; i++)
        {
            damaged[random.Next(damaged.Length)] ^= (byte)random.Next(1, 256);
        }

        return damaged;
    }
}
