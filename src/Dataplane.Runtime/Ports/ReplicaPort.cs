using Dataplane.Forwarding.Buffers;

namespace Dataplane.Runtime.Ports;

/// <summary>
/// The buffers of packets the workers make themselves (VXLAN flood copies, fragments) when the packet they come from
/// was received on a port that lends none (AF_PACKET, libpcap, capture files, the injection port): one
/// <see cref="PacketPool"/> per worker, so taking and freeing cost no lock. It is a port only so that such a packet's
/// buffer goes back where every buffer goes, through its <see cref="PacketDescriptor.IngressPort"/>; it receives and
/// sends nothing.
/// </summary>
/// <remarks>
/// Every buffer is taken and freed by its worker's thread: an emitted packet is transmitted or dropped by the worker
/// that made it (never punted), and the ports that copy free the buffer in their Transmit, on that thread. The
/// owner handle says which worker's pool: the buffer index in the low 32 bits, the worker above.
/// </remarks>
public sealed class ReplicaPort : IPacketPort, IPacketBufferProvider, IBufferPoolOwner
{
    /// <summary>Buffers per worker unless told otherwise: a full emitted vector and as many again in transmit rings.</summary>
    public const int DefaultBuffersPerWorker = 2048;

    private readonly PacketPool[] pools;
    private readonly Source[] sources;

    public ReplicaPort(ushort id, int workers, int buffersPerWorker = DefaultBuffersPerWorker, int frameCapacity = PacketPool.DefaultFrameCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(workers);
        Id = id;
        pools = new PacketPool[workers];
        sources = new Source[workers];
        for (int i = 0; i < workers; i++)
        {
            pools[i] = new PacketPool(buffersPerWorker, frameCapacity);
            sources[i] = new Source(pools[i], id, i);
        }
    }

    public ushort Id { get; }

    public string Name => "replicas";

    /// <summary>No queue: workers never poll it.</summary>
    public int QueueCount => 0;

    /// <summary>Buffers free in worker <paramref name="worker"/>'s pool.</summary>
    public int Available(int worker) => pools[worker].Available;

    public IPacketBufferSource BufferSourceFor(int worker) => sources[worker];

    /// <summary>One pool per worker, <c>replicas-worker-N</c>.</summary>
    public IReadOnlyList<BufferPoolUse> BufferPools
    {
        get
        {
            var pools = new BufferPoolUse[this.pools.Length];
            for (int i = 0; i < pools.Length; i++)
            {
                var pool = this.pools[i];
                pools[i] = new BufferPoolUse($"replicas-worker-{i}", pool.BufferCount - pool.Available, pool.BufferCount);
            }

            return pools;
        }
    }

    public int Receive(int queue, PacketBatch batch) => 0;

    /// <summary>Nothing is routed to this port.</summary>
    public int Transmit(int queue, Span<PacketDescriptor> packets, PortSet owners) => 0;

    public void Free(ref PacketDescriptor packet)
    {
        int worker = (int)((long)packet.Owner >> 32);
        packet.Owner = (nint)(uint)packet.Owner;
        pools[worker].Free(ref packet);
    }

    /// <summary>Nothing received or sent; receive drops are the buffers the workers asked for and did not get.</summary>
    public PortStatistics Statistics
    {
        get
        {
            long refused = 0;
            foreach (var source in sources)
            {
                refused += Volatile.Read(ref source.Refused);
            }

            return new PortStatistics(0, 0, 0, 0, refused, 0);
        }
    }

    public void Dispose()
    {
        foreach (var pool in pools)
        {
            pool.Dispose();
        }
    }

    private sealed class Source(PacketPool pool, ushort port, int worker) : IPacketBufferSource
    {
        public long Refused;

        public bool TryAllocate(out PacketDescriptor packet)
        {
            packet = default;
            if (!pool.TryAllocate(ref packet))
            {
                Refused++;
                return false;
            }

            packet.IngressPort = port;
            packet.Owner |= (nint)((long)worker << 32);
            return true;
        }
    }
}
