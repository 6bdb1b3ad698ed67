using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Stages;
using static Dataplane.Ports.AfPacket.LinuxPacket;

namespace Dataplane.Ports.AfPacket;

/// <summary>
/// One queue of an <see cref="AfPacketPort"/>: an AF_PACKET socket with a TPACKET_V3 receive ring and its transmitter
/// (a PACKET_TX_RING in the same mapping, or sendmmsg), used by one worker.
/// </summary>
/// <remarks>
/// Received descriptors point straight into the ring. A block goes back to the kernel (TP_STATUS_KERNEL) only once
/// we have walked all its packets and every one of them has been freed, in any order: a count of outstanding packets
/// per block does that without a lock, because a queue is only touched by its worker's thread.
/// </remarks>
internal sealed unsafe class AfPacketQueue : IDisposable
{
    private readonly int _socket;
    private readonly byte* _ring;
    private readonly nuint _ringLength;
    private readonly int _blockSize;
    private readonly int _blockCount;
    private readonly int _ownerBase;
    private readonly ushort _portId;

    // Per block: packets handed out and not yet freed; whether we have walked past all its packets.
    private readonly int* _outstanding;
    private readonly byte* _walked;

    // The block being walked (-1: none), its packets left, and the next packet header in it.
    private int _currentBlock;
    private int _nextBlock;
    private int _packetsLeft;
    private byte* _nextPacket;

    private readonly IQueueTransmitter _transmitter;

    private long _receivedPackets;
    private int _heldBlocks; // blocks taken from the kernel and not given back yet
    private long _receivedBytes;
    private long _truncated;
    private long _kernelDrops;

    /// <param name="ring">The mapping of the receive ring (and of the transmit ring after it, when there is one).</param>
    /// <param name="transmitter">How this queue transmits; disposed with the queue, before the mapping goes.</param>
    public AfPacketQueue(int socket, byte* ring, nuint ringLength, AfPacketOptions options, int ownerBase, ushort portId, IQueueTransmitter transmitter)
    {
        _socket = socket;
        _ring = ring;
        _ringLength = ringLength;
        _blockSize = options.BlockSize;
        _blockCount = options.BlockCount;
        _ownerBase = ownerBase;
        _portId = portId;
        _outstanding = (int*)NativeMemory.AllocZeroed((nuint)_blockCount, sizeof(int));
        _walked = (byte*)NativeMemory.AllocZeroed((nuint)_blockCount);
        _currentBlock = -1;
        _transmitter = transmitter;
    }

    /// <summary>The AF_PACKET socket: readable when a ring block is ready (what an idle worker polls).</summary>
    public int Socket => _socket;

    public int Receive(PacketBatch batch)
    {
        // Every poll round passes here, busy or idle: frames the kernel could not take at the last send go now.
        _transmitter.Flush();
        var added = 0;
        while (!batch.IsFull)
        {
            if (_currentBlock < 0 && !TryOpenBlock())
            {
                break;
            }
            var header = _nextPacket;
            _nextPacket = header + *(uint*)(header + NextOffset);
            var block = _currentBlock;
            if (TryDescribe(header, block, out var packet))
            {
                _outstanding[block]++;
                batch.TryAdd(packet);
                added++;
            }
            // Close only after the last packet is counted, or the block could go back to the kernel under it.
            if (--_packetsLeft == 0)
            {
                CloseBlock();
            }
        }
        return added;
    }

    private bool TryOpenBlock()
    {
        var block = _nextBlock;
        var descriptor = _ring + (nint)block * _blockSize;
        // A block we walked earlier whose packets are still out keeps TP_STATUS_USER: not new data.
        if (_walked[block] != 0 || (Volatile.Read(ref *(uint*)(descriptor + BlockStatusOffset)) & TP_STATUS_USER) == 0)
        {
            return false;
        }
        _nextBlock = block + 1 == _blockCount ? 0 : block + 1;
        var count = *(uint*)(descriptor + BlockPacketCountOffset);
        if (count == 0)
        {
            Volatile.Write(ref *(uint*)(descriptor + BlockStatusOffset), TP_STATUS_KERNEL);
            return TryOpenBlock();
        }
        _currentBlock = block;
        _heldBlocks++;
        _packetsLeft = (int)count;
        _nextPacket = descriptor + *(uint*)(descriptor + BlockFirstPacketOffset);
        return true;
    }

    private void CloseBlock()
    {
        var block = _currentBlock;
        _currentBlock = -1;
        _walked[block] = 1;
        if (_outstanding[block] == 0)
        {
            ReleaseBlock(block);
        }
    }

    private void ReleaseBlock(int block)
    {
        _walked[block] = 0;
        _heldBlocks--;
        // The release store orders our reads of the block before the kernel sees it free again.
        Volatile.Write(ref *(uint*)(_ring + (nint)block * _blockSize + BlockStatusOffset), TP_STATUS_KERNEL);
    }

    private bool TryDescribe(byte* header, int block, out PacketDescriptor packet)
    {
        packet = default;
        var snapLength = (int)*(uint*)(header + SnapLengthOffset);
        var wireLength = *(uint*)(header + WireLengthOffset);
        if (header[AddressOffset + AddressPacketTypeOffset] == PACKET_OUTGOING)
        {
            // Our own transmissions, on kernels without PACKET_IGNORE_OUTGOING.
            return false;
        }
        if (snapLength != wireLength)
        {
            _truncated++;
            return false;
        }
        var status = *(uint*)(header + StatusOffset);
        // The descriptor's buffer starts after the kernel's header and sockaddr_ll, so headroom never reaches them.
        var buffer = header + HeaderLength;
        var dataOffset = *(ushort*)(header + MacOffset) - HeaderLength;
        if ((status & TP_STATUS_VLAN_VALID) != 0 && dataOffset >= 4 && snapLength >= 12)
        {
            // The kernel moved the 802.1Q tag into tp_vlan_tci; put it back where it was on the wire (IEEE 802.1Q
            // clause 9): after the two MAC addresses, so the pipeline sees the frame as sent.
            var tpid = (status & TP_STATUS_VLAN_TPID_VALID) != 0 ? *(ushort*)(header + VlanTpidOffset) : (ushort)0x8100;
            var tci = (ushort)*(uint*)(header + VlanTciOffset);
            var frame = buffer + dataOffset;
            Buffer.MemoryCopy(frame, frame - 4, 12, 12);
            BinaryPrimitives.WriteUInt16BigEndian(new Span<byte>(frame + 8, 2), tpid);
            BinaryPrimitives.WriteUInt16BigEndian(new Span<byte>(frame + 10, 2), tci);
            dataOffset -= 4;
            snapLength += 4;
        }
        packet.Attach(buffer, dataOffset + snapLength, dataOffset, snapLength, _ownerBase + block);
        packet.IngressPort = _portId;
        packet.Format = FrameFormat.Ethernet;
        if ((status & (TP_STATUS_CSUMNOTREADY | TP_STATUS_CSUM_VALID)) != 0)
        {
            // Sent from this host with the L4 checksum left for offload (the field holds only the pseudo-header sum),
            // or verified by the device: a tunnel endpoint must not check it again (TunnelUdpChecksum).
            packet.Flags = PacketFlags.ChecksumVouchedByPort;
        }
        packet.Timestamp = *(uint*)(header + SecondsOffset) * 1_000_000_000L + *(uint*)(header + NanosecondsOffset);
        _receivedPackets++;
        _receivedBytes += snapLength;
        return true;
    }

    /// <summary>Gives back a packet received from block <paramref name="block"/> of this queue.</summary>
    public void Free(int block)
    {
        if ((uint)block >= (uint)_blockCount || _outstanding[block] <= 0)
        {
            throw new InvalidOperationException($"AF_PACKET block {block} has no packet outstanding: double free or foreign descriptor.");
        }
        if (--_outstanding[block] == 0 && _walked[block] != 0)
        {
            ReleaseBlock(block);
        }
    }

    /// <summary>Takes frames from the start of <paramref name="packets"/> (sent or refused); returns how many.</summary>
    public int Send(Span<PacketDescriptor> packets) => _transmitter.Send(packets);

    /// <summary>Whether this queue transmits through a PACKET_TX_RING (rather than sendmmsg).</summary>
    public bool TransmitsThroughRing => _transmitter is RingTransmitter;

    public long ReceivedPackets => Volatile.Read(ref _receivedPackets);

    /// <summary>Receive-ring blocks user space holds (being walked, or with packets not freed yet), of <see cref="BlockCount"/>.</summary>
    public int HeldBlocks => Volatile.Read(ref _heldBlocks);

    public int BlockCount => _blockCount;
    public long ReceivedBytes => Volatile.Read(ref _receivedBytes);
    public long TransmittedPackets => _transmitter.TransmittedPackets;
    public long TransmittedBytes => _transmitter.TransmittedBytes;
    public long TransmitErrors => _transmitter.TransmitErrors;

    /// <summary>Kernel drops (ring full) since the queue opened plus frames larger than the ring could hold.</summary>
    public long ReceiveDrops
    {
        get
        {
            // PACKET_STATISTICS resets the kernel's counters on every read, so keep the running sum.
            uint* stats = stackalloc uint[3];
            uint length = 12;
            if (LibC.getsockopt(_socket, SOL_PACKET, PACKET_STATISTICS, stats, &length) == 0)
            {
                Interlocked.Add(ref _kernelDrops, stats[1]);
            }
            return Volatile.Read(ref _kernelDrops) + Volatile.Read(ref _truncated);
        }
    }

    private bool _disposed;

    public void Dispose()
    {
        // A port may be disposed twice (by its PortSet and by its opener): free native memory once.
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _transmitter.Dispose();
        LibC.munmap(_ring, _ringLength);
        LibC.close(_socket);
        NativeMemory.Free(_outstanding);
        NativeMemory.Free(_walked);
    }
}
