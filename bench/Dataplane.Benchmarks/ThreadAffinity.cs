using System.Runtime.InteropServices;

namespace Dataplane.Benchmarks;

/// <summary>
/// Pins the calling thread to one CPU with Linux sched_setaffinity (tid 0 = the calling thread), so a background
/// reader of a concurrency benchmark does not share a core with the measured thread. Best effort: false elsewhere.
/// </summary>
internal static partial class ThreadAffinity
{
    public static bool TryPinCurrentThread(int cpu)
    {
        if (!OperatingSystem.IsLinux() || cpu < 0 || cpu >= 64 || cpu >= Environment.ProcessorCount)
        {
            return false;
        }

        ulong mask = 1UL << cpu;
        return SchedSetAffinity(0, sizeof(ulong), ref mask) == 0;
    }

    /// <summary>Lets the calling thread run on every CPU again.</summary>
    public static void Unpin()
    {
        if (OperatingSystem.IsLinux())
        {
            ulong mask = Environment.ProcessorCount >= 64 ? ulong.MaxValue : (1UL << Environment.ProcessorCount) - 1;
            SchedSetAffinity(0, sizeof(ulong), ref mask);
        }
    }

    [LibraryImport("libc", EntryPoint = "sched_setaffinity")]
    private static partial int SchedSetAffinity(int pid, nint cpuSetSize, ref ulong mask);
}
