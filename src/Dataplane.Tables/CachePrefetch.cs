using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Dataplane.Tables;

/// <summary>
/// Software prefetch hints for table memory a batch is about to read. At a million prefixes every packet's lookup
/// chain (first-level entry, map-cache slot, entry object) misses the caches and the TLB; issued for a whole batch
/// before the batch is processed, those misses overlap instead of stalling one after another (the C baseline does the
/// same). A hint never faults and is never dereferenced by us, so the address of an unpinned managed array element or
/// object is fine here even if the GC moves it a moment later: the worst case is a useless prefetch.
/// </summary>
public static unsafe class CachePrefetch
{
    /// <summary>Prefetches the cache line holding <paramref name="location"/> into all cache levels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Line<T>(ref readonly T location)
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.AsRef(in location)));
        }
    }

    /// <summary>Prefetches the first cache line of an object's fields (header and method table pointer included).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Object(object? instance)
    {
        if (Sse.IsSupported && instance is not null)
        {
            Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.As<RawObject>(instance).FirstField));
        }
    }

    /// <summary>A view of any object's field area (the pattern the runtime itself uses for raw object access).</summary>
#pragma warning disable CS0649 // never written: only its address is taken
    private sealed class RawObject
    {
        public byte FirstField;
    }
#pragma warning restore CS0649
}
