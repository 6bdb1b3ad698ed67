using System.Runtime.InteropServices;

namespace Dataplane.Throughput;

/// <summary>
/// The CPU time the calling thread has run (CLOCK_THREAD_CPUTIME_ID): on a machine shared with other work a worker
/// is preempted for part of a window, so packets per CPU-second say what the code costs where packets per wall
/// second also say how much of a core it got. Linux only; elsewhere 0 (the figure is then left out).
/// </summary>
internal static partial class ThreadCpuClock
{
    private const int ClockThreadCpuTimeId = 3;

    /// <summary>Seconds of CPU time of the calling thread, or 0 when the clock cannot be read.</summary>
    public static double Seconds()
    {
        if (!OperatingSystem.IsLinux() || ClockGetTime(ClockThreadCpuTimeId, out var time) != 0)
        {
            return 0;
        }

        return time.Seconds + (time.Nanoseconds / 1e9);
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
