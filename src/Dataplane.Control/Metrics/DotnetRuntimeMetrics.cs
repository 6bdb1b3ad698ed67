using System.Text;

namespace Dataplane.Control.Metrics;

/// <summary>
/// The .NET runtime's figures, read at scrape time from the GC and thread-pool APIs under the names the Prometheus
/// client libraries use (<c>dotnet_*</c>): collections by generation, allocated bytes, pause time, heap sizes,
/// thread-pool threads and queue, lock contention, exceptions. The data plane allocates nothing per packet, so a
/// rising allocation rate or gen0 count is the first sign that something on the hot path does.
/// </summary>
public static class DotnetRuntimeMetrics
{
    private static readonly string[] GenerationNames = ["gen0", "gen1", "gen2", "loh", "poh"];
    private static long exceptions;
    private static int countingExceptions;

    /// <summary>Counts every exception thrown from now on (once per process; the metrics endpoint starts it).</summary>
    public static void StartCountingExceptions()
    {
        if (Interlocked.Exchange(ref countingExceptions, 1) == 0)
        {
            AppDomain.CurrentDomain.FirstChanceException += (_, _) => Interlocked.Increment(ref exceptions);
        }
    }

    internal static void WriteTo(StringBuilder text)
    {
        var (gen0, gen1, gen2) = CollectionsByHighestGeneration();
        PrometheusText.Header(text, "dotnet_gc_collections_total", "Garbage collections, by the highest generation collected", "counter");
        PrometheusText.Sample(text, "dotnet_gc_collections_total", ["generation"], ["gen0"], gen0);
        PrometheusText.Sample(text, "dotnet_gc_collections_total", ["generation"], ["gen1"], gen1);
        PrometheusText.Sample(text, "dotnet_gc_collections_total", ["generation"], ["gen2"], gen2);

        PrometheusText.Single(text, "dotnet_gc_allocated_bytes_total", "Bytes allocated on the managed heap since the process started", "counter",
            GC.GetTotalAllocatedBytes(precise: false));
        PrometheusText.Single(text, "dotnet_gc_pause_seconds_total", "Time the runtime was paused for garbage collections", "counter",
            GC.GetTotalPauseDuration().TotalSeconds);

        var memory = GC.GetGCMemoryInfo(GCKind.Any);
        PrometheusText.Header(text, "dotnet_gc_heap_size_bytes", "Size of each heap generation after the last garbage collection", "gauge");
        var generations = memory.GenerationInfo;
        for (int g = 0; g < generations.Length && g < GenerationNames.Length; g++)
        {
            PrometheusText.Sample(text, "dotnet_gc_heap_size_bytes", ["generation"], [GenerationNames[g]], generations[g].SizeAfterBytes);
        }

        PrometheusText.Single(text, "dotnet_gc_committed_bytes", "Memory the GC has committed for the managed heap", "gauge", memory.TotalCommittedBytes);
        PrometheusText.Single(text, "dotnet_thread_pool_threads", "Threads in the thread pool", "gauge", ThreadPool.ThreadCount);
        PrometheusText.Single(text, "dotnet_thread_pool_queue_length", "Work items queued to the thread pool and not started yet", "gauge",
            ThreadPool.PendingWorkItemCount);
        PrometheusText.Single(text, "dotnet_thread_pool_completed_items_total", "Work items the thread pool has completed", "counter",
            ThreadPool.CompletedWorkItemCount);
        PrometheusText.Single(text, "dotnet_monitor_lock_contentions_total", "Times a thread waited for a lock another held", "counter",
            Monitor.LockContentionCount);
        PrometheusText.Single(text, "dotnet_exceptions_total", "Exceptions thrown (first chance, caught or not)", "counter",
            Interlocked.Read(ref exceptions));
    }

    /// <summary>
    /// GC.CollectionCount(n) counts every collection of generation n or higher; the exclusive counts come from the
    /// differences, read until a collection did not land between the reads (so no count ever goes back).
    /// </summary>
    private static (long Gen0, long Gen1, long Gen2) CollectionsByHighestGeneration()
    {
        long all = 0, gen1Up = 0, gen2 = 0;
        for (int attempt = 0; attempt < 8; attempt++)
        {
            gen2 = GC.CollectionCount(2);
            gen1Up = GC.CollectionCount(1);
            all = GC.CollectionCount(0);
            if (GC.CollectionCount(2) == gen2 && GC.CollectionCount(1) == gen1Up)
            {
                break;
            }
        }

        return (all - gen1Up, gen1Up - gen2, gen2);
    }
}
