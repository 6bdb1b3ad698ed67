using System.Runtime.InteropServices;

namespace DpdkSharp;

/// <summary>An mbuf pool (<c>rte_pktmbuf_pool_create</c>); lives as long as the process (DPDK frees it at EAL cleanup).</summary>
public sealed unsafe class Mempool
{
    private Mempool(nint handle, string name)
    {
        Handle = handle;
        Name = name;
    }

    /// <summary>The <c>struct rte_mempool*</c>.</summary>
    public nint Handle { get; }

    public string Name { get; }

    /// <summary>Mbufs taken from the pool now (<c>rte_mempool_in_use_count</c>; mbufs in per-lcore caches are free).</summary>
    public long InUse => Native.PoolInUse(Handle);

    /// <summary>Mbufs the pool was created with.</summary>
    public long Capacity => Native.PoolSize(Handle);

    /// <summary>One mbuf of the pool, its frame empty at the default headroom; 0 when the pool is empty. Not for the fast path.</summary>
    public nint Allocate()
    {
        nint mbuf;
        return Native.AllocBulk(Handle, &mbuf, 1) == 0 ? mbuf : 0;
    }

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

            return new Mempool(handle, name);
        }
        finally
        {
            Marshal.FreeCoTaskMem(nativeName);
        }
    }
}
