using System.Runtime.InteropServices;

namespace Dataplane.Runtime.Workers;

/// <summary>Pins the calling thread to one CPU (sched_setaffinity), so a run-to-completion worker keeps its caches and its core.</summary>
public static partial class CpuAffinity
{
    /// <summary>Pins the calling thread; false (with the errno text) when the kernel refuses, e.g. a core outside the cgroup's set.</summary>
    public static bool TryPinCurrentThread(int core, out string problem)
    {
        problem = "";
        if (!OperatingSystem.IsLinux())
        {
            problem = "pinning needs Linux";
            return false;
        }

        if (core < 0 || core >= 1024)
        {
            problem = $"core {core} is outside 0..1023";
            return false;
        }

        Span<ulong> mask = stackalloc ulong[16]; // cpu_set_t: 1024 bits
        mask.Clear();
        mask[core / 64] = 1UL << (core % 64);
        unsafe
        {
            fixed (ulong* bits = mask)
            {
                if (SchedSetAffinity(0, (nuint)(mask.Length * sizeof(ulong)), bits) != 0)
                {
                    problem = $"sched_setaffinity to core {core}: {Marshal.GetLastPInvokeErrorMessage()}";
                    return false;
                }
            }
        }

        return true;
    }

    [LibraryImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static unsafe partial int SchedSetAffinity(int pid, nuint size, ulong* mask);
}
