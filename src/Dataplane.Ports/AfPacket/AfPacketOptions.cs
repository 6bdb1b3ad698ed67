namespace Dataplane.Ports.AfPacket;

/// <summary>How an <see cref="AfPacketPort"/> sizes its rings (a TPACKET_V3 receive ring and a transmit ring per queue) and sends.</summary>
public sealed record AfPacketOptions
{
    /// <summary>Bytes per receive ring block; a multiple of the page size. Default 256 KiB.</summary>
    public int BlockSize { get; init; } = 256 * 1024;

    /// <summary>Blocks per queue's receive ring. Default 64 (16 MiB per queue).</summary>
    public int BlockCount { get; init; } = 64;

    /// <summary>Nominal frame size the kernel checks the receive ring geometry with (TPACKET_V3 packs frames of any size).</summary>
    public int FrameSize { get; init; } = 2048;

    /// <summary>
    /// Milliseconds after which the kernel hands a partly filled block to us: bounds the latency of a quiet link.
    /// </summary>
    public int BlockTimeoutMilliseconds { get; init; } = 2;

    /// <summary>Bytes of headroom, beyond the kernel's own header, in front of every received frame (PACKET_RESERVE).</summary>
    public int Reserve { get; init; } = 128;

    /// <summary>Put the interface into promiscuous mode (PACKET_MR_PROMISC) while the port is open.</summary>
    public bool Promiscuous { get; init; } = true;

    /// <summary>
    /// Bytes per transmit ring slot, a multiple of 16: the kernel's 48-byte header, a 10-byte virtio_net_hdr, then
    /// the frame. Default 2048, so frames up to 1990 bytes (MTU 1500 plus up to 476 bytes of encapsulation); a longer
    /// frame is refused and counted as a transmit error. For jumbo frames raise it past MTU + 18 + 58 (e.g. 9088 for
    /// MTU 9000); each slot then takes pages of its own.
    /// </summary>
    public int TransmitFrameSize { get; init; } = 2048;

    /// <summary>
    /// Slots per queue's transmit ring (rounded up to whole pages of slots). Default 1024 (2 MiB per queue): four
    /// forwarding bursts in flight before Transmit takes fewer frames than offered. 0: no transmit ring, sendmmsg(2)
    /// (what the port also does when the kernel refuses the ring: before 4.11 it has none next to a TPACKET_V3
    /// receive ring).
    /// </summary>
    public int TransmitFrameCount { get; init; } = 1024;

    /// <summary>
    /// PACKET_QDISC_BYPASS: transmitted frames go straight to the driver, skipping the interface's traffic control
    /// (tc) qdisc and the packet taps (tcpdump on the interface does not see them). Off is what a router's operator
    /// would expect (tc on the egress applies, tcpdump sees what is forwarded), but with it off the LISP interop tests
    /// against OOR (RLOC probing, SMR) failed, for a reason not found yet; so it stays on, as before, until that is
    /// understood. On an interface whose qdisc is noqueue (veth, VLAN and bridge devices) it skips only the taps.
    /// </summary>
    public bool QdiscBypass { get; init; } = true;
}
