using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Tables.Time;

namespace Dataplane.Tests.Lisp;

/// <summary>The hot-path habit (docs/architecture.md): no allocation per packet or per batch. The whole pipeline with the ITR stage, over every path it has.</summary>
public sealed class LispEncapsulationAllocationTests
{
    [Fact]
    public unsafe void Processing_many_batches_through_the_itr_allocates_nothing()
    {
        var golden = LispTestFrames.GoldenConfig();
        var config = golden with { Lisp = golden.Lisp! with { IcmpRateLimitPerSecond = 1_000_000 } };
        var clock = new ManualClock(1_000_000_000);
        var plane = ForwardingPlaneBuilder.Build(config, new ForwardingPlaneOptions { Clock = clock, NonceSeed = null }); // random nonces
        var worker = plane.CreateWorker();
        byte[][] templates =
        [
            LispTestFrames.Ipv4Udp("10.1.0.10", "10.2.0.1"),                      // v4 over v4
            LispTestFrames.Ipv6Udp("2001:db8:1::10", "2001:db8:3::1"),            // v6 over v6 (UDP checksum computed)
            LispTestFrames.Ipv4Udp("10.1.0.11", "10.3.0.1", sourcePort: 7),      // v4 over v6
            LispTestFrames.Ipv6Udp("2001:db8:1::10", "2001:db8:2::1"),            // v6 over v4
            LispTestFrames.Ipv4Udp("10.1.0.10", "10.2.0.9", payload: 1452, dontFragment: true), // ICMP too big, routed back
            LispTestFrames.Ipv4Udp("10.1.0.10", "10.9.0.1"),                      // miss: punted
            LispTestFrames.Ipv4Udp("10.1.0.10", "10.4.0.1"),                      // negative: dropped
            LispTestFrames.Ipv4Udp("10.1.0.10", "10.2.0.1", ttl: 1),             // TTL expired: ICMP Time Exceeded, routed back
        ];
        using var pool = new PacketPool(bufferCount: PacketBatch.MaxCapacity);
        var batch = new PacketBatch();
        for (int i = 0; i < PacketBatch.MaxCapacity; i++)
        {
            var packet = default(PacketDescriptor);
            Assert.True(pool.TryAllocate(ref packet));
            batch.TryAdd(packet);
        }

        void RunBatches(int count)
        {
            for (int n = 0; n < count; n++)
            {
                var packets = batch.AsSpan();
                for (int i = 0; i < packets.Length; i++)
                {
                    ref var packet = ref packets[i];
                    byte[] template = templates[i % templates.Length];
                    packet.Attach(packet.Buffer, packet.Capacity, pool.Headroom, template.Length, packet.Owner);
                    template.CopyTo(packet.Data);
                }

                worker.Process(batch);
                while (worker.Punts.TryDequeue(out _))
                {
                }
            }
        }

        RunBatches(50); // warm-up: JIT, tiering, first random refill
        long smallest = long.MaxValue;
        for (int run = 0; run < 3; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            RunBatches(200);
            smallest = Math.Min(smallest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, smallest);
        var counters = plane.Counters();
        Assert.True(counters.IsConserved, counters.ToTable());
        Assert.True(counters.Counted(ForwardingEvent.LispEncapsulated) > 0);
        Assert.True(counters.Counted(ForwardingEvent.IcmpTooBigSent) > 0);
        Assert.True(counters.Counted(ForwardingEvent.IcmpTimeExceededSent) > 0); // TTL 1: Time Exceeded, routed back
        Assert.True(counters.Dropped(DropReason.NegativeEntryDrop) > 0);
        Assert.True(counters.Punted > 0);
        pool.Free(batch);
    }
}
