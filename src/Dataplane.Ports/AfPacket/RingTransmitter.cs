using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Dataplane.Forwarding.Buffers;
using static Dataplane.Ports.AfPacket.LinuxPacket;

namespace Dataplane.Ports.AfPacket;

/// <summary>
/// Transmit through a memory-mapped PACKET_TX_RING: each frame is copied into a free slot marked
/// TP_STATUS_SEND_REQUEST, and one send(fd, NULL, 0, MSG_DONTWAIT) per burst makes the kernel take every such slot.
/// A slot is ours again once the kernel has set it back to TP_STATUS_AVAILABLE (when it frees the skb).
/// </summary>
/// <remarks>
/// <para>
/// Slots are filled in ring order, and the kernel takes them in the same order, only inside our send(): after the
/// kick, every slot it has not taken still reads SEND_REQUEST, from the first such slot on. That gives three
/// consecutive runs, tracked by two counts: slots the kernel has taken and not yet given back, slots it has not taken
/// yet (it was busy: the device queue or the socket's send buffer was full, or the link was down), then free slots.
/// Slots it has not taken go on the next kick, from <see cref="Send"/> or from <see cref="Flush"/> (called on every
/// receive poll), so a burst the kernel could not finish does not wait for more traffic.
/// </para>
/// <para>
/// PACKET_LOSS is on: a frame the kernel refuses (tpacket_parse_header / tpacket_fill_skb) is set back to
/// TP_STATUS_AVAILABLE and skipped. Without it the kernel would mark it TP_STATUS_WRONG_FORMAT and stop at that slot
/// for good, since its ring position moves only past frames it sent, and every later frame would wait behind it.
/// With a virtio_net_hdr the kernel no longer checks a frame against the MTU at all, and a frame the driver then
/// drops (veth refuses one beyond MTU + 18) is put back in SEND_REQUEST and retried at every kick. So what a link
/// would refuse is refused here before the copy and counted as a transmit error: a frame shorter than an Ethernet
/// header, longer than a slot, or longer than the interface MTU plus the Ethernet header (plus 4 bytes when it
/// carries an 802.1Q tag), the MTU being read again every second.
/// </para>
/// </remarks>
internal sealed unsafe class RingTransmitter : IQueueTransmitter
{
    private const long MtuRefreshMilliseconds = 1000;

    private readonly int _socket;
    private readonly byte** _slots;
    private readonly int _slotCount;
    private readonly int _slotRoom;

    // struct ifreq with the interface name, for SIOCGIFMTU.
    private readonly byte* _interfaceRequest;
    private int _largestUntagged;
    private long _mtuReadAt;

    // The oldest slot the kernel has taken and not given back; how many it holds; how many we filled that it has not
    // taken yet (they follow); the next free slot follows those.
    private int _oldest;
    private int _held;
    private int _waiting;
    private int _next;

    private long _transmittedPackets;
    private long _transmittedBytes;
    private long _transmitErrors;

    /// <param name="socket">The bound packet socket, PACKET_TX_RING set up with <paramref name="layout"/> and PACKET_LOSS on.</param>
    /// <param name="ring">Where the transmit ring is mapped (after the receive ring, in the same mapping).</param>
    public RingTransmitter(int socket, byte* ring, TransmitRingLayout layout, string interfaceName)
    {
        _socket = socket;
        _slotCount = layout.FrameCount;
        _slotRoom = layout.FrameSize - TransmitDataOffset - VirtioHeaderLength;
        _slots = (byte**)NativeMemory.Alloc((nuint)_slotCount, (nuint)sizeof(byte*));
        for (var i = 0; i < _slotCount; i++)
        {
            _slots[i] = ring + layout.FrameOffset(i);
        }
        _interfaceRequest = (byte*)NativeMemory.AllocZeroed(InterfaceRequestSize);
        var name = Encoding.UTF8.GetBytes(interfaceName);
        name.AsSpan(0, Math.Min(name.Length, InterfaceNameSize - 1)).CopyTo(new Span<byte>(_interfaceRequest, InterfaceNameSize));
        // Until the MTU is known, a slot is the only bound (the kernel can always be asked: this is for a vanishing interface).
        _largestUntagged = _slotRoom;
        ReadMtu();
    }

    /// <summary>Slots in the ring.</summary>
    public int SlotCount => _slotCount;

    public int Send(Span<PacketDescriptor> packets)
    {
        Reclaim();
        var now = Environment.TickCount64;
        if (now - _mtuReadAt >= MtuRefreshMilliseconds)
        {
            ReadMtu();
        }

        var take = Math.Min(packets.Length, _slotCount - _held - _waiting);
        var next = _next;
        var filled = 0;
        long bytes = 0;
        for (var i = 0; i < take; i++)
        {
            ref var packet = ref packets[i];
            var length = packet.Length;
            var frame = packet.Buffer + packet.DataOffset;
            if (!KernelAccepts(frame, length))
            {
                _transmitErrors++;
                continue;
            }
            var slot = _slots[next];
            // virtio_net_hdr: no offload asked; hdr_len = the whole frame, which the kernel then copies into the
            // skb's own data instead of pointing the skb at the slot's page. Such a fragment is copied again,
            // into a freshly allocated page, wherever the frame stays in the host (veth, a bridge to a local port).
            var virtio = slot + TransmitDataOffset;
            *(ulong*)virtio = 0;
            *(ushort*)(virtio + 8) = 0;
            BinaryPrimitives.WriteUInt16LittleEndian(new Span<byte>(virtio + VirtioHeaderLengthOffset, 2), (ushort)length);
            Buffer.MemoryCopy(frame, virtio + VirtioHeaderLength, _slotRoom, length);
            *(uint*)(slot + WireLengthOffset) = (uint)(VirtioHeaderLength + length);
            // The release store orders the frame and its length before the kernel can see the slot as ready.
            Volatile.Write(ref *(uint*)(slot + StatusOffset), TP_STATUS_SEND_REQUEST);
            next = next + 1 == _slotCount ? 0 : next + 1;
            bytes += length;
            filled++;
        }
        _next = next;
        _waiting += filled;
        _transmittedPackets += filled;
        _transmittedBytes += bytes;
        if (_waiting > 0)
        {
            Kick();
        }
        return take;
    }

    public void Flush()
    {
        if (_waiting > 0)
        {
            Kick();
        }
    }

    private void Kick()
    {
        // Errors leave the frames in SEND_REQUEST (EAGAIN/ENOBUFS: send buffer or device queue full; ENETDOWN): they go
        // with the next kick. So the result says nothing the slots do not.
        LibC.send(_socket, null, 0, MSG_DONTWAIT);
        var first = _oldest + _held;
        if (first >= _slotCount)
        {
            first -= _slotCount;
        }
        while (_waiting > 0 && Volatile.Read(ref *(uint*)(_slots[first] + StatusOffset)) != TP_STATUS_SEND_REQUEST)
        {
            first = first + 1 == _slotCount ? 0 : first + 1;
            _waiting--;
            _held++;
        }
    }

    private void Reclaim()
    {
        while (_held > 0)
        {
            // The acquire load orders our later writes into the slot after the kernel is done with it.
            var status = Volatile.Read(ref *(uint*)(_slots[_oldest] + StatusOffset)) & ~TP_STATUS_TIMESTAMP_FLAGS;
            if (status != TP_STATUS_AVAILABLE)
            {
                break;
            }
            _oldest = _oldest + 1 == _slotCount ? 0 : _oldest + 1;
            _held--;
        }
    }

    private bool KernelAccepts(byte* frame, int length)
    {
        if (length < EthernetHeaderLength || length > _slotRoom)
        {
            return false;
        }
        if (length <= _largestUntagged)
        {
            return true;
        }
        return length <= _largestUntagged + VlanTagLength
            && BinaryPrimitives.ReadUInt16BigEndian(new ReadOnlySpan<byte>(frame + 12, 2)) == EtherTypeVlan;
    }

    private void ReadMtu()
    {
        _mtuReadAt = Environment.TickCount64;
        if (LibC.ioctl(_socket, SIOCGIFMTU, _interfaceRequest) == 0)
        {
            _largestUntagged = *(int*)(_interfaceRequest + InterfaceRequestMtuOffset) + EthernetHeaderLength;
        }
    }

    public long TransmittedPackets => Volatile.Read(ref _transmittedPackets);
    public long TransmittedBytes => Volatile.Read(ref _transmittedBytes);

    /// <summary>Frames refused because the kernel would not send them (too short, longer than a slot or the MTU).</summary>
    public long TransmitErrors => Volatile.Read(ref _transmitErrors);

    public void Dispose()
    {
        // What the kernel has not taken yet goes now; closing the socket would drop it.
        Flush();
        NativeMemory.Free(_slots);
        NativeMemory.Free(_interfaceRequest);
    }
}
