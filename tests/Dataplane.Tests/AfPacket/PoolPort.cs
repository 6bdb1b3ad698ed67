using Dataplane.Forwarding.Buffers;
using Dataplane.Runtime.Ports;

namespace Dataplane.Tests.AfPacket;

/// <summary>A port that only owns a <see cref="PacketPool"/>: stands for "another port's buffers" when a test transmits.</summary>
internal sealed class PoolPort(ushort id, PacketPool pool) : IPacketPort
{
    public ushort Id => id;

    public string Name => "pool";

    public int QueueCount => 1;

    public PortStatistics Statistics => default;

    public int Receive(int queue, PacketBatch batch) => 0;

    public int Transmit(int queue, Span<PacketDescriptor> packets, PortSet owners) => 0;

    public void Free(ref PacketDescriptor packet) => pool.Free(ref packet);

    public void Dispose()
    {
    }
}
