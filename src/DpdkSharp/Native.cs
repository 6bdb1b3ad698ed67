using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DpdkSharp;

/// <summary>
/// The functions of native/dpdk-shim (libdpdkshim.so), which wraps DPDK's inline fast path. Blittable arguments
/// only (pointers, integers), so no call marshals anything; the burst calls skip the GC transition because they
/// never block and never call back.
/// </summary>
public static unsafe partial class Native
{
    public const string Library = "dpdkshim";

    [LibraryImport(Library, EntryPoint = "shim_eal_init")]
    public static partial int EalInit(int argc, byte** argv);

    [LibraryImport(Library, EntryPoint = "shim_errno")]
    public static partial int Errno();

    [LibraryImport(Library, EntryPoint = "shim_strerror")]
    public static partial byte* StrError(int error);

    [LibraryImport(Library, EntryPoint = "shim_pool_create")]
    public static partial nint PoolCreate(byte* name, uint count, uint cache);

    [LibraryImport(Library, EntryPoint = "shim_pool_in_use")]
    public static partial uint PoolInUse(nint pool);

    [LibraryImport(Library, EntryPoint = "shim_pool_size")]
    public static partial uint PoolSize(nint pool);

    [LibraryImport(Library, EntryPoint = "shim_port_by_name")]
    public static partial int PortByName(byte* name, ushort* port);

    [LibraryImport(Library, EntryPoint = "shim_port_configure")]
    public static partial int PortConfigure(ushort port, ushort rxQueues, ushort txQueues, int* rssEnabled);

    [LibraryImport(Library, EntryPoint = "shim_rx_queue_setup")]
    public static partial int RxQueueSetup(ushort port, ushort queue, ushort descriptors, nint pool);

    [LibraryImport(Library, EntryPoint = "shim_tx_queue_setup")]
    public static partial int TxQueueSetup(ushort port, ushort queue, ushort descriptors);

    [LibraryImport(Library, EntryPoint = "shim_port_start")]
    public static partial int PortStart(ushort port);

    [LibraryImport(Library, EntryPoint = "shim_port_stop")]
    public static partial int PortStop(ushort port);

    [LibraryImport(Library, EntryPoint = "shim_port_close")]
    public static partial int PortClose(ushort port);

    [LibraryImport(Library, EntryPoint = "shim_promiscuous_enable")]
    public static partial int PromiscuousEnable(ushort port);

    [LibraryImport(Library, EntryPoint = "shim_mtu_set")]
    public static partial int MtuSet(ushort port, ushort mtu);

    [LibraryImport(Library, EntryPoint = "shim_link_status")]
    public static partial int LinkStatus(ushort port, uint* speedMbps);

    [LibraryImport(Library, EntryPoint = "shim_stats")]
    public static partial int Stats(ushort port, ulong* out6);

    [LibraryImport(Library, EntryPoint = "shim_xstats_count")]
    public static partial int XstatsCount(ushort port);

    [LibraryImport(Library, EntryPoint = "shim_rx_burst")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvSuppressGCTransition)])]
    public static partial ushort RxBurst(ushort port, ushort queue, nint* mbufs, ushort count);

    [LibraryImport(Library, EntryPoint = "shim_tx_burst")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvSuppressGCTransition)])]
    public static partial ushort TxBurst(ushort port, ushort queue, nint* mbufs, ushort count);

    [LibraryImport(Library, EntryPoint = "shim_mbuf_fields")]
    public static partial void MbufFields(MbufFieldCheck.Reported* fields);

    [LibraryImport(Library, EntryPoint = "shim_mbuf_inspect")]
    public static partial int MbufInspect(nint mbuf, ulong* out5, byte** reason);

    [LibraryImport(Library, EntryPoint = "shim_mbuf_prepend")]
    public static partial int MbufPrepend(nint mbuf, ushort count);

    [LibraryImport(Library, EntryPoint = "shim_mbuf_adj")]
    public static partial int MbufAdj(nint mbuf, ushort count);

    [LibraryImport(Library, EntryPoint = "shim_alloc_bulk")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvSuppressGCTransition)])]
    public static partial int AllocBulk(nint pool, nint* mbufs, uint count);

    [LibraryImport(Library, EntryPoint = "shim_free_bulk")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvSuppressGCTransition)])]
    public static partial void FreeBulk(nint* mbufs, uint count);

    [LibraryImport(Library, EntryPoint = "shim_free")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvSuppressGCTransition)])]
    public static partial void Free(nint mbuf);

    [LibraryImport(Library, EntryPoint = "shim_runtime_dir")]
    public static partial byte* RuntimeDirectory();

    [LibraryImport(Library, EntryPoint = "shim_ring_port_create")]
    public static partial int RingPortCreate(byte* name, byte* rxRing, byte* txRing, uint ringSize);

    [LibraryImport(Library, EntryPoint = "shim_thread_register")]
    public static partial int ThreadRegister();

    [LibraryImport(Library, EntryPoint = "shim_thread_unregister")]
    public static partial void ThreadUnregister();

    /// <summary>DPDK's text for an error number (rte_strerror), e.g. after <see cref="Errno"/>.</summary>
    public static string ErrorText(int error) => Marshal.PtrToStringUTF8((nint)StrError(error < 0 ? -error : error)) ?? $"error {error}";
}
