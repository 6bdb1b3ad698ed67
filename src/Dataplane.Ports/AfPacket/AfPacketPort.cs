using System.Runtime.InteropServices;
using Dataplane.Forwarding.Buffers;
using Dataplane.Runtime.Ports;
using static Dataplane.Ports.AfPacket.LinuxPacket;

namespace Dataplane.Ports.AfPacket;

/// <summary>
/// A kernel network interface through AF_PACKET sockets (packet(7)): one socket per queue with a TPACKET_V3 receive
/// ring and a PACKET_TX_RING in one mapping, joined in a PACKET_FANOUT hash group when there are several so the kernel
/// spreads flows over the workers.
/// </summary>
/// <remarks>
/// <para>
/// Receive is zero-copy: descriptors point into the mmapped ring, with at least <see cref="AfPacketOptions.Reserve"/>
/// bytes of headroom (PACKET_RESERVE) in front of each frame for encapsulation. A descriptor's
/// <see cref="PacketDescriptor.Owner"/> is <c>queue * BlockCount + block</c>.
/// </para>
/// <para>
/// Transmit copies each frame into a free slot of the transmit ring and kicks the kernel with one send() per burst;
/// the buffer goes back to its owner at once, and slots come back when the kernel has sent them. Our copy cannot be
/// avoided: a frame lives in the buffer of whichever port received it (another socket's receive ring, a DPDK mbuf),
/// and the kernel transmits only from a transmit ring or from its own skbs. What the ring saves over sendmmsg(2),
/// which the kernel turns into one sendmsg per frame (a msghdr and an iovec to import, checks, an skb), is that
/// per-frame system call work: the kernel walks the ready slots in one call. Each slot carries a virtio_net_hdr whose
/// hdr_len is the whole frame (PACKET_VNET_HDR), so the kernel copies the frame into the skb's own data; without it
/// the skb would point at the ring page, and veth (or any path where the frame stays in the host) copies such a
/// fragment once more into a page it allocates per frame, which cost more than sendmmsg saved. When the ring is full,
/// Transmit takes fewer frames than offered and the rest stay with the caller. sendmmsg remains for kernels that
/// refuse a transmit ring next to a TPACKET_V3 receive ring (before 4.11) and for
/// <see cref="AfPacketOptions.TransmitFrameCount"/> = 0.
/// </para>
/// </remarks>
public sealed unsafe class AfPacketPort : IPacketPort, IPollablePort, IBufferPoolOwner
{
    private readonly AfPacketQueue[] _queues;
    private readonly int _blockCount;

    /// <param name="id">Port number (position in the configuration).</param>
    /// <param name="interfaceName">Kernel interface, e.g. "eth1".</param>
    /// <param name="queueCount">Queues = workers; each gets its own socket and ring.</param>
    public AfPacketPort(ushort id, string interfaceName, int queueCount, AfPacketOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(interfaceName);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(queueCount);
        options ??= new AfPacketOptions();
        Id = id;
        Name = interfaceName;
        _blockCount = options.BlockCount;

        // The kernel answers EINVAL to a transmit ring it cannot take, as it does on kernels without one; so that a
        // bad geometry is not mistaken for an old kernel (and sendmmsg used in silence), check its rules first.
        var smallestSlot = HeaderLength + options.Reserve + VirtioHeaderLength + EthernetHeaderLength;
        if (options.TransmitFrameCount > 0 && (options.TransmitFrameSize % 16 != 0 || options.TransmitFrameSize < smallestSlot))
        {
            throw new AfPacketException($"AF_PACKET port {id} on '{interfaceName}': TransmitFrameSize {options.TransmitFrameSize} must be a multiple of 16 and at least {smallestSlot} (the kernel's header, the reserve, a virtio_net_hdr and an Ethernet header).");
        }

        var interfaceIndex = (int)LibC.if_nametoindex(interfaceName);
        if (interfaceIndex == 0)
        {
            throw new AfPacketException($"AF_PACKET port {id}: network interface '{interfaceName}' not found ({LibC.Describe(Marshal.GetLastPInvokeError())}).");
        }

        // Fanout group ids are per network namespace; derive one from our pid and the interface so two ports of
        // this process (or two processes on one interface) do not join each other's group.
        var fanoutGroup = (Environment.ProcessId * 31 + interfaceIndex) & 0xFFFF;
        _queues = new AfPacketQueue[queueCount];
        try
        {
            for (var q = 0; q < queueCount; q++)
            {
                _queues[q] = OpenQueue(interfaceName, interfaceIndex, q, queueCount > 1 ? fanoutGroup : -1, options);
            }
        }
        catch
        {
            foreach (var queue in _queues)
            {
                queue?.Dispose();
            }
            throw;
        }
    }

    public ushort Id { get; }

    public string Name { get; }

    public int QueueCount => _queues.Length;

    public int Receive(int queue, PacketBatch batch) => _queues[queue].Receive(batch);

    public int ReceiveDescriptor(int queue) => _queues[queue].Socket;

    /// <summary>Whether the queues transmit through a PACKET_TX_RING (false: sendmmsg, see remarks).</summary>
    public bool TransmitsThroughRing => _queues[0].TransmitsThroughRing;

    public int Transmit(int queue, Span<PacketDescriptor> packets, PortSet owners)
    {
        var sent = _queues[queue].Send(packets);
        // The frames were copied (or refused and counted): their buffers go back to whoever owns them now.
        for (var i = 0; i < sent; i++)
        {
            owners.Free(ref packets[i]);
        }
        return sent;
    }

    public void Free(ref PacketDescriptor packet)
    {
        var owner = (int)packet.Owner;
        var queue = owner / _blockCount;
        if ((uint)queue >= (uint)_queues.Length)
        {
            throw new ArgumentException($"The descriptor (owner {packet.Owner}) was not received by AF_PACKET port {Id}.", nameof(packet));
        }
        _queues[queue].Free(owner - queue * _blockCount);
        packet = default;
    }

    /// <summary>
    /// The receive rings' blocks that user space holds, over every queue: when all are held the kernel has nowhere to
    /// write and drops (the rx drops then rise). A block holds many frames, so this is the coarse measure the ring has.
    /// </summary>
    public IReadOnlyList<BufferPoolUse> BufferPools
    {
        get
        {
            long held = 0, capacity = 0;
            foreach (var queue in _queues)
            {
                held += queue.HeldBlocks;
                capacity += queue.BlockCount;
            }

            return [new BufferPoolUse(Name, held, capacity)];
        }
    }

    public PortStatistics Statistics
    {
        get
        {
            long rxPackets = 0, rxBytes = 0, txPackets = 0, txBytes = 0, rxDrops = 0, txErrors = 0;
            foreach (var queue in _queues)
            {
                rxPackets += queue.ReceivedPackets;
                rxBytes += queue.ReceivedBytes;
                txPackets += queue.TransmittedPackets;
                txBytes += queue.TransmittedBytes;
                rxDrops += queue.ReceiveDrops;
                txErrors += queue.TransmitErrors;
            }
            return new PortStatistics(rxPackets, rxBytes, txPackets, txBytes, rxDrops, txErrors);
        }
    }

    public void Dispose()
    {
        foreach (var queue in _queues)
        {
            queue.Dispose();
        }
    }

    private AfPacketQueue OpenQueue(string interfaceName, int interfaceIndex, int queue, int fanoutGroup, AfPacketOptions options)
    {
        // Protocol 0 at creation: the socket receives nothing until bind, so no frame lands before the ring exists.
        var socket = LibC.socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
        if (socket < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is EPERM or EACCES)
            {
                throw new AfPacketException($"AF_PACKET port {Id} on '{interfaceName}': opening a packet socket needs root or CAP_NET_RAW ({LibC.Describe(errno)}).");
            }
            throw new AfPacketException($"AF_PACKET port {Id} on '{interfaceName}': socket failed: {LibC.Describe(errno)}.");
        }
        byte* ring = null;
        nuint ringLength = 0;
        IQueueTransmitter? transmitter = null;
        try
        {
            SetInt(socket, PACKET_VERSION, TPACKET_V3, "PACKET_VERSION TPACKET_V3", interfaceName);
            SetInt(socket, PACKET_RESERVE, options.Reserve, "PACKET_RESERVE", interfaceName);
            // Before any ring exists (the kernel refuses it after): a frame the kernel will not send is skipped rather
            // than left TP_STATUS_WRONG_FORMAT at the head of the transmit ring, which would stop it (RingTransmitter).
            SetInt(socket, PACKET_LOSS, 1, "PACKET_LOSS", interfaceName);

            // The transmit ring first: when the kernel refuses it, PACKET_VNET_HDR can still be turned off, which it
            // cannot once a ring exists, and sendmmsg must not have it.
            uint* request = stackalloc uint[7];
            new Span<uint>(request, 7).Clear();
            TransmitRingLayout? transmitRing = null;
            if (options.TransmitFrameCount > 0)
            {
                var layout = TransmitRingLayout.For(options.TransmitFrameSize, options.TransmitFrameCount, Environment.SystemPageSize);
                // A virtio_net_hdr in front of each frame lets RingTransmitter have the kernel copy the frame into the skb.
                SetInt(socket, PACKET_VNET_HDR, 1, "PACKET_VNET_HDR", interfaceName);
                // struct tpacket_req3; a TPACKET_V3 transmit ring is frame-based: block retire timeout, private area
                // and features stay 0.
                request[0] = (uint)layout.BlockSize;
                request[1] = (uint)layout.BlockCount;
                request[2] = (uint)layout.FrameSize;
                request[3] = (uint)layout.FrameCount;
                if (LibC.setsockopt(socket, SOL_PACKET, PACKET_TX_RING, request, 28) == 0)
                {
                    transmitRing = layout;
                }
                else if (Marshal.GetLastPInvokeError() == EINVAL)
                {
                    // A kernel before 4.11 has no transmit ring next to a TPACKET_V3 receive ring: sendmmsg then.
                    SetInt(socket, PACKET_VNET_HDR, 0, "PACKET_VNET_HDR off", interfaceName);
                }
                else
                {
                    Check(-1, "PACKET_TX_RING", interfaceName);
                }
            }

            request[0] = (uint)options.BlockSize;
            request[1] = (uint)options.BlockCount;
            request[2] = (uint)options.FrameSize;
            request[3] = (uint)((long)options.BlockSize * options.BlockCount / options.FrameSize);
            request[4] = (uint)options.BlockTimeoutMilliseconds;
            Check(LibC.setsockopt(socket, SOL_PACKET, PACKET_RX_RING, request, 28), "PACKET_RX_RING", interfaceName);
            var receiveLength = (nuint)options.BlockSize * (nuint)options.BlockCount;

            // One mapping: the receive ring, then the transmit ring right after it.
            ringLength = receiveLength + (transmitRing?.Length ?? 0);
            ring = (byte*)LibC.mmap(null, ringLength, PROT_READ | PROT_WRITE, MAP_SHARED, socket, 0);
            if (ring == (byte*)-1)
            {
                ring = null;
                Check(-1, "mmap of the rings", interfaceName);
            }

            if (options.QdiscBypass)
            {
                // Frames we send go to the driver directly: no qdisc, no packet taps (AfPacketOptions.QdiscBypass).
                SetInt(socket, PACKET_QDISC_BYPASS, 1, "PACKET_QDISC_BYPASS", interfaceName);
            }
            // Not fatal on kernels before 4.20: the queue also skips PACKET_OUTGOING frames itself.
            var one = 1;
            LibC.setsockopt(socket, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, 4);

            // struct sockaddr_ll
            byte* address = stackalloc byte[20];
            new Span<byte>(address, 20).Clear();
            *(ushort*)address = AF_PACKET;
            *(ushort*)(address + 2) = HostToNetwork(ETH_P_ALL);
            *(int*)(address + 4) = interfaceIndex;
            Check(LibC.bind(socket, address, 20), "bind", interfaceName);

            if (options.Promiscuous)
            {
                // struct packet_mreq; the kernel drops the membership (and promiscuity) when the socket closes.
                byte* membership = stackalloc byte[16];
                new Span<byte>(membership, 16).Clear();
                *(int*)membership = interfaceIndex;
                *(ushort*)(membership + 4) = PACKET_MR_PROMISC;
                Check(LibC.setsockopt(socket, SOL_PACKET, PACKET_ADD_MEMBERSHIP, membership, 16), "PACKET_ADD_MEMBERSHIP promiscuous", interfaceName);
            }

            if (fanoutGroup >= 0)
            {
                // Hash fanout keeps a flow on one queue; DEFRAG keeps the fragments of a datagram together.
                SetInt(socket, PACKET_FANOUT, fanoutGroup | ((PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG) << 16), "PACKET_FANOUT", interfaceName);
            }
            transmitter = transmitRing is { } layoutInUse
                ? new RingTransmitter(socket, ring + receiveLength, layoutInUse, interfaceName)
                : new MessageTransmitter(socket);
            return new AfPacketQueue(socket, ring, ringLength, options, queue * options.BlockCount, Id, transmitter);
        }
        catch
        {
            transmitter?.Dispose();
            if (ring != null)
            {
                LibC.munmap(ring, ringLength);
            }
            LibC.close(socket);
            throw;
        }
    }

    private void SetInt(int socket, int option, int value, string what, string interfaceName) =>
        Check(LibC.setsockopt(socket, SOL_PACKET, option, &value, 4), what, interfaceName);

    private void Check(int result, string what, string interfaceName)
    {
        if (result < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            var hint = errno is EPERM or EACCES ? "; needs root or CAP_NET_RAW" : "";
            throw new AfPacketException($"AF_PACKET port {Id} on '{interfaceName}': {what} failed: {LibC.Describe(errno)}{hint}.");
        }
    }
}
