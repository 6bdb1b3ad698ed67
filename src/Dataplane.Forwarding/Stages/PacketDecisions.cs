using System.Runtime.CompilerServices;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;

namespace Dataplane.Forwarding.Stages;

/// <summary>The three ends a stage gives a packet, written the same way everywhere.</summary>
public static class PacketDecisions
{
    /// <summary>Not dropped and not decided yet: a stage may still take it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsPending(this in PacketDescriptor packet) => packet.DropReason == 0 && packet.Disposition == PacketDisposition.Pending;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Drop(this ref PacketDescriptor packet, DropReason reason, WorkerCounters counters)
    {
        packet.DropReason = (byte)reason;
        counters.Drop(reason);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transmit(this ref PacketDescriptor packet, ushort port)
    {
        packet.Disposition = PacketDisposition.Transmit;
        packet.EgressPort = port;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Punt(this ref PacketDescriptor packet) => packet.Disposition = PacketDisposition.Punt;
}
