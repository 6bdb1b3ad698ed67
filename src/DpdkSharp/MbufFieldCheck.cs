using System.Runtime.InteropServices;

namespace DpdkSharp;

/// <summary>
/// Checks <see cref="Mbuf"/>'s compiled-in field offsets against those the shim reports (<c>shim_mbuf_fields</c>,
/// offsetof() in the DPDK it was built with). A different DPDK release or build option (e.g. RTE_IOVA_AS_PA off,
/// which moves <c>next</c>) would otherwise have .NET read and write the wrong bytes of every mbuf.
/// </summary>
public static unsafe class MbufFieldCheck
{
    /// <summary>The fields as <c>struct shim_mbuf_fields</c> lays them out (dpdk_shim.c), in order.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Reported
    {
        public uint Count;
        public uint Size;
        public uint BufferAddress;
        public uint BufferLength;
        public uint DataOffset;
        public uint ReferenceCount;
        public uint SegmentCount;
        public uint Port;
        public uint OffloadFlags;
        public uint PacketLength;
        public uint DataLength;
        public uint Pool;
        public uint Next;
        public uint TxOffload;
        public uint Headroom;
    }

    /// <summary>What the shim reports.</summary>
    public static Reported Read()
    {
        Reported reported;
        Native.MbufFields(&reported);
        return reported;
    }

    /// <summary>The fields whose offset differs from <see cref="Mbuf"/>'s, as "name: shim N, DpdkSharp M"; empty when all agree.</summary>
    public static List<string> Mismatches(in Reported reported)
    {
        var problems = new List<string>();
        uint expectedCount = (uint)(sizeof(Reported) / sizeof(uint));
        if (reported.Count < expectedCount)
        {
            problems.Add($"the shim reports {reported.Count} of {expectedCount} fields (libdpdkshim.so is older than DpdkSharp)");
            return problems;
        }

        void Compare(string name, uint shim, int ours)
        {
            if (shim != (uint)ours)
            {
                problems.Add($"{name}: shim {shim}, DpdkSharp {ours}");
            }
        }

        Compare("sizeof(struct rte_mbuf)", reported.Size, Mbuf.Size);
        Compare("buf_addr", reported.BufferAddress, Mbuf.BufferAddressOffset);
        Compare("buf_len", reported.BufferLength, Mbuf.BufferLengthOffset);
        Compare("data_off", reported.DataOffset, Mbuf.DataOffsetOffset);
        Compare("refcnt", reported.ReferenceCount, Mbuf.ReferenceCountOffset);
        Compare("nb_segs", reported.SegmentCount, Mbuf.SegmentCountOffset);
        Compare("port", reported.Port, Mbuf.PortOffset);
        Compare("ol_flags", reported.OffloadFlags, Mbuf.OffloadFlagsOffset);
        Compare("pkt_len", reported.PacketLength, Mbuf.PacketLengthOffset);
        Compare("data_len", reported.DataLength, Mbuf.DataLengthOffset);
        Compare("pool", reported.Pool, Mbuf.PoolOffset);
        Compare("next", reported.Next, Mbuf.NextOffset);
        Compare("tx_offload", reported.TxOffload, Mbuf.TxOffloadOffset);
        Compare("RTE_PKTMBUF_HEADROOM", reported.Headroom, Mbuf.Headroom);
        return problems;
    }

    /// <summary>Throws <see cref="DpdkException"/> naming every field that differs.</summary>
    public static void Verify()
    {
        var problems = Mismatches(Read());
        if (problems.Count > 0)
        {
            throw new DpdkException(
                "the rte_mbuf layout of this DPDK differs from the one DpdkSharp reads and writes (DPDK 22.11, 64-bit): " +
                string.Join("; ", problems) + ". Build against DPDK 22.11 or update src/DpdkSharp/Mbuf.cs to the offsets the shim reports.");
        }
    }
}
