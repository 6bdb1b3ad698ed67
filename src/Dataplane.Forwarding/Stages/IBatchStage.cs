using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;

namespace Dataplane.Forwarding.Stages;

/// <summary>
/// One step of the pipeline, called once per batch (so an interface call costs one dispatch per batch, not per
/// packet). A stage looks only at packets that are not dropped, whose <see cref="PacketDescriptor.Disposition"/> is
/// still <see cref="PacketDisposition.Pending"/> and whose kind it handles; it either decides them (transmit, punt,
/// or drop under a named reason, counted in <paramref name="counters"/>) or rewrites them and leaves them pending
/// for a later stage (a decapsulated packet goes on to routing). Stages never throw on packet content.
/// </summary>
public interface IBatchStage
{
    /// <summary>Short name for counters and logs ("itr", "etr", "vtep" ...).</summary>
    string Name { get; }

    void Run(Span<PacketDescriptor> packets, WorkerCounters counters);
}
