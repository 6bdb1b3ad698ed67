namespace Dataplane.Forwarding.Buffers;

/// <summary>Where a packet goes when the pipeline is done with it. Dropping is recorded separately (<see cref="PacketDescriptor.DropReason"/>), with its reason.</summary>
public enum PacketDisposition : byte
{
    /// <summary>No stage has decided yet; a packet still pending at the end of the pipeline is dropped as <c>NoHandler</c>.</summary>
    Pending = 0,

    /// <summary>Send on <see cref="PacketDescriptor.EgressPort"/>.</summary>
    Transmit,

    /// <summary>Hand to the control plane (LISP control message, cache miss, ...) through the bounded punt queue.</summary>
    Punt,
}
