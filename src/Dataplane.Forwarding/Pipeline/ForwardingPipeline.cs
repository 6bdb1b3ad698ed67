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
/// the dropped ones, and does the same with the packets stages emitted (<see cref="Emitter"/>); punted packets now
/// belong to the queue. rx + emitted = tx + punted + drops holds after every batch.
/// </summary>
public sealed class ForwardingPipeline
{
    private readonly IBatchStage[] stages;
    private readonly StageGraph graph;
    private readonly TunnelEndpoints tunnelEndpoints;

    // The instance ID of each port by port ID, the first thing every packet is given.
    private readonly uint[] instanceOfPort;

    /// <param name="tunnelEndpoints">Where tunnels end (the plane's); none classifies tunnels by UDP port alone.</param>
    public ForwardingPipeline(PortTable ports, IBatchStage[] stages, PuntQueue punts, WorkerCounters counters, TunnelEndpoints? tunnelEndpoints = null)
    {
        this.stages = stages;
        this.tunnelEndpoints = tunnelEndpoints ?? TunnelEndpoints.ByPortAlone;
        graph = new StageGraph(stages);
        instanceOfPort = new uint[ports.All.Count == 0 ? 0 : ports.All.Max(p => p.Id) + 1];
        foreach (var port in ports.All)
        {
            instanceOfPort[port.Id] = port.InstanceId;
        }
        Punts = punts;
        Counters = counters;
        Emitter = new PacketEmitter(counters);
        foreach (var stage in stages)
        {
            (stage as IEmittingStage)?.UseEmitter(Emitter);
        }

        Runtime = new StageRuntime(["classify", .. stages.Select(s => s.Name), "settle"]);
    }

    public WorkerCounters Counters { get; }

    /// <summary>
    /// Calls, packets and time per packet of each stage (classify and settle included), this worker's. A stage is
    /// called only on batches that hold packets for it, so packets per call is the size of its vectors.
    /// </summary>
    public StageRuntime Runtime { get; }

    /// <summary>Polls, busy polls and busy time of the loop that feeds this pipeline (the runtime's worker records them).</summary>
    public WorkerLoad Load { get; } = new();

    /// <summary>This worker's saturation figures: full receives, bursts and packets each port refused.</summary>
    public WorkerPressure Pressure { get; } = new();

    public PuntQueue Punts { get; }

    /// <summary>
    /// The packets stages added to the last batch (replicas, fragments), each to transmit or dropped: the caller sends
    /// or frees them like the batch's own, then clears the emitter before the next batch.
    /// </summary>
    public PacketEmitter Emitter { get; }

    public IReadOnlyList<IBatchStage> Stages => stages;

    public void Process(PacketBatch batch)
    {
        Emitter.EnsureCleared();
        var packets = batch.AsSpan();
        var runtime = Runtime;
        bool timed = runtime.BeginBatch(out long start);
        Classify(packets);
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
        Emitter.Settle();
        runtime.Record(stages.Length + 1, packets.Length, timed, ref start);
    }

    /// <summary>
    /// One pass over the batch: each packet pending in its port's instance, classified (<see cref="ClassifyStage"/>,
    /// frames prefetched a few ahead), and entered into the graph, or dropped under the classifier's reason.
    /// </summary>
    private void Classify(Span<PacketDescriptor> packets)
    {
        var counters = Counters;
        var endpoints = tunnelEndpoints;
        counters.Received += packets.Length;
        graph.Begin();
        for (int i = 0; i < Math.Min(ClassifyStage.PrefetchAhead, packets.Length); i++)
        {
            ClassifyStage.Prefetch(in packets[i]);
        }

        for (int i = 0; i < packets.Length; i++)
        {
            if (i + ClassifyStage.PrefetchAhead < packets.Length)
            {
                ClassifyStage.Prefetch(in packets[i + ClassifyStage.PrefetchAhead]);
            }

            ref var packet = ref packets[i];
            packet.Disposition = PacketDisposition.Pending;
            ushort ingress = packet.IngressPort;
            packet.InstanceId = ingress < instanceOfPort.Length ? instanceOfPort[ingress] : 0;
            var reason = ClassifyStage.Classify(ref packet, endpoints);
            if (reason != DropReason.None)
            {
                packet.DropReason = (byte)reason;
                counters.Drop(reason);
            }
            else if (packet.DropReason == 0)
            {
                graph.Enter(i, packet.Kind);
            }
        }
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
