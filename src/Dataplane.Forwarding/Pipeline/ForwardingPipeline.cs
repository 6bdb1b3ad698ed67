using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Routing;
using Dataplane.Forwarding.Stages;

namespace Dataplane.Forwarding.Pipeline;

/// <summary>
/// One worker's path for a batch: classify once, hand each stage the vector of packets meant for it
/// (<see cref="StageGraph"/>), then settle every packet: transmitted, punted (into the bounded <see cref="Punts"/>
/// queue) or dropped under a reason. After
/// <see cref="Process"/> the caller transmits the packets marked <see cref="PacketDisposition.Transmit"/> and frees
/// the dropped ones; punted packets now belong to the queue. rx = tx + punted + drops holds after every batch.
/// </summary>
public sealed class ForwardingPipeline
{
    private readonly PortTable ports;
    private readonly IBatchStage[] stages;
    private readonly StageGraph graph;

    public ForwardingPipeline(PortTable ports, IBatchStage[] stages, PuntQueue punts, WorkerCounters counters)
    {
        this.ports = ports;
        this.stages = stages;
        graph = new StageGraph(stages);
        Punts = punts;
        Counters = counters;
        Runtime = new StageRuntime(["classify", .. stages.Select(s => s.Name), "settle"]);
    }

    public WorkerCounters Counters { get; }

    /// <summary>
    /// Calls, packets and time per packet of each stage (classify and settle included), this worker's. A stage is
    /// called only on batches that hold packets for it, so packets per call is the size of its vectors.
    /// </summary>
    public StageRuntime Runtime { get; }

    public PuntQueue Punts { get; }

    public IReadOnlyList<IBatchStage> Stages => stages;

    public void Process(PacketBatch batch)
    {
        var packets = batch.AsSpan();
        for (int i = 0; i < packets.Length; i++)
        {
            ref var packet = ref packets[i];
            packet.Disposition = PacketDisposition.Pending;
            packet.InstanceId = ports.TryGet(packet.IngressPort, out var port) ? port.InstanceId : 0;
        }

        var runtime = Runtime;
        bool timed = runtime.BeginBatch(out long start);
        ClassifyStage.Run(batch, Counters);
        graph.Enter(packets);
        runtime.Record(0, packets.Length, timed, ref start);
        for (int s = 0; s < stages.Length; s++)
        {
            var vector = graph.VectorOf(s);
            if (vector.IsEmpty)
            {
                continue;
            }

            stages[s].Run(packets, vector, Counters);
            graph.Forward(s, packets, vector);
            runtime.Record(s + 1, vector.Length, timed, ref start);
        }

        Settle(packets);
        runtime.Record(stages.Length + 1, packets.Length, timed, ref start);
    }

    private void Settle(Span<PacketDescriptor> packets)
    {
        var counters = Counters;
        for (int i = 0; i < packets.Length; i++)
        {
            ref var packet = ref packets[i];
            if (packet.IsDropped)
            {
                continue; // counted by the stage that dropped it
            }

            switch (packet.Disposition)
            {
                case PacketDisposition.Transmit:
                    counters.Transmitted++;
                    break;
                case PacketDisposition.Punt when Punts.TryEnqueue(packet):
                    counters.Punted++;
                    break;
                case PacketDisposition.Punt:
                    packet.Disposition = PacketDisposition.Pending;
                    Drop(ref packet, DropReason.PuntQueueFull, counters);
                    break;
                default:
                    Drop(ref packet, DropReason.NoHandler, counters);
                    break;
            }
        }
    }

    private static void Drop(ref PacketDescriptor packet, DropReason reason, WorkerCounters counters)
    {
        packet.DropReason = (byte)reason;
        counters.Drop(reason);
    }
}
