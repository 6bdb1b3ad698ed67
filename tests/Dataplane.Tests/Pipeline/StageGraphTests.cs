using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Routing;
using Dataplane.Forwarding.Stages;
using Dataplane.Tests.Lisp;

namespace Dataplane.Tests.Pipeline;

/// <summary>
/// The forwarding graph: each stage is handed only the pending packets of the kinds it accepts; what
/// a stage leaves pending goes to the next stage that accepts its (possibly new) kind; decided packets travel no
/// further; a packet no stage takes is dropped NoHandler at settle.
/// </summary>
public sealed class StageGraphTests : IDisposable
{
    private readonly PacketPool pool = new(16);

    // Batch: 0 native IPv4, 1 LISP data (UDP 4341), 2 native IPv4, 3 LISP data, 4 GTP-C (UDP 2123), 5 native IPv4 to drop.
    private static readonly byte[][] Frames =
    [
        LispTestFrames.Ipv4Udp("10.1.0.1", "10.2.0.1"),
        LispTestFrames.Ipv4Udp("192.0.2.9", "192.0.2.1", destinationPort: 4341),
        LispTestFrames.Ipv4Udp("10.1.0.2", "10.2.0.2"),
        LispTestFrames.Ipv4Udp("192.0.2.9", "192.0.2.1", destinationPort: 4341),
        LispTestFrames.Ipv4Udp("192.0.2.9", "192.0.2.1", destinationPort: 2123),
        LispTestFrames.Ipv4Udp("10.1.0.3", "10.9.9.9"),
    ];

    [Fact]
    public void Each_stage_sees_only_its_kinds_and_what_earlier_stages_left_pending()
    {
        // "decap" turns LISP data into native IPv4 (as LispDecapsulationStage does); "encap" transmits native packets
        // to 10.2/16 and drops the one to 10.9.9.9; "route" would take native IP but everything is decided by then
        // except the decapsulated ones.
        var decap = new RecordingStage("decap", PacketKinds.LispData, (ref PacketDescriptor p) => p.Kind = PacketKind.NativeIpv4);
        var arp = new RecordingStage("arp", PacketKinds.Arp, (ref PacketDescriptor p) => { });
        var encap = new RecordingStage("encap", PacketKinds.NativeIpv4, (ref PacketDescriptor p) =>
        {
            if ((p.Flags & PacketFlags.Decapsulated) != 0)
            {
                return; // left pending for routing
            }

            if (p.Data[14 + 17] == 9)
            {
                p.Drop(DropReason.NoRoute, new WorkerCounters());
            }
            else
            {
                p.Transmit(1);
            }
        });
        var route = new RecordingStage("route", PacketKinds.NativeIp, (ref PacketDescriptor p) => p.Transmit(0));
        decap.Then = (ref PacketDescriptor p) => p.Flags |= PacketFlags.Decapsulated;

        var pipeline = new ForwardingPipeline(new PortTable([]), [decap, arp, encap, route], new PuntQueue(4), new WorkerCounters());
        var batch = Load(Frames);
        pipeline.Process(batch);

        Assert.Equal([1, 3], decap.Seen);
        Assert.Empty(arp.Seen);
        Assert.Equal([0, 2, 5, 1, 3], encap.Seen); // from classify in batch order, then what decap handed on
        Assert.Equal([1, 3], route.Seen);            // only what encap left pending

        var packets = batch.AsSpan();
        Assert.Equal(PacketDisposition.Transmit, packets[0].Disposition);
        Assert.Equal(1, packets[0].EgressPort);
        Assert.Equal(0, packets[1].EgressPort);
        Assert.Equal(DropReason.NoRoute, (DropReason)packets[5].DropReason);
        Assert.Equal(DropReason.NoHandler, (DropReason)packets[4].DropReason); // GTP-C: no stage accepts it
        Assert.Equal(4, pipeline.Counters.Transmitted);

        var figures = StageRuntime.Sum([pipeline.Runtime]);
        Assert.Equal(["classify", "decap", "arp", "encap", "route", "settle"], figures.Select(f => f.Name));
        Assert.Equal([6L, 2, 0, 5, 2, 6], figures.Select(f => f.Packets));
        Assert.Equal([1L, 1, 0, 1, 1, 1], figures.Select(f => f.Calls)); // a stage with no packets is not called
        FreeAll(batch);
    }

    [Fact]
    public void Edges_follow_stage_order_and_accepted_kinds()
    {
        var graph = new StageGraph(
        [
            new RecordingStage("a", PacketKinds.LispData | PacketKinds.Vxlan, (ref PacketDescriptor p) => { }),
            new RecordingStage("b", PacketKinds.NativeIp, (ref PacketDescriptor p) => { }),
            new RecordingStage("c", PacketKinds.All, (ref PacketDescriptor p) => { }),
            new RecordingStage("d", PacketKinds.NativeIpv4, (ref PacketDescriptor p) => { }),
        ]);

        Assert.Equal(0, graph.EntryOf(PacketKind.LispData));
        Assert.Equal(1, graph.EntryOf(PacketKind.NativeIpv6));
        Assert.Equal(2, graph.EntryOf(PacketKind.GtpU));
        Assert.Equal(2, graph.NextOf(0, PacketKind.LispData)); // only c takes LISP data after a
        Assert.Equal(1, graph.NextOf(0, PacketKind.NativeIpv4)); // a decapsulated packet goes to b
        Assert.Equal(3, graph.NextOf(2, PacketKind.NativeIpv4));
        Assert.Equal(-1, graph.NextOf(2, PacketKind.NativeIpv6)); // nothing after c takes IPv6
        Assert.Equal(-1, graph.NextOf(3, PacketKind.NativeIpv4));
    }

    private PacketBatch Load(byte[][] frames)
    {
        var batch = new PacketBatch();
        foreach (byte[] frame in frames)
        {
            var packet = default(PacketDescriptor);
            Assert.True(pool.TryAllocate(ref packet));
            Assert.True(packet.TrySetLength(frame.Length));
            frame.CopyTo(packet.Data);
            Assert.True(batch.TryAdd(packet));
        }

        return batch;
    }

    private void FreeAll(PacketBatch batch)
    {
        foreach (ref var packet in batch.AsSpan())
        {
            pool.Free(ref packet);
        }
    }

    public void Dispose() => pool.Dispose();

    private delegate void PacketAction(ref PacketDescriptor packet);

    /// <summary>Records the batch indices it was handed and applies an action to each.</summary>
    private sealed class RecordingStage(string name, PacketKinds accepts, PacketAction action) : IBatchStage
    {
        public List<int> Seen { get; } = [];

        public PacketAction? Then { get; set; }

        public string Name => name;

        public PacketKinds Accepts => accepts;

        public void Run(Span<PacketDescriptor> packets, ReadOnlySpan<ushort> vector, WorkerCounters counters)
        {
            foreach (ushort i in vector)
            {
                Seen.Add(i);
                Assert.True(packets[i].IsPending());
                Assert.True(accepts.Contains(packets[i].Kind));
                action(ref packets[i]);
                Then?.Invoke(ref packets[i]);
            }
        }
    }
}
