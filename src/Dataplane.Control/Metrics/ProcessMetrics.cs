using System.Diagnostics;
using System.Text;

namespace Dataplane.Control.Metrics;

/// <summary>
/// The process's own figures under the names every Prometheus client library exports (<c>process_*</c>), read at
/// scrape time: CPU seconds, resident and virtual memory, open and maximum file descriptors, start time. Dashboards
/// and alerts written for any exporter work on these unchanged.
/// </summary>
public static class ProcessMetrics
{
    private static readonly double StartTimeSeconds = ReadStartTime();

    internal static void WriteTo(StringBuilder text)
    {
        PrometheusText.Single(text, "process_cpu_seconds_total", "User and system CPU time the process has used", "counter",
            Environment.CpuUsage.TotalTime.TotalSeconds);
        PrometheusText.Single(text, "process_resident_memory_bytes", "Resident memory of the process", "gauge", Environment.WorkingSet);
        using (var self = Process.GetCurrentProcess())
        {
            PrometheusText.Single(text, "process_virtual_memory_bytes", "Virtual memory of the process", "gauge", self.VirtualMemorySize64);
        }

        if (OpenDescriptors() is { } open)
        {
            PrometheusText.Single(text, "process_open_fds", "Open file descriptors", "gauge", open);
        }

        if (MaximumDescriptors() is { } maximum)
        {
            PrometheusText.Single(text, "process_max_fds", "The limit on open file descriptors (RLIMIT_NOFILE)", "gauge", maximum);
        }

        PrometheusText.Single(text, "process_start_time_seconds", "When the process started, in seconds since the Unix epoch", "gauge", StartTimeSeconds);
    }

    private static double ReadStartTime()
    {
        using var self = Process.GetCurrentProcess();
        return (self.StartTime.ToUniversalTime() - DateTime.UnixEpoch).TotalSeconds;
    }

    private static long? OpenDescriptors()
    {
        try
        {
            return Directory.EnumerateFileSystemEntries("/proc/self/fd").LongCount();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The soft limit from /proc/self/limits ("Max open files  1024  1048576  files").</summary>
    private static long? MaximumDescriptors()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/limits"))
            {
                if (line.StartsWith("Max open files", StringComparison.Ordinal))
                {
                    string[] fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return fields.Length > 0 && long.TryParse(fields[0], System.Globalization.CultureInfo.InvariantCulture, out long soft) ? soft : null;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return null;
    }
}
