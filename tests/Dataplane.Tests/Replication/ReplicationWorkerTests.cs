using Dataplane.Forwarding.Counters;
using Dataplane.Runtime.Ports;
using Dataplane.Runtime.Workers;
using static Dataplane.Tests.Replication.ReplicationPipelineFixture;

namespace Dataplane.Tests.Replication;

/// <summary>
/// Replicas through a real worker: copies of packets from a copying port take buffers from the worker's pool of the
/// <see cref="ReplicaPort"/>, go out of their egress ports with the originals, and every buffer, original or copy,
/// goes back to its pool; the worker's counters stay conserved. Over many batches, nothing is allocated.
/// </summary>
public sealed class ReplicationWorkerTests
{
    [Fact]
    public void Copies_leave_by_their_ports_and_every_buffer_returns_to_its_pool()
    {
        using var ingress = new MemoryPort(0);
        using var first = new MemoryPort(1, keepFrames: true);
        using var second = new MemoryPort(2, keepFrames: true);
        using var third = new MemoryPort(3, keepFrames: true);
        using var replicas = new ReplicaPort(4, workers: 1, buffersPerWorker: 64);
        var pipeline = WorkerPipeline(new CopyToPortsStage(1, 2, 3));
        var worker = new ForwardingWorker(0, pipeline, new PortSet([ingress, first, second, third, replicas]));
        var frames = Enumerable.Range(0, 5).Select(Frame).ToList();
        ingress.Incoming = frames;

        Assert.Equal(5, worker.PollOnce());

        Assert.Equal(frames, first.Sent);
        Assert.Equal(frames.Select(f => Stamped(f, 2)), second.Sent);
        Assert.Equal(frames.Select(f => Stamped(f, 3)), third.Sent);
        Assert.Equal(ingress.BufferCount, ingress.Available);
        Assert.Equal(64, replicas.Available(0));
        var counters = CounterSnapshot.Sum([pipeline.Counters]);
        Assert.Equal(5, counters.Received);
        Assert.Equal(10, counters.Emitted);
        Assert.Equal(15, counters.Transmitted);
        Assert.True(counters.IsConserved, counters.ToTable());
    }

    [Fact]
    public void More_packets_for_one_port_than_a_burst_holds_go_out_in_several_bursts()
    {
        using var ingress = new MemoryPort(0);
        using var first = new MemoryPort(1);
        using var flooded = new MemoryPort(2);
        using var replicas = new ReplicaPort(3, workers: 1, buffersPerWorker: 1024);
        // A full batch, three copies of each to port 2: 768 packets for one port, three bursts' worth.
        var pipeline = WorkerPipeline(new CopyToPortsStage(1, 2, 2, 2));
        var worker = new ForwardingWorker(0, pipeline, new PortSet([ingress, first, flooded, replicas]));
        ingress.Incoming = Enumerable.Range(0, 256).Select(Frame).ToList();

        worker.PollOnce();

        Assert.Equal(256, first.SentCount);
        Assert.Equal(768, flooded.SentCount);
        Assert.Equal(1024, replicas.Available(0));
        var counters = CounterSnapshot.Sum([pipeline.Counters]);
        Assert.Equal(0, counters.TotalDropped);
        Assert.True(counters.IsConserved, counters.ToTable());
    }

    [Fact]
    public void Replicas_dropped_for_want_of_buffers_are_counted_and_their_originals_still_sent()
    {
        using var ingress = new MemoryPort(0);
        using var first = new MemoryPort(1);
        using var second = new MemoryPort(2);
        using var replicas = new ReplicaPort(3, workers: 1, buffersPerWorker: 10);
        var pipeline = WorkerPipeline(new CopyToPortsStage(1, 2));
        var worker = new ForwardingWorker(0, pipeline, new PortSet([ingress, first, second, replicas]));
        ingress.Incoming = Enumerable.Range(0, 25).Select(Frame).ToList();

        worker.PollOnce();

        Assert.Equal(25, first.SentCount);
        Assert.Equal(10, second.SentCount);
        Assert.Equal(10, replicas.Available(0));
        Assert.Equal(15, replicas.Statistics.ReceiveDrops);
        var counters = CounterSnapshot.Sum([pipeline.Counters]);
        Assert.Equal(15, counters.Dropped(DropReason.ReplicaNoBuffer));
        Assert.True(counters.IsConserved, counters.ToTable());
    }

    [Fact]
    public void Replicating_batch_after_batch_allocates_nothing()
    {
        using var ingress = new MemoryPort(0);
        using var first = new MemoryPort(1);
        using var second = new MemoryPort(2);
        using var third = new MemoryPort(3);
        using var replicas = new ReplicaPort(4, workers: 1);
        var pipeline = WorkerPipeline(new CopyToPortsStage(1, 2, 3, 2));
        var worker = new ForwardingWorker(0, pipeline, new PortSet([ingress, first, second, third, replicas]));
        ingress.Incoming = Enumerable.Range(0, 256).Select(Frame).ToList();
        for (int i = 0; i < 20; i++)
        {
            worker.PollOnce();
        }

        long least = long.MaxValue;
        for (int run = 0; run < 3 && least != 0; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 500; i++)
            {
                worker.PollOnce();
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, least);
        var counters = CounterSnapshot.Sum([pipeline.Counters]);
        Assert.Equal(3 * counters.Received, counters.Emitted);
        Assert.Equal(4 * counters.Received, counters.Transmitted);
        Assert.True(counters.IsConserved, counters.ToTable());
        Assert.Equal(ReplicaPort.DefaultBuffersPerWorker, replicas.Available(0));
    }

    private static byte[] Stamped(byte[] frame, byte port)
    {
        var copy = (byte[])frame.Clone();
        copy[^1] = port;
        return copy;
    }
}
