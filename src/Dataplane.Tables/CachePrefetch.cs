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

    /// <summary>
    /// Prefetches the first two cache lines of an object's fields: a map-cache entry (prefix, expiry, action, the
    /// inline locator) spans two.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Object(object? instance)
    {
        if (Sse.IsSupported && instance is not null)
        {
            byte* fields = (byte*)Unsafe.AsPointer(ref Unsafe.As<RawObject>(instance).FirstField);
            Sse.Prefetch0(fields);
            Sse.Prefetch0(fields + 64);
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
