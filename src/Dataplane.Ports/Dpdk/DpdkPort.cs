using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using Dataplane.Forwarding.Buffers;
using Dataplane.Runtime.Ports;
using DpdkSharp;

namespace Dataplane.Ports.Dpdk;

/// <summary>
/// A DPDK ethdev as a packet port, zero copy both ways. Receive attaches each descriptor to the mbuf's own buffer
/// (buf_addr, buf_len, data_off, data_len; owner = the <c>rte_mbuf*</c>). Transmit writes the descriptor's frame
/// position back into the mbuf (the pipeline prepended outer headers into the headroom or stripped them in place)
/// and hands it to the driver, which frees it after sending. The mbuf fields are read and written in place
/// (<see cref="Mbuf"/>, offsets checked at EAL init): a burst costs one rx or tx call into the shim, nothing more. A packet another kind of port received is copied into
/// a fresh mbuf of our pool and its own buffer freed to its owner.
/// </summary>
/// <remarks>EAL must be initialised first (<see cref="Eal.Initialize"/>). One queue is used by one worker only.</remarks>
[SkipLocalsInit]
public sealed unsafe class DpdkPort : IPacketPort, IWorkerThreadSetup, IPacketBufferProvider, IBufferPoolOwner
{
    /// <summary>Most mbufs one rx/tx burst moves (a batch's capacity).</summary>
    private const int BurstSize = PacketBatch.MaxCapacity;

    /// <summary>How many mbufs ahead of use Receive prefetches a header.</summary>
    private const int PrefetchAhead = 8;

    private const int RxDescriptors = 1024;
    private const int TxDescriptors = 1024;

    /// <summary>How many DPDK ports the calling thread prepared: it registers with EAL on the first, leaves on the last.</summary>
    [ThreadStatic]
    private static int preparedOnThisThread;

    private readonly ushort dpdkPort;
    private readonly Mempool pool;
    private readonly nint poolHandle;
    private bool disposed;
    private MbufSource? bufferSource;

    /// <summary>Opens <paramref name="device"/> with <paramref name="queues"/> rx and tx queues, on <paramref name="pool"/>, and starts it.</summary>
    public DpdkPort(ushort id, string name, string device, int queues, Mempool pool, int? mtu = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(queues);
        Id = id;
        Name = name;
        Device = device;
        QueueCount = queues;
        this.pool = pool;
        poolHandle = pool.Handle;
        dpdkPort = EthDev.PortByName(device);
        DpdkPortRegistry.Register(id);
        RssEnabled = EthDev.Configure(dpdkPort, queues, queues);
        for (int q = 0; q < queues; q++)
        {
            EthDev.SetupRxQueue(dpdkPort, q, RxDescriptors, pool);
            EthDev.SetupTxQueue(dpdkPort, q, TxDescriptors);
        }

        if (mtu is int value)
        {
            EthDev.TrySetMtu(dpdkPort, value);
        }

        EthDev.Start(dpdkPort);
        EthDev.TryEnablePromiscuous(dpdkPort);
    }

    public ushort Id { get; }

    public string Name { get; }

    /// <summary>The mempool, by its own name: ports that share it report the same pool.</summary>
    public IReadOnlyList<BufferPoolUse> BufferPools => [new(pool.Name, pool.InUse, pool.Capacity)];

    /// <summary>The EAL device name ("0000:01:00.0", "net_pcap0").</summary>
    public string Device { get; }

    public int QueueCount { get; }

    /// <summary>True when the device hashes flows over the rx queues (more than one queue and the device can).</summary>
    public bool RssEnabled { get; }

    public int Receive(int queue, PacketBatch batch)
    {
        int room = Math.Min(batch.Capacity - batch.Count, BurstSize);
        if (room <= 0)
        {
            return 0;
        }

        nint* mbufs = stackalloc nint[BurstSize];
        int received = Native.RxBurst(dpdkPort, (ushort)queue, mbufs, (ushort)room);
        if (received == 0)
        {
            return 0;
        }

        // The mbuf headers are cold (the NIC or another core wrote them last): fetch a few ahead, as DPDK's l3fwd does.
        for (int i = 0; i < Math.Min(PrefetchAhead, received); i++)
        {
            Prefetch(mbufs[i]);
        }

        ushort id = Id;
        var packets = batch.Extend(received);
        for (int i = 0; i < packets.Length; i++)
        {
            if (i + PrefetchAhead < received)
            {
                Prefetch(mbufs[i + PrefetchAhead]);
            }

            // Scattered receive is never asked for, so a frame is one segment: data_len is all of it.
            nint mbuf = mbufs[i];
            ref var packet = ref packets[i];
            packet.Attach(Mbuf.BufferAddress(mbuf), Mbuf.BufferLength(mbuf), Mbuf.DataOffset(mbuf), Mbuf.DataLength(mbuf), mbuf);
            packet.IngressPort = id;
            packet.Format = FrameFormat.Ethernet;
        }

        return received;
    }

    public int Transmit(int queue, Span<PacketDescriptor> packets, PortSet owners)
    {
        int count = Math.Min(packets.Length, BurstSize);
        if (count == 0)
        {
            return 0;
        }

        nint* mbufs = stackalloc nint[BurstSize];
        byte* copies = stackalloc byte[BurstSize]; // indices of the packets sent as a copy in a fresh mbuf
        int copyCount = 0;
        int ready = 0;
        for (; ready < count; ready++)
        {
            // The mbuf headers were last touched at receive, a whole batch of frames ago: fetch a few ahead again, so
            // the pool test and the stores below do not wait on each. (Another port's owner is no address, but a
            // prefetch never faults.)
            if (ready + PrefetchAhead < count)
            {
                Prefetch(packets[ready + PrefetchAhead].Owner);
            }

            ref var packet = ref packets[ready];
            if (IsOurMbuf(packet))
            {
                // Where the frame now starts and how long it is: the pipeline prepended or stripped headers.
                Mbuf.SetData(packet.Owner, (ushort)packet.DataOffset, (ushort)packet.Length);
                mbufs[ready] = packet.Owner;
            }
            else if (TryCopyIntoMbuf(packet, out mbufs[ready]))
            {
                copies[copyCount++] = (byte)ready;
            }
            else
            {
                break; // pool empty or frame too large: send what is ready, the rest stays with the caller
            }
        }

        int sent = ready == 0 ? 0 : Native.TxBurst(dpdkPort, (ushort)queue, mbufs, (ushort)ready);
        for (int c = 0; c < copyCount; c++)
        {
            int i = copies[c];
            if (i < sent)
            {
                owners.Free(ref packets[i]); // the copy went out; the original buffer goes back to its port
            }
            else
            {
                Native.Free(mbufs[i]); // the copy was not taken; the original stays with the caller
            }
        }

        // Ours, sent: the driver frees them. Ours, not sent: the caller frees them through Free.
        return sent;
    }

    /// <summary>
    /// Sends a copy of <paramref name="frame"/> on queue 0 outside any pipeline: how a test or a bring-up check puts
    /// traffic into a loop (a net_ring device receives what it sends). False when the pool is empty or the queue full.
    /// </summary>
    public bool TryInject(ReadOnlySpan<byte> frame)
    {
        nint mbuf;
        if (Native.AllocBulk(pool.Handle, &mbuf, 1) != 0)
        {
            return false;
        }

        if (!TryWriteFrame(mbuf, frame))
        {
            Native.Free(mbuf);
            return false;
        }

        if (Native.TxBurst(dpdkPort, 0, &mbuf, 1) == 1)
        {
            return true;
        }

        Native.Free(mbuf);
        return false;
    }

    /// <summary>
    /// Replicas of packets this port received are mbufs of its mempool (<c>rte_pktmbuf_alloc</c> and a copy of the
    /// frame, as <c>rte_pktmbuf_copy</c> does): a DPDK port on the same pool sends them without another copy, and they
    /// are freed like received ones. Not indirect mbufs: a flood copy gets its own outer headers in front of the frame,
    /// which an indirect mbuf shares with the original and every other copy, so each would need a header mbuf chained in
    /// front and the driver a multi-segment send; for the frames we flood (ARP, neighbour discovery, the first packets of
    /// unknown flows) one copy of a short frame costs less than that.
    /// </summary>
    public IPacketBufferSource BufferSourceFor(int worker) => bufferSource ??= new MbufSource(pool.Handle, Id);

    public void Free(ref PacketDescriptor packet)
    {
        if (packet.Owner != 0)
        {
            Native.Free(packet.Owner);
            packet.Owner = 0;
        }
    }

    /// <summary>Frees many of our packets with one <c>rte_pktmbuf_free_bulk</c>.</summary>
    public void FreeBulk(Span<PacketDescriptor> packets)
    {
        nint* mbufs = stackalloc nint[BurstSize];
        int n = 0;
        foreach (ref var packet in packets)
        {
            if (packet.Owner == 0)
            {
                continue;
            }

            mbufs[n++] = packet.Owner;
            packet.Owner = 0;
            if (n == BurstSize)
            {
                Native.FreeBulk(mbufs, (uint)n);
                n = 0;
            }
        }

        if (n > 0)
        {
            Native.FreeBulk(mbufs, (uint)n);
        }
    }

    public PortStatistics Statistics
    {
        get
        {
            ulong* stats = stackalloc ulong[6];
            if (Native.Stats(dpdkPort, stats) != 0)
            {
                return default;
            }

            return new PortStatistics((long)stats[0], (long)stats[1], (long)stats[2], (long)stats[3], (long)stats[4], (long)stats[5]);
        }
    }

    /// <summary>Link state from the driver; null when it cannot tell.</summary>
    public (bool Up, uint SpeedMbps)? Link => EthDev.LinkStatus(dpdkPort);

    public string? PrepareWorkerThread()
    {
        if (preparedOnThisThread++ > 0)
        {
            return null; // another DPDK port already registered this thread
        }

        return LcoreThreads.TryRegisterCurrent(out string problem) ? null : problem;
    }

    public void ReleaseWorkerThread()
    {
        if (--preparedOnThisThread == 0)
        {
            LcoreThreads.UnregisterCurrent();
        }
    }

    public void Dispose()
    {
        if (!disposed)
        {
            disposed = true;
            EthDev.StopAndClose(dpdkPort);
        }
    }

    /// <summary>
    /// Whether the packet's owner is an mbuf of our pool, which goes out as it is. A port's registry entry comes first:
    /// only a DPDK port's owners are mbuf pointers (others' are pool indexes or ring slots, never to be dereferenced).
    /// </summary>
    private bool IsOurMbuf(in PacketDescriptor packet) =>
        packet.Owner != 0 && DpdkPortRegistry.IsDpdkPort(packet.IngressPort) && Mbuf.Pool(packet.Owner) == poolHandle;

    /// <summary>A copy of a foreign frame in a fresh mbuf of our pool, its data offset and length set.</summary>
    private bool TryCopyIntoMbuf(in PacketDescriptor packet, out nint mbuf)
    {
        nint fresh;
        if (Native.AllocBulk(pool.Handle, &fresh, 1) != 0)
        {
            mbuf = 0;
            return false;
        }

        if (!TryWriteFrame(fresh, packet.Data))
        {
            Native.Free(fresh);
            mbuf = 0;
            return false;
        }

        mbuf = fresh;
        return true;
    }

    /// <summary>Writes <paramref name="frame"/> at a fresh mbuf's headroom and sets its length; false when it does not fit.</summary>
    private static bool TryWriteFrame(nint mbuf, ReadOnlySpan<byte> frame)
    {
        int offset = Mbuf.DataOffset(mbuf);
        if (frame.Length > Mbuf.BufferLength(mbuf) - offset)
        {
            return false;
        }

        frame.CopyTo(new Span<byte>(Mbuf.BufferAddress(mbuf) + offset, frame.Length));
        Mbuf.SetData(mbuf, (ushort)offset, (ushort)frame.Length);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Prefetch(nint mbuf)
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch0((void*)mbuf);
        }
    }

    /// <summary>Fresh mbufs of one mempool behind descriptors that belong to <paramref name="port"/>.</summary>
    private sealed class MbufSource(nint pool, ushort port) : IPacketBufferSource
    {
        public bool TryAllocate(out PacketDescriptor packet)
        {
            packet = default;
            nint mbuf;
            if (Native.AllocBulk(pool, &mbuf, 1) != 0)
            {
                return false;
            }

            packet.Attach(Mbuf.BufferAddress(mbuf), Mbuf.BufferLength(mbuf), Mbuf.DataOffset(mbuf), 0, mbuf);
            packet.IngressPort = port;
            packet.Format = FrameFormat.Ethernet;
            return true;
        }
    }
}
