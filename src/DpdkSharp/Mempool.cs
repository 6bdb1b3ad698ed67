using System.Runtime.InteropServices;

namespace DpdkSharp;

/// <summary>An mbuf pool (<c>rte_pktmbuf_pool_create</c>); lives as long as the process (DPDK frees it at EAL cleanup).</summary>
public sealed unsafe class Mempool
{
    private static int created;

    private Mempool(nint handle, string name)
    {
        Handle = handle;
        Name = name;
    }

    /// <summary>
    /// Pools created in this process. With one, every mbuf a DPDK port received is from it, so transmit can skip
    /// asking each mbuf for its pool.
    /// </summary>
    public static int Created => Volatile.Read(ref created);

    /// <summary>The <c>struct rte_mempool*</c>.</summary>
    public nint Handle { get; }

    public string Name { get; }

    /// <summary>Creates a pool of <paramref name="count"/> mbufs of the default data room (2048 bytes + headroom).</summary>
    public static Mempool Create(string name, int count, int cache = 256)
    {
        var nativeName = Marshal.StringToCoTaskMemUTF8(name);
        try
        {
            var handle = Native.PoolCreate((byte*)nativeName, (uint)count, (uint)Math.Min(cache, 512));
            if (handle == 0)
            {
                int error = Native.Errno();
                throw new DpdkException($"rte_pktmbuf_pool_create({name}, {count} mbufs) failed: {Native.ErrorText(error)} (rte_errno {error}); more memory (-m) or fewer mbufs (dpdk.mbufCount)?");
            }

            Interlocked.Increment(ref created);
            return new Mempool(handle, name);
        }
        finally
        {
            Marshal.FreeCoTaskMem(nativeName);
        }
    }
}
