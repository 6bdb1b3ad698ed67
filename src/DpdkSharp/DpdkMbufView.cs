using System.Runtime.InteropServices;

namespace DpdkSharp;

/// <summary>
/// An mbuf as DPDK's own inline accessors see it (<c>rte_pktmbuf_mtod</c>, <c>_pkt_len</c>, <c>_data_len</c>,
/// <c>_headroom</c>, <c>rte_mbuf_check</c>), through the shim: what the fields <see cref="Mbuf"/> reads and writes
/// in place are checked against. Not for the fast path (one call per mbuf).
/// </summary>
/// <param name="Frame">rte_pktmbuf_mtod: where DPDK thinks the frame starts.</param>
/// <param name="FrameOffset">rte_pktmbuf_mtod minus buf_addr.</param>
/// <param name="Problem">rte_mbuf_check's complaint, or null when it finds the mbuf sane.</param>
public readonly record struct DpdkMbufView(nint Frame, ulong FrameOffset, ulong PacketLength, ulong DataLength, ulong Headroom, string? Problem)
{
    public static unsafe DpdkMbufView Of(nint mbuf)
    {
        ulong* values = stackalloc ulong[5];
        byte* reason;
        int verdict = Native.MbufInspect(mbuf, values, &reason);
        string? problem = verdict == 0 ? null : Marshal.PtrToStringUTF8((nint)reason) ?? $"rte_mbuf_check {verdict}";
        return new DpdkMbufView((nint)values[4], values[0], values[1], values[2], values[3], problem);
    }

    /// <summary><c>rte_pktmbuf_prepend</c>: false when the headroom is too small.</summary>
    public static bool Prepend(nint mbuf, int count) => Native.MbufPrepend(mbuf, (ushort)count) == 0;

    /// <summary><c>rte_pktmbuf_adj</c>: false when the frame is shorter.</summary>
    public static bool Adjust(nint mbuf, int count) => Native.MbufAdj(mbuf, (ushort)count) == 0;
}
