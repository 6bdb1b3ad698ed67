using System.Diagnostics;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Egress;
using Dataplane.Runtime.Egress;
using Dataplane.Runtime.Ports;
using Dataplane.Runtime.Workers;
using Dataplane.Tests.Replication;
using static Dataplane.Tests.Replication.ReplicationPipelineFixture;

namespace Dataplane.Tests.Egress;

/// <summary>
/// The scheduler inside a real worker, on in-memory ports: packets for a shaped port wait in their class queue and
/// leave at the port's rate on later polls (with nothing received), a full queue drops as EgressQueueFull, what
/// waits at stop is freed as EgressDiscardedAtStop, every buffer returns to its pool, the counters stay conserved,
/// and batch after batch allocates nothing.
/// </summary>
public sealed class EgressWorkerTests
{
    private static DataplaneConfig Config(EgressConfig egress) => new()
    {
        Ports =
        [
            new PortConfig { Name = "p0", Mac = "02:00:00:00:00:00" },
            new PortConfig { Name = "p1", Mac = "02:00:00:00:00:01", Egress = egress },
            new PortConfig { Name = "p2", Mac = "02:00:00:00:00:02" },
        ],
    };

    private sealed class Rig : IDisposable
    {
        public Rig(EgressConfig egress)
        {
            Pipeline = WorkerPipeline(new CopyToPortsStage(1));
            Egress = WorkerEgress.Create(Config(egress), workers: 1)!;
            Worker = new ForwardingWorker(0, Pipeline, new PortSet([Ingress, Shaped, Other]), Egress);
        }

        public MemoryPort Ingress { get; } = new(0, bufferCount: 4096);

        public MemoryPort Shaped { get; } = new(1);

        public MemoryPort Other { get; } = new(2);

        public Dataplane.Forwarding.Pipeline.ForwardingPipeline Pipeline { get; }

        public WorkerEgress Egress { get; }

        public ForwardingWorker Worker { get; }

        public EgressClassQueue BestEffort => Egress.For(1)!.Classes[^1];

        public CounterSnapshot Counters => CounterSnapshot.Sum([Pipeline.Counters]);

        public void Dispose()
        {
            Worker.DiscardEgress();
            Ingress.Dispose();
            Shaped.Dispose();
            Other.Dispose();
        }
    }

    private static List<byte[]> Frames(int count) => Enumerable.Range(0, count).Select(Frame).ToList();

    [Fact]
    public void A_full_class_queue_drops_as_EgressQueueFull_and_the_counters_stay_conserved()
    {
        using var rig = new Rig(new EgressConfig { RateBitsPerSecond = 64_000, BurstBytes = 1518, BestEffort = new() { QueuePackets = 100 } });
        rig.Ingress.Incoming = Frames(256);

        Assert.Equal(256, rig.Worker.PollOnce());

        var counters = rig.Counters;
        long sent = rig.Shaped.SentCount;
        // The whole batch is queued first (100 fit, 156 refused), then the port's 1518 bytes of burst let out 25
        // frames of 60 bytes and the one that goes into debt.
        Assert.Equal(26, sent);
        Assert.Equal(100 - sent, rig.BestEffort.Depth);
        Assert.Equal(156, counters.Dropped(DropReason.EgressQueueFull));
        Assert.Equal(156, rig.BestEffort.Drops);
        Assert.Equal(sent, rig.BestEffort.Packets);
        Assert.Equal(sent * 60, rig.BestEffort.Bytes);
        Assert.Equal(100, counters.Transmitted); // a queued packet counts as transmitted; a refused one does not
        Assert.True(counters.IsConserved, counters.ToTable());
        Assert.Equal(rig.Ingress.BufferCount - (100 - sent), rig.Ingress.Available);
    }

    [Fact]
    public void The_backlog_drains_at_the_port_rate_on_polls_that_receive_nothing()
    {
        // 256 frames of 60 bytes at 1 Mbit/s, 1518 bytes of burst: about 110 ms of backlog.
        using var rig = new Rig(new EgressConfig { RateBitsPerSecond = 1_000_000, BurstBytes = 1518, BestEffort = new() { QueuePackets = 1024 } });
        rig.Ingress.Incoming = Frames(256);
        var clock = Stopwatch.StartNew();
        rig.Worker.PollOnce();
        rig.Ingress.Incoming = [];
        while (rig.Egress.Backlog > 0 && clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            Assert.Equal(0, rig.Worker.PollOnce());
            Thread.Sleep(1);
        }

        Assert.Equal(256, rig.Shaped.SentCount);
        double expected = (256 * 60 - 1518) * 8 / 1e6;
        Assert.InRange(clock.Elapsed.TotalSeconds, expected * 0.8, expected + 2);
        Assert.Equal(rig.Ingress.BufferCount, rig.Ingress.Available);
        Assert.True(rig.Counters.IsConserved, rig.Counters.ToTable());
    }

    [Fact]
    public void What_waits_at_stop_is_freed_and_counted_as_EgressDiscardedAtStop()
    {
        using var rig = new Rig(new EgressConfig { RateBitsPerSecond = 64_000, BurstBytes = 1518, BestEffort = new() { QueuePackets = 1000 } });
        rig.Ingress.Incoming = Frames(256);
        rig.Worker.PollOnce();
        int waiting = rig.Egress.Backlog;
        Assert.InRange(waiting, 200, 255);

        rig.Worker.DiscardEgress();

        Assert.Equal(0, rig.Egress.Backlog);
        Assert.Equal(rig.Ingress.BufferCount, rig.Ingress.Available);
        Assert.Equal(waiting, rig.Counters.Dropped(DropReason.EgressDiscardedAtStop));
        Assert.Equal(256 - waiting, rig.Counters.Transmitted);
        Assert.True(rig.Counters.IsConserved, rig.Counters.ToTable());
    }

    [Fact]
    public void A_worker_run_stops_with_its_queues_released()
    {
        using var rig = new Rig(new EgressConfig { RateBitsPerSecond = 64_000, BurstBytes = 1518, BestEffort = new() { QueuePackets = 1000 } });
        rig.Ingress.Incoming = Frames(100);
        using var stop = new CancellationTokenSource();
        var barrier = new QuiescenceBarrier();
        barrier.Enter();
        var thread = new Thread(() =>
        {
            try
            {
                rig.Worker.Run(stop.Token, barrier);
            }
            finally
            {
                barrier.Leave();
            }
        });
        thread.Start();
        var clock = Stopwatch.StartNew();
        while (rig.Counters.Received < 1000 && clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            Thread.Sleep(1);
        }

        stop.Cancel();
        Assert.True(thread.Join(TimeSpan.FromSeconds(5)), "the worker did not stop");

        Assert.Equal(0, rig.Egress.Backlog);
        Assert.Equal(rig.Ingress.BufferCount, rig.Ingress.Available);
        var counters = rig.Counters;
        Assert.True(counters.Dropped(DropReason.EgressDiscardedAtStop) > 0, counters.ToTable());
        Assert.True(counters.IsConserved, counters.ToTable());
    }

    [Theory]
    [InlineData(10_000_000_000L)] // everything leaves: enqueue, dequeue, send
    [InlineData(64_000L)]         // almost nothing leaves: the queue-full drops
    public void Shaping_batch_after_batch_allocates_nothing(long rate)
    {
        using var rig = new Rig(new EgressConfig
        {
            RateBitsPerSecond = rate,
            Classes = [new EgressClassConfig { Name = "mec", Dscp = [46], GuaranteedBitsPerSecond = rate / 4, Weight = 3, QueuePackets = 256 }],
            BestEffort = new() { QueuePackets = 512 },
        });
        var frames = Frames(256);
        for (int i = 0; i < frames.Count; i += 3)
        {
            frames[i][15] = 46 << 2; // a third in the guaranteed class (the IPv4 checksum does not matter here)
        }

        rig.Ingress.Incoming = frames;
        for (int i = 0; i < 50; i++)
        {
            rig.Worker.PollOnce();
        }

        long least = long.MaxValue;
        for (int run = 0; run < 3 && least != 0; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 500; i++)
            {
                rig.Worker.PollOnce();
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, least);
        Assert.True(rig.Shaped.SentCount > 0);
        Assert.True(rig.Egress.For(1)!.Classes[0].Packets > 0, "the guaranteed class sent nothing");
        Assert.True(rig.Counters.IsConserved, rig.Counters.ToTable());
    }

    [Fact]
    public void Without_an_egress_section_a_worker_has_no_scheduler()
    {
        Assert.Null(WorkerEgress.Create(new DataplaneConfig { Ports = [new PortConfig { Name = "p0", Mac = "02:00:00:00:00:00" }] }, workers: 2));
    }
}
