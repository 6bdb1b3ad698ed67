using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;

namespace Dataplane.Forwarding.Stages;

/// <summary>
/// One node of the forwarding graph, called once per batch with the vector of packets meant for it (so an interface
/// call costs one dispatch per batch, not per packet). The pipeline hands a stage only packets that are pending (not
/// dropped, not decided) and whose kind is in <see cref="Accepts"/>; the stage does not scan the batch or filter by
/// kind. It either decides them (transmit, punt, or drop under a named reason, counted in <c>counters</c>) or
/// rewrites them and leaves them pending: the pipeline then hands each to the next stage that accepts its kind (a
/// decapsulated packet goes on to routing). Stages never throw on packet content.
/// </summary>
public interface IBatchStage
{
    /// <summary>Short name for counters and logs ("itr", "etr", "vtep" ...).</summary>
    string Name { get; }

    /// <summary>The kinds of packet this stage takes; fixed for the stage's life (the graph is built from it once).</summary>
    PacketKinds Accepts { get; }

    /// <summary>
    /// Handles <paramref name="vector"/>: indices into <paramref name="packets"/>, each pending and of an accepted kind.
    /// The packets classify sent here come first, in batch order, then those earlier stages handed on, stage by
    /// stage; packets of one flow take one path, so their order is kept.
    /// </summary>
    void Run(Span<PacketDescriptor> packets, ReadOnlySpan<ushort> vector, WorkerCounters counters);
}
