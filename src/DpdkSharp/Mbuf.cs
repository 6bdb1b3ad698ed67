using System.Runtime.CompilerServices;

namespace DpdkSharp;

/// <summary>
/// The fields of an <c>rte_mbuf</c> a packet needs, read and written in place: where the frame sits (buf_addr,
/// buf_len, data_off, data_len, pkt_len), how many segments it has and which pool it came from. The offsets are
/// DPDK 22.11's on a 64-bit build (rte_mbuf_core.h), compiled in so that every access is one load or store at a
/// constant offset, with no call into the shim per burst or per packet. <see cref="MbufFieldCheck"/> compares them
/// with what the shim reports for the DPDK it was built against, once at EAL init, and refuses to go on when they
/// differ.
/// </summary>
public static unsafe class Mbuf
{
    /// <summary><c>sizeof(struct rte_mbuf)</c>: two cache lines.</summary>
    public const int Size = 128;

    public const int BufferAddressOffset = 0;
    public const int DataOffsetOffset = 16;
    public const int ReferenceCountOffset = 18;
    public const int SegmentCountOffset = 20;
    public const int PortOffset = 22;
    public const int OffloadFlagsOffset = 24;
    public const int PacketLengthOffset = 36;
    public const int DataLengthOffset = 40;
    public const int BufferLengthOffset = 54;
    public const int PoolOffset = 56;
    public const int NextOffset = 64;
    public const int TxOffloadOffset = 72;

    /// <summary>RTE_PKTMBUF_HEADROOM: where a fresh mbuf's frame starts.</summary>
    public const int Headroom = 128;

    /// <summary><c>buf_addr</c>: start of the data buffer, headroom included.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte* BufferAddress(nint mbuf) => *(byte**)(mbuf + BufferAddressOffset);

    /// <summary><c>buf_len</c>: bytes of the data buffer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort BufferLength(nint mbuf) => *(ushort*)(mbuf + BufferLengthOffset);

    /// <summary><c>data_off</c>: where the frame starts in the buffer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort DataOffset(nint mbuf) => *(ushort*)(mbuf + DataOffsetOffset);

    /// <summary><c>data_len</c>: bytes of the frame in this (first) segment.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort DataLength(nint mbuf) => *(ushort*)(mbuf + DataLengthOffset);

    /// <summary><c>pkt_len</c>: bytes of the whole frame, all segments.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint PacketLength(nint mbuf) => *(uint*)(mbuf + PacketLengthOffset);

    /// <summary><c>nb_segs</c>: 1 unless the driver scattered a frame over a chain of mbufs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort SegmentCount(nint mbuf) => *(ushort*)(mbuf + SegmentCountOffset);

    /// <summary><c>pool</c>: the <c>struct rte_mempool*</c> the mbuf goes back to.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nint Pool(nint mbuf) => *(nint*)(mbuf + PoolOffset);

    /// <summary>
    /// Where a single-segment frame now starts and how long it is, after headers were prepended into the headroom
    /// or stripped in place: <c>rte_pktmbuf_prepend</c> / <c>_adj</c> / <c>_append</c> given absolute numbers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SetData(nint mbuf, ushort dataOffset, ushort length)
    {
        *(ushort*)(mbuf + DataOffsetOffset) = dataOffset;
        *(ushort*)(mbuf + DataLengthOffset) = length;
        *(uint*)(mbuf + PacketLengthOffset) = length;
    }
}
