using Dataplane.Forwarding.Buffers;
using Dataplane.Runtime.Ports;
using DpdkSharp;

namespace Dataplane.Ports.Dpdk;

/// <summary>
/// A DPDK ethdev as a packet port, zero copy both ways. Receive attaches each descriptor to the mbuf's own buffer
/// (buf_addr, buf_len, data_off, data_len; owner = the <c>rte_mbuf*</c>). Transmit writes the descriptor's frame
/// position back into the mbuf (the pipeline prepended outer headers into the headroom or stripped them in place)
/// and hands it to the driver, which frees it after sending. A packet another kind of port received is copied into
/// a fresh mbuf of our pool and its own buffer freed to its owner.
/// </summary>
/// <remarks>EAL must be initialised first (<see cref="Eal.Initialize"/>). One queue is used by one worker only.</remarks>
public sealed unsafe class DpdkPort : IPacketPort, IWorkerThreadSetup
{
    /// <summary>Most mbufs one rx/tx burst moves (a batch's capacity).</summary>
    private const int BurstSize = PacketBatch.MaxCapacity;

    private const int RxDescriptors = 1024;
    private const int TxDescriptors = 1024;

    /// <summary>How many DPDK ports the calling thread prepared: it registers with EAL on the first, leaves on the last.</summary>
    [ThreadStatic]
    private static int preparedOnThisThread;

    private readonly ushort dpdkPort;
    private readonly Mempool pool;
    private bool disposed;

    /// <summary>Opens <paramref name="device"/> with <paramref name="queues"/> rx and tx queues, on <paramref name="pool"/>, and starts it.</summary>
    public DpdkPort(ushort id, string name, string device, int queues, Mempool pool, int? mtu = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(queues);
        Id = id;
        Name = name;
        Device = device;
        QueueCount = queues;
        this.pool = pool;
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

        MbufLayout* layouts = stackalloc MbufLayout[BurstSize];
        Native.MbufLayouts(mbufs, (ushort)received, layouts);
        PacketDescriptor packet = default;
        for (int i = 0; i < received; i++)
        {
            ref readonly var layout = ref layouts[i];
            packet.Attach(layout.BufferAddress, layout.BufferLength, layout.DataOffset, layout.DataLength, mbufs[i]);
            packet.IngressPort = Id;
            packet.Format = FrameFormat.Ethernet;
            batch.TryAdd(packet);
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
        ushort* offsets = stackalloc ushort[BurstSize];
        ushort* lengths = stackalloc ushort[BurstSize];
        int ready = 0;
        for (; ready < count; ready++)
        {
            ref var packet = ref packets[ready];
            if (IsOurMbuf(packet))
            {
                mbufs[ready] = packet.Owner;
                offsets[ready] = (ushort)packet.DataOffset;
                lengths[ready] = (ushort)packet.Length;
            }
            else if (!TryCopyIntoMbuf(packet, out mbufs[ready], out offsets[ready]))
            {
                break; // pool empty or frame too large: send what is ready, the rest stays with the caller
            }
            else
            {
                lengths[ready] = (ushort)packet.Length;
            }
        }

        // Where each frame now starts and how long it is (the pipeline prepended or stripped headers), in one call.
        Native.MbufsSetData(mbufs, offsets, lengths, (ushort)ready);
        int sent = ready == 0 ? 0 : Native.TxBurst(dpdkPort, (ushort)queue, mbufs, (ushort)ready);
        for (int i = 0; i < ready; i++)
        {
            ref var packet = ref packets[i];
            if (IsOurMbuf(packet))
            {
                continue; // sent: the driver frees it; not sent: the caller frees it through Free
            }

            if (i < sent)
            {
                owners.Free(ref packet); // the copy went out; the original buffer goes back to its port
            }
            else
            {
                Native.Free(mbufs[i]); // the copy was not taken; the original stays with the caller
            }
        }

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

        MbufLayout layout;
        Native.MbufLayouts(&mbuf, 1, &layout);
        if (frame.Length > layout.BufferLength - layout.DataOffset)
        {
            Native.Free(mbuf);
            return false;
        }

        frame.CopyTo(new Span<byte>(layout.BufferAddress + layout.DataOffset, frame.Length));
        Native.MbufSetData(mbuf, layout.DataOffset, (ushort)frame.Length);
        if (Native.TxBurst(dpdkPort, 0, &mbuf, 1) == 1)
        {
            return true;
        }

        Native.Free(mbuf);
        return false;
    }

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

    private bool IsOurMbuf(in PacketDescriptor packet) =>
        packet.Owner != 0 && DpdkPortRegistry.IsDpdkPort(packet.IngressPort) &&
        (Mempool.Created == 1 || Native.MbufPool(packet.Owner) == pool.Handle);

    /// <summary>A copy of a foreign frame in a fresh mbuf of our pool; its data offset for the burst's set-data call.</summary>
    private bool TryCopyIntoMbuf(in PacketDescriptor packet, out nint mbuf, out ushort dataOffset)
    {
        mbuf = 0;
        dataOffset = 0;
        nint fresh;
        if (Native.AllocBulk(pool.Handle, &fresh, 1) != 0)
        {
            return false;
        }

        MbufLayout layout;
        Native.MbufLayouts(&fresh, 1, &layout);
        if (packet.Length > layout.BufferLength - layout.DataOffset)
        {
            Native.Free(fresh);
            return false;
        }

        packet.Data.CopyTo(new Span<byte>(layout.BufferAddress + layout.DataOffset, packet.Length));
        mbuf = fresh;
        dataOffset = layout.DataOffset;
        return true;
    }
}
