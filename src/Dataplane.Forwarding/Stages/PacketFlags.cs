namespace Dataplane.Forwarding.Stages;

/// <summary>Bits of <see cref="Buffers.PacketDescriptor.Flags"/> that stages set for later stages.</summary>
public static class PacketFlags
{
    /// <summary>A decapsulation stage stripped a tunnel header: the frame now starts at the inner packet (no L2 header), whose offsets are in L3Offset/L4Offset.</summary>
    public const byte Decapsulated = 0x01;

    /// <summary>The packet came out of a LISP tunnel (ETR/RTR path), so the ITR only re-encapsulates it on an RTR.</summary>
    public const byte FromLispTunnel = 0x02;

    /// <summary>
    /// Set by the receiving port: the L4 checksum needs no check. The kernel verified it, or the frame was sent from
    /// this host with the checksum left for offload, so the field holds only the pseudo-header sum (AF_PACKET's
    /// TP_STATUS_CSUM_VALID and TP_STATUS_CSUMNOTREADY). See <see cref="TunnelUdpChecksum"/>.
    /// </summary>
    public const byte ChecksumVouchedByPort = 0x04;

    /// <summary>The packet left an NSH service path at its end: a traffic rule does not put it on a path again (no loop through the functions).</summary>
    public const byte FromServicePath = 0x08;
}
