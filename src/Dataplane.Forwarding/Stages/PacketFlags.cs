namespace Dataplane.Forwarding.Stages;

/// <summary>Bits of <see cref="Buffers.PacketDescriptor.Flags"/> that stages set for later stages.</summary>
public static class PacketFlags
{
    /// <summary>A decapsulation stage stripped a tunnel header: the frame now starts at the inner packet (no L2 header), whose offsets are in L3Offset/L4Offset.</summary>
    public const byte Decapsulated = 0x01;

    /// <summary>The packet came out of a LISP tunnel (ETR/RTR path), so the ITR only re-encapsulates it on an RTR.</summary>
    public const byte FromLispTunnel = 0x02;
}
