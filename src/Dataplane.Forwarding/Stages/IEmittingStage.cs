using Dataplane.Forwarding.Pipeline;

namespace Dataplane.Forwarding.Stages;

/// <summary>
/// A stage that sends more packets than it is handed (flooding, fragmentation). Its pipeline gives it the worker's
/// <see cref="PacketEmitter"/> once, when the worker is made.
/// </summary>
public interface IEmittingStage
{
    void UseEmitter(PacketEmitter emitter);
}
