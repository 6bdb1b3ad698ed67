using Dataplane.Forwarding.Buffers;
using Dataplane.Runtime.Ports;

namespace Dataplane.Tests.Replication;

/// <summary>
/// An in-memory port that copies both ways, as AF_PACKET and libpcap ports do: each <see cref="Receive"/> copies the
/// frames it was given into buffers of its own pool; <see cref="Transmit"/> takes every packet, counts it (and keeps a
/// copy of its bytes when asked) and frees its buffer to its owner.
/// </summary>
internal sealed class MemoryPort(ushort id, int bufferCount = 1024, bool keepFrames = false) : IPacketPort
{
    private readonly PacketPool pool = new(bufferCount);

    /// <summary>What the next Receive calls deliver, the whole list each time.</summary>
    public IReadOnlyList<byte[]> Incoming { get; set; } = [];

    public List<byte[]> Sent { get; } = [];

    public long SentCount { get; private set; }

    public long SentBytes { get; private set; }

    public int Available => pool.Available;

    public int BufferCount => pool.BufferCount;

    public ushort Id => id;

    public string Name => $"memory{id}";

    public int QueueCount => 1;

    public PortStatistics Statistics => new(0, 0, SentCount, SentBytes, 0, 0);

    public int Receive(int queue, PacketBatch batch)
    {
        int taken = 0;
        var incoming = Incoming;
        for (int i = 0; i < incoming.Count; i++) // by index: an interface's enumerator would allocate per call
        {
            var frame = incoming[i];
            var packet = default(PacketDescriptor);
            if (batch.IsFull || !pool.TryAllocate(ref packet))
            {
                break;
            }

            packet.TrySetLength(frame.Length);
            frame.CopyTo(packet.Data);
            packet.IngressPort = id;
            batch.TryAdd(packet);
            taken++;
        }

        return taken;
    }

    public int Transmit(int queue, Span<PacketDescriptor> packets, PortSet owners)
    {
        foreach (ref var packet in packets)
        {
            SentCount++;
            SentBytes += packet.Length;
            if (keepFrames)
            {
                Sent.Add(packet.Data.ToArray());
            }

            owners.Free(ref packet);
        }

        return packets.Length;
    }

    public void Free(ref PacketDescriptor packet) => pool.Free(ref packet);

    public void Dispose() => pool.Dispose();
}
