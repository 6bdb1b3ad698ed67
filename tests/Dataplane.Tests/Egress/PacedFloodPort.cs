using System.Diagnostics;
using Dataplane.Forwarding.Buffers;
using Dataplane.Runtime.Ports;

namespace Dataplane.Tests.Egress;

/// <summary>
/// A traffic source for the egress tests, as an in-memory port: every receive fills the batch with best-effort frames
/// (a flood as fast as the worker polls), and puts in front of them the paced frames that wall-clock time allows at
/// <c>pacedBitsPerSecond</c>, so the paced class offers exactly its rate whatever the poll rate. Frames are copied
/// into buffers of its own pool and freed back to it.
/// </summary>
internal sealed class PacedFloodPort(ushort id, byte[] floodFrame, byte[] pacedFrame, long pacedBitsPerSecond, int bufferCount = 8192) : IPacketPort
{
    private readonly PacketPool pool = new(bufferCount);
    private long start;
    private long pacedSent;

    public ushort Id => id;

    public string Name => "flood";

    public int QueueCount => 1;

    public long PacedOffered => Volatile.Read(ref pacedSent);

    public int BufferCount => pool.BufferCount;

    public int Available => pool.Available;

    public PortStatistics Statistics => new(0, 0, 0, 0, 0, 0);

    public int Receive(int queue, PacketBatch batch)
    {
        long now = Stopwatch.GetTimestamp();
        if (start == 0)
        {
            start = now;
        }

        long due = (long)((double)(now - start) / Stopwatch.Frequency * pacedBitsPerSecond / (pacedFrame.Length * 8));
        int taken = 0;
        while (pacedSent < due && Add(batch, pacedFrame))
        {
            pacedSent++;
            taken++;
        }

        while (Add(batch, floodFrame))
        {
            taken++;
        }

        return taken;
    }

    private bool Add(PacketBatch batch, byte[] frame)
    {
        var packet = default(PacketDescriptor);
        if (batch.IsFull || !pool.TryAllocate(ref packet))
        {
            return false;
        }

        packet.TrySetLength(frame.Length);
        frame.CopyTo(packet.Data);
        packet.IngressPort = id;
        batch.TryAdd(packet);
        return true;
    }

    public int Transmit(int queue, Span<PacketDescriptor> packets, PortSet owners) => 0;

    public void Free(ref PacketDescriptor packet) => pool.Free(ref packet);

    public void Dispose() => pool.Dispose();
}
