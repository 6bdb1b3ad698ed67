namespace Dataplane.Ports.AfPacket;

/// <summary>How an <see cref="AfPacketPort"/> sizes its TPACKET_V3 receive rings.</summary>
public sealed record AfPacketOptions
{
    /// <summary>Bytes per ring block; a multiple of the page size. Default 256 KiB.</summary>
    public int BlockSize { get; init; } = 256 * 1024;

    /// <summary>Blocks per queue's ring. Default 64 (16 MiB per queue).</summary>
    public int BlockCount { get; init; } = 64;

    /// <summary>Nominal frame size the kernel checks the ring geometry with (TPACKET_V3 packs frames of any size).</summary>
    public int FrameSize { get; init; } = 2048;

    /// <summary>
    /// Milliseconds after which the kernel hands a partly filled block to us: bounds the latency of a quiet link.
    /// </summary>
    public int BlockTimeoutMilliseconds { get; init; } = 2;

    /// <summary>Bytes of headroom, beyond the kernel's own header, in front of every received frame (PACKET_RESERVE).</summary>
    public int Reserve { get; init; } = 128;

    /// <summary>Put the interface into promiscuous mode (PACKET_MR_PROMISC) while the port is open.</summary>
    public bool Promiscuous { get; init; } = true;

    /// <summary>Frames per sendmmsg call at most.</summary>
    public int TransmitBurst { get; init; } = 256;
}
