using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Stages;

namespace Dataplane.Ports.Replay;

/// <summary>
/// What replay learns from its <see cref="ObservedStage"/>s: which stage dropped each packet of a batch (and which
/// emitted each added packet), for the drop capture's comments; and, for a batch being traced, each stage's events
/// and verdict on its one packet. Reset by the replay before every batch.
/// </summary>
internal sealed class PipelineObserver
{
    private const string ClassifyName = "classify";
    private const string SettleName = "settle";

    // Position + 1 of the stage that dropped a batch packet, or that emitted an added packet; 0 for none.
    private readonly byte[] dropStage = new byte[PacketBatch.MaxCapacity];
    private readonly byte[] emitStage;
    private readonly long[] eventsBefore = new long[Enum.GetValues<ForwardingEvent>().Length];
    private readonly ForwardingEvent[] allEvents = Enum.GetValues<ForwardingEvent>();
    private readonly List<string> stageNames = [];
    private List<StageStep>? steps;
    private PacketKind? classified;

    public PipelineObserver(int emitterCapacity) => emitStage = new byte[emitterCapacity];

    /// <summary>Wraps a stage; called once per stage, in pipeline order (<see cref="ForwardingPlane.CreateWorker(Func{IBatchStage, IBatchStage})"/>).</summary>
    public IBatchStage Wrap(IBatchStage stage)
    {
        stageNames.Add(stage.Name);
        return new ObservedStage(stage, stageNames.Count, this);
    }

    /// <summary>Before each batch; <paramref name="trace"/> when the batch is one packet to trace.</summary>
    public void BeginBatch(bool trace)
    {
        Array.Clear(dropStage);
        steps = trace ? [] : null;
        classified = null;
    }

    public void BeforeStage(Span<PacketDescriptor> packets, ReadOnlySpan<ushort> vector, WorkerCounters counters)
    {
        if (steps is null)
        {
            return;
        }

        classified ??= packets[vector[0]].Kind;
        for (int e = 0; e < allEvents.Length; e++)
        {
            eventsBefore[e] = counters.Counted(allEvents[e]);
        }
    }

    public void AfterStage(int position, Span<PacketDescriptor> packets, ReadOnlySpan<ushort> vector, WorkerCounters counters, int emittedFrom, int emittedTo)
    {
        // The vector holds only pending packets, so any now dropped were dropped by this stage.
        foreach (ushort index in vector)
        {
            if (packets[index].IsDropped)
            {
                dropStage[index] = (byte)position;
            }
        }

        emitStage.AsSpan(emittedFrom, emittedTo - emittedFrom).Fill((byte)position);
        if (steps is null)
        {
            return;
        }

        var events = new List<ForwardingEvent>();
        for (int e = 0; e < allEvents.Length; e++)
        {
            if (counters.Counted(allEvents[e]) != eventsBefore[e])
            {
                events.Add(allEvents[e]);
            }
        }

        ref var packet = ref packets[vector[0]];
        string name = stageNames[position - 1];
        steps.Add(new StageStep(name, events, emittedTo - emittedFrom, packet.Kind, PacketOutcome.Of(packet, name)));
    }

    /// <summary>The stage that dropped packet <paramref name="index"/> of the batch: a stage's name, classify or settle.</summary>
    public string DroppedBy(int index, in PacketDescriptor packet) =>
        dropStage[index] != 0 ? stageNames[dropStage[index] - 1] : ClassifierOrSettle((DropReason)packet.DropReason);

    /// <summary>The stage that emitted added packet <paramref name="index"/>.</summary>
    public string EmittedBy(int index) => emitStage[index] != 0 ? stageNames[emitStage[index] - 1] : SettleName;

    /// <summary>The traced packet's path, once its batch is processed.</summary>
    public PacketTrace Trace(long number, byte[] input, FrameFormat format, in PacketDescriptor packet)
    {
        var outcome = PacketOutcome.Of(packet, packet.IsDropped ? DroppedBy(0, packet) : null);
        byte[]? output = packet.IsDropped ? null : packet.Data.ToArray();
        bool rawIp = packet.Format == FrameFormat.RawIp || ((packet.Flags & PacketFlags.Decapsulated) != 0 && packet.L3Offset == packet.DataOffset);
        return new PacketTrace(number, packet.IngressPort, input, format, classified ?? packet.Kind, steps ?? [], outcome, output, rawIp);
    }

    // Nothing but the classifier drops a packet before the stages, nothing but settling after them.
    private static string ClassifierOrSettle(DropReason reason) =>
        reason is DropReason.NoHandler or DropReason.PuntQueueFull ? SettleName : ClassifyName;
}
