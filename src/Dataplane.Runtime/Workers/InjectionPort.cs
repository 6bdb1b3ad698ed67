using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Runtime.Ports;

namespace Dataplane.Runtime.Workers;

/// <summary>
/// The control plane's way out (VPP's "inject"): packets it originates, e.g. LISP Map-Requests, Map-Registers and
/// RLOC probes, enter the workers as if received on this port, as bare IP packets (<see cref="FrameFormat.RawIp"/>).
/// The pipeline routes them like anything else: FIB lookup in instance 0 (this port has no instance), a neighbour
/// request when the next hop is unknown, a fresh Ethernet header, and out of the right port. So the control plane
/// needs no socket and no knowledge of ports, and a worker's transmit queues keep their single owner.
/// </summary>
/// <remarks>
/// One bounded single-producer single-consumer queue per worker (the control thread produces, worker i consumes
/// queue i), and a pool of buffers: the control thread allocates, whichever thread frees (the transmitting worker,
/// or the port copying the frame) returns it under a lock. Not a hot path: control traffic is rate-limited.
/// </remarks>
public sealed class InjectionPort : IPacketPort, IBufferPoolOwner
{
    private readonly PuntQueue[] queues;
    private readonly SharedPacketPool pool;
    private long injected;
    private long injectedBytes;
    private long refused;

    public InjectionPort(ushort id, int queues, int bufferCount = 1024)
    {
        Id = id;
        this.queues = new PuntQueue[queues];
        for (int i = 0; i < queues; i++)
        {
            this.queues[i] = new PuntQueue(bufferCount);
        }

        pool = new SharedPacketPool(bufferCount);
    }

    public ushort Id { get; }

    public string Name => "control-inject";

    public int QueueCount => queues.Length;

    public IReadOnlyList<BufferPoolUse> BufferPools => [new(Name, pool.InUse, pool.Capacity)];

    /// <summary>
    /// Copies an IP packet (starting with its IPv4 or IPv6 header) into a buffer and queues it for
    /// <paramref name="worker"/>. False when the pool or that worker's queue is full, or the packet too large.
    /// </summary>
    public bool TryInject(ReadOnlySpan<byte> ipPacket, int worker = 0)
    {
        if (!pool.TryCopyIn(ipPacket, out var packet))
        {
            Interlocked.Increment(ref refused);
            return false;
        }

        packet.IngressPort = Id;
        packet.Format = FrameFormat.RawIp;
        if (!queues[worker % queues.Length].TryEnqueue(packet))
        {
            Free(ref packet);
            Interlocked.Increment(ref refused);
            return false;
        }

        Interlocked.Increment(ref injected);
        Interlocked.Add(ref injectedBytes, ipPacket.Length);
        return true;
    }

    public int Receive(int queue, PacketBatch batch)
    {
        var source = queues[queue];
        int taken = 0;
        while (batch.Count < batch.Capacity && source.TryDequeue(out var packet))
        {
            batch.TryAdd(packet);
            taken++;
        }

        return taken;
    }

    /// <summary>Nothing is routed to this port (it is not in the forwarding plane's port table).</summary>
    public int Transmit(int queue, Span<PacketDescriptor> packets, PortSet owners) => 0;

    public void Free(ref PacketDescriptor packet) => pool.Free(ref packet);

    /// <summary>Received = what the control plane injected; receive drops = what it could not (pool or queue full).</summary>
    public PortStatistics Statistics =>
        new(Interlocked.Read(ref injected), Interlocked.Read(ref injectedBytes), 0, 0, Interlocked.Read(ref refused), 0);

    public void Dispose()
    {
        foreach (var queue in queues)
        {
            while (queue.TryDequeue(out var packet))
            {
                Free(ref packet);
            }
        }

        pool.Dispose();
    }
}
