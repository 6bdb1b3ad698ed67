using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Runtime.Ports;
using Dataplane.Runtime.Workers;
using Dataplane.Tables.Time;
using Dataplane.Tests.GtpU;

namespace Dataplane.Tests.Workers;

/// <summary>
/// The saturation figures of the USE metrics, through real rounds of <see cref="ForwardingWorker.PollOnce"/>: a
/// receive that fills the whole batch, a port that takes only part of a burst, the punt queue's high-water mark.
/// </summary>
public sealed class WorkerPressureTests
{
    private const string Config = """
        {
          "ports": [ { "name": "in", "mac": "02:00:00:00:00:01", "addresses": ["192.0.2.1"] }, { "name": "out", "mac": "02:00:00:00:00:02", "addresses": ["198.51.100.2"] } ],
          "neighbours": [ { "address": "198.51.100.1", "mac": "02:00:00:00:00:99", "port": "out" } ],
          "routes": [ { "prefix": "203.0.113.0/24", "nextHop": "198.51.100.1", "port": "out" } ]
        }
        """;

    [Fact]
    public void A_full_receive_and_a_burst_the_port_takes_in_part_are_counted()
    {
        var plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(Config), new ForwardingPlaneOptions { Clock = new ManualClock(1_000_000_000) });
        byte[] frame = ScapyFrames.Build("Ether(src='02:00:00:00:00:77', dst='02:00:00:00:00:01')/IP(src='192.0.2.9', dst='203.0.113.5')/UDP(sport=1, dport=2)/Raw(b'x')")[0];
        using var input = new QueuedPort(0, Enumerable.Repeat(frame, PacketBatch.MaxCapacity + 44).ToList(), acceptPerBurst: int.MaxValue);
        using var output = new QueuedPort(1, [], acceptPerBurst: 100);
        var worker = new ForwardingWorker(0, plane.CreateWorker(), new PortSet([input, output]));
        var pressure = worker.Pipeline.Pressure;

        Assert.Equal(PacketBatch.MaxCapacity, worker.PollOnce()); // a whole batch: the port had more waiting
        Assert.Equal(1, pressure.FullReceives);
        Assert.Equal(1, pressure.RefusedBursts(1));               // one burst of 256, 100 taken
        Assert.Equal(PacketBatch.MaxCapacity - 100, pressure.RefusedPackets(1));
        Assert.Equal(PacketBatch.MaxCapacity - 100, worker.Pipeline.Counters.Dropped(DropReason.TxQueueFull));

        Assert.Equal(44, worker.PollOnce());                      // the rest: not a full batch, and the port takes it all
        Assert.Equal(1, pressure.FullReceives);
        Assert.Equal(1, pressure.RefusedBursts(1));
        Assert.Equal(0, pressure.RefusedBursts(0));
        Assert.Equal(144, output.Taken);
    }

    [Fact]
    public void The_punt_queue_keeps_its_high_water_mark()
    {
        var queue = new PuntQueue(8);
        for (int i = 0; i < 3; i++)
        {
            Assert.True(queue.TryEnqueue(default));
        }

        Assert.True(queue.TryDequeue(out _));
        Assert.True(queue.TryDequeue(out _));
        Assert.True(queue.TryEnqueue(default));
        Assert.Equal(2, queue.Count);
        Assert.Equal(3, queue.HighWater);
    }

    /// <summary>Delivers its frames (as many as a batch holds per call) and takes at most <c>acceptPerBurst</c> packets per transmit.</summary>
    private sealed class QueuedPort(ushort id, List<byte[]> frames, int acceptPerBurst) : IPacketPort
    {
        private readonly PacketPool pool = new(1024);
        private int next;

        public long Taken { get; private set; }

        public ushort Id => id;

        public string Name => $"queued{id}";

        public int QueueCount => 1;

        public PortStatistics Statistics => default;

        public int Receive(int queue, PacketBatch batch)
        {
            int taken = 0;
            while (next < frames.Count && !batch.IsFull)
            {
                var packet = default(PacketDescriptor);
                Assert.True(pool.TryAllocate(ref packet));
                frames[next].CopyTo(packet.BufferSpan[packet.DataOffset..]);
                Assert.True(packet.TrySetLength(frames[next].Length));
                packet.IngressPort = id;
                batch.TryAdd(packet);
                next++;
                taken++;
            }

            return taken;
        }

        public int Transmit(int queue, Span<PacketDescriptor> packets, PortSet owners)
        {
            int take = Math.Min(packets.Length, acceptPerBurst);
            for (int i = 0; i < take; i++)
            {
                owners.Free(ref packets[i]);
            }

            Taken += take;
            return take;
        }

        public void Free(ref PacketDescriptor packet) => pool.Free(ref packet);

        public void Dispose() => pool.Dispose();
    }
}
