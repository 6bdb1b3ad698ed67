using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Stages;

namespace Dataplane.Ports.Replay;

/// <summary>
/// A stage as the pipeline sees it, with a <see cref="PipelineObserver"/> told before and after each call what the
/// stage was handed and what it did. Same name and kinds as the stage it wraps, so the graph and the runtime
/// statistics are those of an unwrapped worker; only replay builds workers of these.
/// </summary>
internal sealed class ObservedStage(IBatchStage stage, int position, PipelineObserver observer) : IBatchStage, IEmittingStage
{
    private PacketEmitter? emitter;

    public string Name => stage.Name;

    public PacketKinds Accepts => stage.Accepts;

    public void UseEmitter(PacketEmitter emitter)
    {
        this.emitter = emitter;
        (stage as IEmittingStage)?.UseEmitter(emitter);
    }

    public void Run(Span<PacketDescriptor> packets, ReadOnlySpan<ushort> vector, WorkerCounters counters)
    {
        int emittedBefore = emitter?.Packets.Length ?? 0;
        observer.BeforeStage(packets, vector, counters);
        stage.Run(packets, vector, counters);
        observer.AfterStage(position, packets, vector, counters, emittedBefore, emitter?.Packets.Length ?? 0);
    }
}
