using Dataplane.Forwarding.Buffers;

namespace Dataplane.Ports.AfPacket;

/// <summary>How one queue of an <see cref="AfPacketPort"/> hands frames to the kernel; used by that queue's worker only.</summary>
internal interface IQueueTransmitter : IDisposable
{
    /// <summary>
    /// Takes frames from the start of <paramref name="packets"/> (each one sent, or refused and counted in
    /// <see cref="TransmitErrors"/>); returns how many it took. Their buffers are the caller's to free, the frames
    /// having been copied; the rest stay with the caller.
    /// </summary>
    int Send(Span<PacketDescriptor> packets);

    /// <summary>Hands the kernel what an earlier send left waiting because the kernel was busy; cheap when nothing waits.</summary>
    void Flush();

    long TransmittedPackets { get; }

    long TransmittedBytes { get; }

    long TransmitErrors { get; }
}
