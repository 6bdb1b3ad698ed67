using System.Runtime.InteropServices;

namespace DpdkSharp;

/// <summary>Where a frame sits in its mbuf, as <c>shim_mbuf_layouts</c> fills it (struct shim_mbuf_layout in dpdk_shim.c).</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct MbufLayout
{
    /// <summary><c>buf_addr</c>: start of the mbuf's data buffer (headroom included).</summary>
    public byte* BufferAddress;

    /// <summary><c>buf_len</c>.</summary>
    public ushort BufferLength;

    /// <summary><c>data_off</c>: where the frame starts (the headroom).</summary>
    public ushort DataOffset;

    /// <summary><c>data_len</c>: bytes of the frame in this (first) segment.</summary>
    public ushort DataLength;

    /// <summary><c>nb_segs</c>: more than 1 only for scattered frames, which we do not configure.</summary>
    public ushort SegmentCount;
}
