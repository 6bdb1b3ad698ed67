using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Dataplane.Tables.Lpm;

/// <summary>
/// Large lookup arrays backed by 2 MiB pages where Linux allows it. A lookup in a table of hundreds of MiB lands on a
/// different 4 KiB page almost every read, so with ordinary pages most reads also miss the TLB and pay a page walk
/// (two-dimensional under a hypervisor); with 2 MiB pages the same table needs a few hundred TLB entries. The array is
/// an ordinary managed one, pinned so that the advice keeps covering it; the kernel backs the advised range with huge
/// pages as it is first written (transparent huge pages in "madvise" or "always" mode). Elsewhere, or when the advice
/// is refused, it is just an array.
/// </summary>
internal static unsafe partial class HugePageArray
{
    private const int HugePage = 2 << 20;
    private const int MadviseHugePage = 14; // MADV_HUGEPAGE

    private static bool _unavailable;

    /// <summary>
    /// A pinned array of <paramref name="length"/> elements whose contents are <em>not</em> cleared: the caller writes
    /// every element before it is read (or clears the array). Writing is what backs the pages, so advice given before
    /// the first write gets huge pages from the start.
    /// </summary>
    public static T[] AllocateUninitialized<T>(int length)
        where T : unmanaged
    {
        T[] array = GC.AllocateUninitializedArray<T>(length, pinned: true);
        Advise(array);
        return array;
    }

    /// <summary>
    /// A pinned, zeroed array of <paramref name="length"/> elements, advised like
    /// <see cref="AllocateUninitialized{T}"/>. For a table that is mostly never written: memory fresh from the kernel
    /// is zero without being touched, so only the (huge) pages a write reaches are backed, where clearing an
    /// uninitialised array would back all of them.
    /// </summary>
    public static T[] AllocateZeroed<T>(int length)
        where T : unmanaged
    {
        T[] array = GC.AllocateArray<T>(length, pinned: true);
        Advise(array);
        return array;
    }

    private static void Advise<T>(T[] array)
        where T : unmanaged
    {
        int length = array.Length;
        long bytes = (long)length * sizeof(T);
        if (bytes >= HugePage && OperatingSystem.IsLinux() && !_unavailable)
        {
            nint start = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
            nint first = (start + HugePage - 1) & ~(nint)(HugePage - 1);
            nint end = (nint)(start + bytes) & ~(nint)(HugePage - 1);
            if (end > first)
            {
                try
                {
                    // Best effort: a kernel without transparent huge pages refuses, and the array works as it is.
                    _ = Madvise(first, (nuint)(end - first), MadviseHugePage);
                }
                catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
                {
                    _unavailable = true;
                }
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(nint address, nuint length, int advice);
}
