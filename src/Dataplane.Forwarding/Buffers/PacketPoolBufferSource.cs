namespace Dataplane.Forwarding.Buffers;

/// <summary>
/// Buffers from a <see cref="PacketPool"/>, handed out as belonging to the port <paramref name="ownerPort"/> (the
/// port whose Free returns them to this pool). Replay and the in-memory harnesses, where one pool backs every packet.
/// </summary>
public sealed class PacketPoolBufferSource(PacketPool pool, ushort ownerPort) : IPacketBufferSource
{
    public bool TryAllocate(out PacketDescriptor packet)
    {
        packet = default;
        if (!pool.TryAllocate(ref packet))
        {
            return false;
        }

        packet.IngressPort = ownerPort;
        return true;
    }
}
