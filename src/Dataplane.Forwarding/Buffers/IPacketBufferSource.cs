namespace Dataplane.Forwarding.Buffers;

/// <summary>
/// Where a worker takes a fresh buffer for a packet it makes itself (a replica, a second fragment): a DPDK port's
/// mempool (an mbuf, which DPDK ports then send without a copy), or the worker's own pool for every other kind of
/// port. One source serves one worker, so it needs no lock.
/// </summary>
public interface IPacketBufferSource
{
    /// <summary>
    /// Points <paramref name="packet"/> at a fresh buffer: empty frame after the buffer's headroom, metadata cleared,
    /// <see cref="PacketDescriptor.IngressPort"/> set to the port that frees it. False when the source is exhausted.
    /// </summary>
    bool TryAllocate(out PacketDescriptor packet);
}
