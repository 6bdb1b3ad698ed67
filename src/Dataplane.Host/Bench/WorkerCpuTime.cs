using System.Globalization;

namespace Dataplane.Host.Bench;

/// <summary>
/// How long the data plane's worker threads have been on a CPU (Linux: the first field of
/// <c>/proc/self/task/TID/schedstat</c>, nanoseconds). On a machine others share, a worker gets only part of its
/// core; the packets it forwarded per second of CPU it had is then the figure that compares with a forwarder
/// measured at another moment, as the C forwarder's own thread CPU clock does for it.
/// </summary>
internal static class WorkerCpuTime
{
    /// <summary>The kernel's name of a worker thread: DataplaneRuntime's "dataplane-worker-N", cut to 15 characters.</summary>
    private const string WorkerComm = "dataplane-worke";

    /// <summary>Seconds on a CPU, summed over the worker threads; null where the kernel does not say.</summary>
    public static double? Seconds()
    {
        const string tasks = "/proc/self/task";
        if (!Directory.Exists(tasks))
        {
            return null;
        }

        long nanoseconds = 0;
        foreach (string task in Directory.EnumerateDirectories(tasks))
        {
            try
            {
                if (!File.ReadAllText(Path.Combine(task, "comm")).StartsWith(WorkerComm, StringComparison.Ordinal))
                {
                    continue;
                }

                string schedstat = File.ReadAllText(Path.Combine(task, "schedstat"));
                nanoseconds += long.Parse(schedstat.AsSpan(0, schedstat.IndexOf(' ')), CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // the thread ended between the listing and the read
            }
        }

        return nanoseconds / 1e9;
    }
}
