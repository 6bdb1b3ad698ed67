using System.Runtime.InteropServices;
using Dataplane.Forwarding.Buffers;
using static Dataplane.Ports.AfPacket.LinuxPacket;

namespace Dataplane.Ports.AfPacket;

/// <summary>
/// Transmit through sendmmsg(2): one system call per burst, the kernel copies each frame into an skb of its own.
/// </summary>
/// <remarks>
/// Kept for where a <see cref="RingTransmitter"/> cannot be had: kernels before 4.11 refuse a PACKET_TX_RING on a
/// TPACKET_V3 socket, and the receive ring needs TPACKET_V3; and for users who turn the ring off
/// (<see cref="AfPacketOptions.TransmitFrameCount"/> = 0).
/// </remarks>
internal sealed unsafe class MessageTransmitter : IQueueTransmitter
{
    /// <summary>Frames per sendmmsg call at most: a forwarding burst (<see cref="PacketBatch.MaxCapacity"/>).</summary>
    private const int Burst = PacketBatch.MaxCapacity;
    private const int MessageSize = 64;
    private const int VectorSize = 16;

    private readonly int _socket;

    // One mmsghdr and one iovec per frame, allocated once.
    private readonly byte* _messages;
    private readonly byte* _vectors;

    private long _transmittedPackets;
    private long _transmittedBytes;
    private long _transmitErrors;

    public MessageTransmitter(int socket)
    {
        _socket = socket;
        _messages = (byte*)NativeMemory.AllocZeroed((nuint)(Burst * MessageSize));
        _vectors = (byte*)NativeMemory.AllocZeroed((nuint)(Burst * VectorSize));
        for (var i = 0; i < Burst; i++)
        {
            // msghdr.msg_iov at 16, msg_iovlen at 24; the socket is bound, so no msg_name.
            var message = _messages + i * MessageSize;
            *(byte**)(message + 16) = _vectors + i * VectorSize;
            *(nuint*)(message + 24) = 1;
        }
    }

    public int Send(Span<PacketDescriptor> packets)
    {
        var count = Math.Min(packets.Length, Burst);
        if (count == 0)
        {
            return 0;
        }
        for (var i = 0; i < count; i++)
        {
            var vector = _vectors + i * VectorSize;
            ref var packet = ref packets[i];
            *(byte**)vector = packet.Buffer + packet.DataOffset;
            *(nuint*)(vector + 8) = (nuint)packet.Length;
        }
        var sent = LibC.sendmmsg(_socket, _messages, (uint)count, MSG_DONTWAIT);
        if (sent < 0)
        {
            // EAGAIN / ENOBUFS: the device queue is full; the caller keeps the frames.
            _transmitErrors++;
            return 0;
        }
        for (var i = 0; i < sent; i++)
        {
            _transmittedBytes += packets[i].Length;
        }
        _transmittedPackets += sent;
        return sent;
    }

    /// <summary>Nothing waits: sendmmsg either took a frame or left it with the caller.</summary>
    public void Flush()
    {
    }

    public long TransmittedPackets => Volatile.Read(ref _transmittedPackets);
    public long TransmittedBytes => Volatile.Read(ref _transmittedBytes);

    /// <summary>sendmmsg calls that failed as a whole (their frames stayed with the caller).</summary>
    public long TransmitErrors => Volatile.Read(ref _transmitErrors);

    public void Dispose()
    {
        NativeMemory.Free(_messages);
        NativeMemory.Free(_vectors);
    }
}
