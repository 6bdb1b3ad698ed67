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

    /// <summary>
    /// The last step of every decapsulation (LISP, VXLAN L3, GTP-U): strip everything in front of the inner IP packet
    /// (no copy, the start moves), cut what follows it (Ethernet padding, bytes a length field covered past it), and
    /// describe it for the later stages: native kind, its offsets (<paramref name="innerHeaderLength"/> 0 when there
    /// is no L4 header to point at), its instance, and the Decapsulated flag plus <paramref name="extraFlags"/>. It
    /// stays pending, for routing (or an RTR's re-encapsulation). The caller has validated the inner header.
    /// </summary>
    public static void HandOffInner(this ref PacketDescriptor packet, int innerStart, int innerLength, PacketKind kind, int innerHeaderLength,
        uint instanceId, byte extraFlags = 0)
    {
        packet.TryAdjust(innerStart);
        if (packet.Length > innerLength)
        {
            packet.TryTrim(packet.Length - innerLength);
        }

        packet.Kind = kind;
        packet.L2Offset = (ushort)packet.DataOffset;
        packet.L3Offset = (ushort)packet.DataOffset;
        packet.L4Offset = innerHeaderLength == 0 ? (ushort)0 : (ushort)(packet.DataOffset + innerHeaderLength);
        packet.InnerL3Offset = 0;
        packet.InnerL4Offset = 0;
        packet.InstanceId = instanceId;
        packet.Flags |= (byte)(PacketFlags.Decapsulated | extraFlags);
    }
}
