using Dataplane.Forwarding.Buffers;

namespace Dataplane.Runtime.Ports;

/// <summary>
/// A place packets come in and go out: a DPDK ethdev, an AF_PACKET socket, a capture file, an in-memory ring. Each
/// worker uses its own queue of every port (RSS queue, fanout socket), so one queue is only ever touched by one
/// thread and needs no locks.
/// </summary>
/// <remarks>
/// Buffer ownership: a received packet's buffer belongs to the port that received it (its
/// <see cref="PacketDescriptor.IngressPort"/>) and goes back through that port's <see cref="Free"/>, reached through the
/// <see cref="PortSet"/>. <see cref="Transmit"/> takes over the buffers of the packets it sends: it frees them to their
/// owner once sent (a zero-copy port, e.g. DPDK with an mbuf of its own pool, hands the buffer to the driver, which
/// frees it after the DMA; a copying port, e.g. AF_PACKET, copies the frame and frees the buffer at once). Packets it
/// could not send stay with the caller, who frees them (counted as TxQueueFull by the worker).
/// </remarks>
public interface IPacketPort : IDisposable
{
    /// <summary>The port number packets carry as <see cref="PacketDescriptor.IngressPort"/> / <see cref="PacketDescriptor.EgressPort"/>.</summary>
    ushort Id { get; }

    string Name { get; }

    /// <summary>Queues the port was opened with; workers use queue = worker index.</summary>
    int QueueCount { get; }

    /// <summary>
    /// Appends up to the batch's free room of received packets, each with <see cref="PacketDescriptor.IngressPort"/> set
    /// to <see cref="Id"/>, its <see cref="PacketDescriptor.Format"/> and timestamp, and headroom in front of the frame.
    /// Returns how many were appended; 0 when nothing is waiting (never blocks).
    /// </summary>
    int Receive(int queue, PacketBatch batch);

    /// <summary>Sends packets from the start of <paramref name="packets"/>; returns how many it took (see remarks for ownership).</summary>
    int Transmit(int queue, Span<PacketDescriptor> packets, PortSet owners);

    /// <summary>Gives back the buffer of a packet this port received.</summary>
    void Free(ref PacketDescriptor packet);

    /// <summary>What the port counted (received, sent, dropped by the port or the kernel/NIC).</summary>
    PortStatistics Statistics { get; }
}
