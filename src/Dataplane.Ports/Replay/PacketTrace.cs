using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Stages;

namespace Dataplane.Ports.Replay;

/// <summary>The path of one input packet through the pipeline, as <c>dataplane replay --trace</c> prints it.</summary>
/// <param name="Number">Its place in the input, from 1.</param>
/// <param name="IngressPort">The port it entered.</param>
/// <param name="Input">The frame as read.</param>
/// <param name="InputFormat">Ethernet or raw IP.</param>
/// <param name="Kind">What the classifier made of it.</param>
/// <param name="Steps">Each stage that was handed it, in order.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Output">The frame as transmitted or punted; null when dropped.</param>
/// <param name="OutputIsRawIp">True when <paramref name="Output"/> starts at its IP header (a punt after a decapsulation).</param>
public sealed record PacketTrace(
    long Number,
    ushort IngressPort,
    byte[] Input,
    FrameFormat InputFormat,
    PacketKind Kind,
    IReadOnlyList<StageStep> Steps,
    PacketOutcome Outcome,
    byte[]? Output,
    bool OutputIsRawIp);

/// <summary>One stage's call on a traced packet: the events it counted and what it left the packet as.</summary>
/// <param name="Stage">The stage's name (itr, etr, routing ...).</param>
/// <param name="Events">The events the call counted (one packet per call while tracing, so they are this packet's).</param>
/// <param name="Emitted">Packets the stage added (replicas, fragments).</param>
/// <param name="KindAfter">The packet's kind once the stage was done (a decapsulation changes it).</param>
/// <param name="Verdict">Pending (handed on), or what the stage decided.</param>
public sealed record StageStep(string Stage, IReadOnlyList<ForwardingEvent> Events, int Emitted, PacketKind KindAfter, PacketOutcome Verdict);

/// <summary>Pending, transmitted on a port, punted, or dropped under a reason by a stage.</summary>
public readonly record struct PacketOutcome(PacketDisposition Disposition, ushort EgressPort, DropReason DropReason, string? DroppedBy)
{
    public bool IsDropped => DropReason != DropReason.None;

    public static PacketOutcome Of(in PacketDescriptor packet, string? droppedBy = null) =>
        new(packet.Disposition, packet.EgressPort, (DropReason)packet.DropReason, packet.IsDropped ? droppedBy : null);
}
