using Dataplane.Forwarding.Buffers;

namespace Dataplane.Runtime.Ports;

/// <summary>
/// A port that can give a worker fresh buffers of its own for packets the worker makes (replicas, fragments) and
/// frees them through its <see cref="IPacketPort.Free"/>: a DPDK port hands out mbufs of its mempool, which DPDK
/// ports then send without a copy. The worker uses it for packets received on that port.
/// </summary>
public interface IPacketBufferProvider
{
    /// <summary>The source worker <paramref name="worker"/> takes buffers from; used by that worker's thread only.</summary>
    IPacketBufferSource BufferSourceFor(int worker);
}
