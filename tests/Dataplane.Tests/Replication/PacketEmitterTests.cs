using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using static Dataplane.Tests.Replication.ReplicationPipelineFixture;

namespace Dataplane.Tests.Replication;

/// <summary>
/// The replication primitive in a worker's pipeline: copies in buffers of their own with the original's bytes and
/// metadata, counted so that received + emitted = transmitted + punted + dropped, and every way a copy can fail
/// (source exhausted, too many for one batch, frame too large, no source at all) counted under its reason while the
/// original goes on.
/// </summary>
public sealed unsafe class PacketEmitterTests
{
    [Fact]
    public void Copies_hold_the_original_frame_and_metadata_in_buffers_of_their_own()
    {
        var pipeline = WorkerPipeline(new CopyToPortsStage(1, 2, 3));
        using var pool = new PacketPool(64);
        pipeline.Emitter.UseSources([], new PacketPoolBufferSource(pool, ownerPort: 0));
        var frames = Enumerable.Range(0, 3).Select(Frame).ToList();
        var batch = new PacketBatch();
        Fill(batch, pool, frames);

        pipeline.Process(batch);

        var copies = pipeline.Emitter.Packets.ToArray();
        Assert.Equal(6, copies.Length);
        for (int i = 0; i < 3; i++)
        {
            var original = batch[i];
            Assert.Equal(frames[i], original.Data.ToArray()); // the copies' stamps did not reach it
            Assert.Equal(1, original.EgressPort);
            for (int c = 0; c < 2; c++)
            {
                var copy = copies[(2 * i) + c];
                var expected = (byte[])frames[i].Clone();
                expected[^1] = (byte)(2 + c);
                Assert.Equal(expected, copy.Data.ToArray());
                Assert.Equal(2 + c, copy.EgressPort);
                Assert.Equal(PacketDisposition.Transmit, copy.Disposition);
                Assert.NotEqual((nint)original.Buffer, (nint)copy.Buffer);
                Assert.Equal(original.Kind, copy.Kind);
                Assert.Equal(original.DataOffset, copy.DataOffset);
                Assert.Equal(original.L3Offset, copy.L3Offset);
                Assert.Equal(original.L4Offset, copy.L4Offset);
                Assert.Equal(0, copy.IngressPort);
            }
        }

        var counters = pipeline.Counters;
        Assert.Equal(3, counters.Received);
        Assert.Equal(6, counters.Emitted);
        Assert.Equal(9, counters.Transmitted);
        Assert.True(CounterSnapshot.Sum([counters]).IsConserved);
        Assert.Equal(64 - 9, pool.Available);

        pool.Free(batch);
        pool.FreeBulk(pipeline.Emitter.Packets);
        pipeline.Emitter.Clear();
        Assert.Equal(64, pool.Available);
    }

    [Fact]
    public void A_pool_exhausted_mid_replication_drops_the_copies_it_cannot_make_and_the_originals_go_on()
    {
        var pipeline = WorkerPipeline(new CopyToPortsStage(1, 2, 3));
        using var pool = new PacketPool(4 + 3); // four originals, then room for three of their eight copies
        pipeline.Emitter.UseSources([], new PacketPoolBufferSource(pool, ownerPort: 0));
        var batch = new PacketBatch();
        Fill(batch, pool, Enumerable.Range(0, 4).Select(Frame).ToList());

        pipeline.Process(batch);

        Assert.All(batch.AsSpan().ToArray(), p => Assert.Equal(PacketDisposition.Transmit, p.Disposition));
        // The first packet's two copies and the second's first one got the three buffers.
        Assert.Equal([2, 3, 2], pipeline.Emitter.Packets.ToArray().Select(p => (int)p.EgressPort));
        var counters = CounterSnapshot.Sum([pipeline.Counters]);
        Assert.Equal(4, counters.Received);
        Assert.Equal(8, counters.Emitted);
        Assert.Equal(7, counters.Transmitted);
        Assert.Equal(5, counters.Dropped(DropReason.ReplicaNoBuffer));
        Assert.True(counters.IsConserved, counters.ToTable());
        Assert.Equal(0, pool.Available);
    }

    [Fact]
    public void Copies_past_the_emitter_capacity_of_one_batch_are_dropped_as_vector_full()
    {
        // A full batch with four copies each: 1024 fit, the last 256 do not.
        var pipeline = WorkerPipeline(new CopyToPortsStage(1, 2, 3, 2, 3, 2));
        using var pool = new PacketPool(PacketBatch.MaxCapacity * 6);
        pipeline.Emitter.UseSources([], new PacketPoolBufferSource(pool, ownerPort: 0));
        var batch = new PacketBatch();
        Fill(batch, pool, Enumerable.Range(0, PacketBatch.MaxCapacity).Select(Frame).ToList());

        pipeline.Process(batch);

        var counters = CounterSnapshot.Sum([pipeline.Counters]);
        Assert.Equal(PacketEmitter.DefaultCapacity, pipeline.Emitter.Count);
        Assert.Equal(5 * PacketBatch.MaxCapacity, counters.Emitted);
        Assert.Equal((5 * PacketBatch.MaxCapacity) - PacketEmitter.DefaultCapacity, counters.Dropped(DropReason.ReplicaVectorFull));
        Assert.Equal(PacketBatch.MaxCapacity + PacketEmitter.DefaultCapacity, counters.Transmitted);
        Assert.True(counters.IsConserved, counters.ToTable());
    }

    [Fact]
    public void A_frame_past_the_copy_buffer_end_at_its_offset_is_copied_to_the_headroom_with_its_offsets_moved()
    {
        var pipeline = WorkerPipeline(new CopyToPortsStage(1, 2));
        using var originals = new PacketPool(4, frameCapacity: 1024, headroom: 512);
        using var small = new PacketPool(4, frameCapacity: 256, headroom: 128); // 384-byte buffers
        pipeline.Emitter.UseSources([], new PacketPoolBufferSource(small, ownerPort: 1));
        var batch = new PacketBatch();
        var frame = Frame(0);
        Fill(batch, originals, [frame]);

        pipeline.Process(batch);

        var copy = Assert.Single(pipeline.Emitter.Packets.ToArray());
        var original = batch[0];
        Assert.Equal(512, original.DataOffset);
        Assert.Equal(128, copy.DataOffset);
        Assert.Equal(original.L3Offset - 512 + 128, copy.L3Offset);
        Assert.Equal(original.L4Offset - 512 + 128, copy.L4Offset);
        Assert.Equal(0x45, copy.BufferSpan[copy.L3Offset]); // the IPv4 header is where the offset says
        Assert.Equal(1, copy.IngressPort); // freed through the port that owns the small pool
        Assert.Equal(frame[..^1], copy.Data[..^1].ToArray());
    }

    [Fact]
    public void A_frame_larger_than_the_copy_buffers_is_dropped_as_too_large_and_its_buffer_goes_back()
    {
        var pipeline = WorkerPipeline(new CopyToPortsStage(1, 2));
        using var originals = new PacketPool(4);
        using var tiny = new PacketPool(4, frameCapacity: 64); // 192-byte buffers, 128 of them headroom
        pipeline.Emitter.UseSources([], new PacketPoolBufferSource(tiny, ownerPort: 1));
        var batch = new PacketBatch();
        Fill(batch, originals, [Lisp.LispTestFrames.Ipv4Udp("192.0.2.1", "198.51.100.7", payload: 100)]); // 142 bytes

        pipeline.Process(batch);

        var refused = Assert.Single(pipeline.Emitter.Packets.ToArray());
        Assert.Equal((byte)DropReason.ReplicaTooLarge, refused.DropReason);
        tiny.FreeBulk(pipeline.Emitter.Packets);
        Assert.Equal(4, tiny.Available);
        var counters = CounterSnapshot.Sum([pipeline.Counters]);
        Assert.Equal(1, counters.Dropped(DropReason.ReplicaTooLarge));
        Assert.Equal(1, counters.Transmitted);
        Assert.True(counters.IsConserved, counters.ToTable());
    }

    [Fact]
    public void Without_a_buffer_source_every_copy_is_dropped_as_no_buffer()
    {
        var pipeline = WorkerPipeline(new CopyToPortsStage(1, 2));
        using var pool = new PacketPool(4);
        var batch = new PacketBatch();
        Fill(batch, pool, [Frame(0), Frame(1)]);

        pipeline.Process(batch);

        Assert.False(pipeline.Emitter.HasSources);
        Assert.Equal(0, pipeline.Emitter.Count);
        var counters = CounterSnapshot.Sum([pipeline.Counters]);
        Assert.Equal(2, counters.Dropped(DropReason.ReplicaNoBuffer));
        Assert.Equal(2, counters.Transmitted);
        Assert.True(counters.IsConserved, counters.ToTable());
    }

    [Fact]
    public void The_next_batch_is_refused_while_the_last_ones_copies_are_not_sent_or_freed()
    {
        var pipeline = WorkerPipeline(new CopyToPortsStage(1, 2));
        using var pool = new PacketPool(8);
        pipeline.Emitter.UseSources([], new PacketPoolBufferSource(pool, ownerPort: 0));
        var batch = new PacketBatch();
        Fill(batch, pool, [Frame(0)]);
        pipeline.Process(batch);

        Assert.Throws<InvalidOperationException>(() => { pipeline.Process(batch); });
    }
}
