using System.Globalization;
using System.Text;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Runtime.Ports;
using static Dataplane.Control.Metrics.PrometheusText;

namespace Dataplane.Control.Metrics;

/// <summary>
/// The saturation families of docs/metrics.md's USE section, from each worker's <see cref="WorkerPressure"/> and punt
/// queue: receives that filled a whole batch, the punt queue's high-water mark, and per port the transmit bursts it
/// took only in part and the packets it refused (summed over the workers).
/// </summary>
internal static class SaturationMetrics
{
    public static void WriteTo(StringBuilder text, IReadOnlyList<ForwardingPipeline> workers, PortSet? ports)
    {
        Header(text, "dataplane_worker_full_receives_total", "Receives that returned a whole batch (256 packets): the port had more waiting", "counter");
        for (int w = 0; w < workers.Count; w++)
        {
            Sample(text, "dataplane_worker_full_receives_total", ["worker"], [Worker(w)], workers[w].Pressure.FullReceives);
        }

        Header(text, "dataplane_punt_queue_high_water", "Most packets ever waiting in a worker's punt queue", "gauge");
        for (int w = 0; w < workers.Count; w++)
        {
            Sample(text, "dataplane_punt_queue_high_water", ["worker"], [Worker(w)], workers[w].Punts.HighWater);
        }

        if (ports is null)
        {
            return;
        }

        PerPort(text, ports, workers, "dataplane_port_tx_refused_bursts_total", "Transmit bursts the port took only in part (its queue was full)",
            (pressure, port) => pressure.RefusedBursts(port));
        PerPort(text, ports, workers, "dataplane_port_tx_refused_packets_total", "Packets the port's transmit queue refused (dropped as TxQueueFull)",
            (pressure, port) => pressure.RefusedPackets(port));
    }

    private static void PerPort(StringBuilder text, PortSet ports, IReadOnlyList<ForwardingPipeline> workers, string name, string help,
        Func<WorkerPressure, int, long> value)
    {
        Header(text, name, help, "counter");
        for (int p = 0; p < ports.Count; p++)
        {
            long total = 0;
            foreach (var worker in workers)
            {
                total += value(worker.Pressure, p);
            }

            Sample(text, name, ["port"], [ports.All[p].Name], total);
        }
    }

    private static string Worker(int index) => index.ToString(CultureInfo.InvariantCulture);
}
