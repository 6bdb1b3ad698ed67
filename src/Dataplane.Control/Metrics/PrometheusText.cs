using System.Globalization;
using System.Text;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Runtime.Build;
using Dataplane.Runtime.Ports;
using Dataplane.Tables.MapCache;

namespace Dataplane.Control.Metrics;

/// <summary>
/// The Prometheus text exposition format 0.0.4: the build, the data plane's counters per worker, drops and events by
/// name, the workers' load, port statistics and buffer pools, map-cache size, punt-queue depths, whatever
/// <see cref="ControlPlaneMetrics"/> holds, then the .NET runtime's and the process's own figures. Every family is
/// listed in docs/metrics.md.
/// </summary>
public static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Render(ForwardingPlane plane, PortSet? ports, ControlPlaneMetrics? registry, MapCache? mapCache)
    {
        ArgumentNullException.ThrowIfNull(plane);
        var text = new StringBuilder();
        Header(text, "dataplane_build_info", "The build that runs: version, git commit and .NET runtime, value 1", "gauge");
        Sample(text, "dataplane_build_info", ["version", "commit", "runtime"], [BuildInfo.Version, BuildInfo.Commit, BuildInfo.Runtime], 1);

        var workers = plane.Workers;
        var snapshots = workers.Select(w => CounterSnapshot.Sum([w.Counters])).ToArray();
        PerWorker(text, "dataplane_packets_received_total", "Packets received by the workers", snapshots, s => s.Received);
        PerWorker(text, "dataplane_packets_emitted_total", "Packets stages added to the received ones (flood copies, fragments)", snapshots, s => s.Emitted);
        PerWorker(text, "dataplane_packets_transmitted_total", "Packets transmitted by the workers", snapshots, s => s.Transmitted);
        PerWorker(text, "dataplane_packets_punted_total", "Packets handed to the control plane", snapshots, s => s.Punted);

        Header(text, "dataplane_drops_total", "Packets dropped, by reason", "counter");
        for (int w = 0; w < snapshots.Length; w++)
        {
            foreach (var (reason, count) in snapshots[w].Drops)
            {
                Sample(text, "dataplane_drops_total", ["reason", "worker"], [reason.ToString(), Worker(w)], count);
            }
        }

        Header(text, "dataplane_events_total", "Stage events (encapsulated, decapsulated ...), by event", "counter");
        for (int w = 0; w < snapshots.Length; w++)
        {
            foreach (var (forwardingEvent, count) in snapshots[w].Events)
            {
                Sample(text, "dataplane_events_total", ["event", "worker"], [forwardingEvent.ToString(), Worker(w)], count);
            }
        }

        var stageFigures = workers.Select(w => StageRuntime.Sum([w.Runtime])).ToArray();
        PerStage(text, "dataplane_stage_calls_total", "Times a stage ran over a batch (classify and settle included)", "counter", stageFigures,
            s => s.Calls.ToString(CultureInfo.InvariantCulture));
        PerStage(text, "dataplane_stage_packets_total", "Packets handed to a stage", "counter", stageFigures,
            s => s.Packets.ToString(CultureInfo.InvariantCulture));
        PerStage(text, "dataplane_stage_seconds_per_packet", "A stage's time per packet, timed on one batch in 16", "gauge", stageFigures,
            s => s.NanosecondsPerPacket is { } nanoseconds ? Value(nanoseconds / 1e9) : null);

        WorkerLoadFamilies(text, workers);

        Header(text, "dataplane_punt_queue_depth", "Packets waiting in a worker's punt queue", "gauge");
        for (int w = 0; w < workers.Count; w++)
        {
            Sample(text, "dataplane_punt_queue_depth", ["worker"], [Worker(w)], workers[w].Punts.Count);
        }

        Header(text, "dataplane_punt_queue_capacity", "Packets a worker's punt queue holds; beyond, punts drop as PuntQueueFull", "gauge");
        for (int w = 0; w < workers.Count; w++)
        {
            Sample(text, "dataplane_punt_queue_capacity", ["worker"], [Worker(w)], workers[w].Punts.Capacity);
        }

        SaturationMetrics.WriteTo(text, workers, ports);

        MapCacheFamilies(text, mapCache);

        if (ports is not null)
        {
            PerPort(text, ports, "dataplane_port_rx_packets_total", "Packets the port received", s => s.ReceivedPackets);
            PerPort(text, ports, "dataplane_port_rx_bytes_total", "Bytes the port received", s => s.ReceivedBytes);
            PerPort(text, ports, "dataplane_port_tx_packets_total", "Packets the port transmitted", s => s.TransmittedPackets);
            PerPort(text, ports, "dataplane_port_tx_bytes_total", "Bytes the port transmitted", s => s.TransmittedBytes);
            PerPort(text, ports, "dataplane_port_rx_drops_total", "Packets the driver, kernel or NIC dropped on receive", s => s.ReceiveDrops);
            PerPort(text, ports, "dataplane_port_tx_errors_total", "Packets the port failed to transmit", s => s.TransmitErrors);
            BufferPoolFamilies(text, ports);
        }

        registry?.WriteTo(text);
        DotnetRuntimeMetrics.WriteTo(text);
        ProcessMetrics.WriteTo(text);
        return text.ToString();
    }

    internal static void Header(StringBuilder text, string name, string help, string type) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n')
            .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    /// <summary>{a="x",b="y"} with values escaped as the format wants (backslash, quote, newline); empty for no labels.</summary>
    internal static string Labels(IReadOnlyList<string> names, IReadOnlyList<string> values)
    {
        if (names.Count == 0)
        {
            return "";
        }

        var labels = new StringBuilder("{");
        for (int i = 0; i < names.Count; i++)
        {
            string escaped = values[i].Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
            labels.Append(i == 0 ? "" : ",").Append(names[i]).Append("=\"").Append(escaped).Append('"');
        }

        return labels.Append('}').ToString();
    }

    internal static void Sample(StringBuilder text, string name, string[] labelNames, string[] labelValues, long value) =>
        text.Append(name).Append(Labels(labelNames, labelValues)).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');

    internal static void Sample(StringBuilder text, string name, string[] labelNames, string[] labelValues, double value) =>
        text.Append(name).Append(Labels(labelNames, labelValues)).Append(' ').Append(Value(value)).Append('\n');

    /// <summary>A family of one unlabelled sample.</summary>
    internal static void Single(StringBuilder text, string name, string help, string type, double value)
    {
        Header(text, name, help, type);
        text.Append(name).Append(' ').Append(Value(value)).Append('\n');
    }

    /// <summary>A sample value as the format spells it: shortest round-trip decimal, NaN, +Inf, -Inf.</summary>
    internal static string Value(double value) =>
        double.IsNaN(value) ? "NaN"
        : double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>
    /// Polls, busy polls and busy seconds per worker: rate(busy seconds) is the share of its core a worker spends on
    /// rounds that received packets; received packets over busy polls is the mean batch per busy round.
    /// </summary>
    private static void WorkerLoadFamilies(StringBuilder text, IReadOnlyList<ForwardingPipeline> workers)
    {
        Header(text, "dataplane_worker_polls_total", "Rounds a worker made over its queues, empty ones included", "counter");
        for (int w = 0; w < workers.Count; w++)
        {
            Sample(text, "dataplane_worker_polls_total", ["worker"], [Worker(w)], workers[w].Load.Polls);
        }

        Header(text, "dataplane_worker_busy_polls_total", "Rounds that received at least one packet", "counter");
        for (int w = 0; w < workers.Count; w++)
        {
            Sample(text, "dataplane_worker_busy_polls_total", ["worker"], [Worker(w)], workers[w].Load.BusyPolls);
        }

        Header(text, "dataplane_worker_busy_seconds_total", "Time in rounds that received packets (receive, process, transmit), one round in 16 timed", "counter");
        for (int w = 0; w < workers.Count; w++)
        {
            Sample(text, "dataplane_worker_busy_seconds_total", ["worker"], [Worker(w)], workers[w].Load.BusySeconds);
        }
    }

    /// <summary>
    /// The map-cache's size, and its entries by state: complete (with locators) and negative (no locators: drop,
    /// native-forward, send-map-request). A destination still waiting for its Map-Reply has no entry yet: that is
    /// dataplane_lisp_map_requests_pending. Scanned at scrape time, off the workers' path.
    /// </summary>
    private static void MapCacheFamilies(StringBuilder text, MapCache? mapCache)
    {
        long complete = 0, negative = 0;
        if (mapCache is not null)
        {
            var view = mapCache.View;
            for (uint slot = 0; slot < view.Length; slot++)
            {
                if (view[slot] is { } entry)
                {
                    if (entry.IsNegative)
                    {
                        negative++;
                    }
                    else
                    {
                        complete++;
                    }
                }
            }
        }

        Single(text, "dataplane_mapcache_entries", "Entries in the LISP map-cache", "gauge", mapCache?.Count ?? 0);
        Header(text, "dataplane_mapcache_entries_by_state", "LISP map-cache entries: complete (with locators) or negative", "gauge");
        Sample(text, "dataplane_mapcache_entries_by_state", ["state"], ["complete"], complete);
        Sample(text, "dataplane_mapcache_entries_by_state", ["state"], ["negative"], negative);
    }

    /// <summary>Every pool a port owns, once (DPDK ports that share a mempool report it each).</summary>
    private static void BufferPoolFamilies(StringBuilder text, PortSet ports)
    {
        var pools = new List<BufferPoolUse>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var port in ports.All)
        {
            if (port is IBufferPoolOwner owner)
            {
                pools.AddRange(owner.BufferPools.Where(pool => seen.Add(pool.Pool)));
            }
        }

        Header(text, "dataplane_buffer_pool_in_use", "Packet buffers taken from a pool (for an AF_PACKET ring: blocks user space holds)", "gauge");
        foreach (var pool in pools)
        {
            Sample(text, "dataplane_buffer_pool_in_use", ["pool"], [pool.Pool], pool.InUse);
        }

        Header(text, "dataplane_buffer_pool_capacity", "Packet buffers in a pool (for an AF_PACKET ring: blocks)", "gauge");
        foreach (var pool in pools)
        {
            Sample(text, "dataplane_buffer_pool_capacity", ["pool"], [pool.Pool], pool.Capacity);
        }
    }

    private static void PerWorker(StringBuilder text, string name, string help, CounterSnapshot[] snapshots, Func<CounterSnapshot, long> value)
    {
        Header(text, name, help, "counter");
        for (int w = 0; w < snapshots.Length; w++)
        {
            Sample(text, name, ["worker"], [Worker(w)], value(snapshots[w]));
        }
    }

    /// <summary>One metric family per stage and worker; a stage with no value yet (null) is left out.</summary>
    private static void PerStage(StringBuilder text, string name, string help, string type, IReadOnlyList<StageFigures>[] perWorker,
        Func<StageFigures, string?> value)
    {
        Header(text, name, help, type);
        for (int w = 0; w < perWorker.Length; w++)
        {
            foreach (var stage in perWorker[w])
            {
                if (value(stage) is { } sample)
                {
                    text.Append(name).Append(Labels(["stage", "worker"], [stage.Name, Worker(w)])).Append(' ').Append(sample).Append('\n');
                }
            }
        }
    }

    private static void PerPort(StringBuilder text, PortSet ports, string name, string help, Func<PortStatistics, long> value)
    {
        Header(text, name, help, "counter");
        foreach (var port in ports.All)
        {
            Sample(text, name, ["port"], [port.Name], value(port.Statistics));
        }
    }

    private static string Worker(int index) => index.ToString(CultureInfo.InvariantCulture);
}
