using Dataplane.Runtime.Workers;

namespace Dataplane.Control.Metrics;

/// <summary>
/// Publishes the egress schedulers' figures on /metrics once a second, summed over the workers, per shaped port and
/// class (best effort is the class "best-effort"): <c>dataplane_egress_class_packets_total</c>, <c>_bytes_total</c>,
/// <c>_drops_total</c> (EgressQueueFull), <c>_queue_depth</c>, and the configured <c>_guaranteed_bytes_per_second</c>
/// and <c>dataplane_egress_rate_bytes_per_second</c>, so a dashboard can draw the share against the guarantee.
/// </summary>
public sealed class EgressMetrics : PeriodicMetricsPublisher
{
    private readonly IReadOnlyList<ForwardingWorker> workers;
    private readonly MetricFamily packets;
    private readonly MetricFamily bytes;
    private readonly MetricFamily drops;
    private readonly MetricFamily depth;
    private readonly MetricFamily guaranteed;
    private readonly MetricFamily rate;

    private EgressMetrics(IReadOnlyList<ForwardingWorker> workers, ControlPlaneMetrics metrics)
    {
        this.workers = workers;
        packets = metrics.Counter("dataplane_egress_class_packets_total", "Packets a shaped port's class sent (handed to the port)", "port", "class");
        bytes = metrics.Counter("dataplane_egress_class_bytes_total", "Frame bytes a shaped port's class sent", "port", "class");
        drops = metrics.Counter("dataplane_egress_class_drops_total", "Packets a shaped port's class refused because its queue was full (EgressQueueFull)", "port", "class");
        depth = metrics.Gauge("dataplane_egress_class_queue_depth", "Packets waiting in a shaped port's class queue, over every worker", "port", "class");
        guaranteed = metrics.Gauge("dataplane_egress_class_guaranteed_bytes_per_second", "The rate configured as guaranteed to a class, in bytes per second (0: none)", "port", "class");
        rate = metrics.Gauge("dataplane_egress_rate_bytes_per_second", "The rate a shaped port is configured to send at, in bytes per second", "port");
    }

    /// <summary>The publisher for <paramref name="runtime"/>'s workers, or null when no port is shaped.</summary>
    public static EgressMetrics? For(DataplaneRuntime runtime, ControlPlaneMetrics metrics) =>
        runtime.Workers.Count > 0 && runtime.Workers[0].Egress is not null ? new EgressMetrics(runtime.Workers, metrics) : null;

    protected override void Publish()
    {
        var first = workers[0].Egress!;
        foreach (int port in first.ShapedPorts)
        {
            string portName = first.PortNames[port];
            var classes = first.For(port)!.Classes;
            for (int c = 0; c < classes.Count; c++)
            {
                long sentPackets = 0, sentBytes = 0, refused = 0, waiting = 0;
                foreach (var worker in workers)
                {
                    var cls = worker.Egress!.For(port)!.Classes[c];
                    sentPackets += Volatile.Read(ref cls.Packets);
                    sentBytes += Volatile.Read(ref cls.Bytes);
                    refused += Volatile.Read(ref cls.Drops);
                    waiting += cls.Depth;
                }

                string name = classes[c].Name;
                packets.Set(sentPackets, portName, name);
                bytes.Set(sentBytes, portName, name);
                drops.Set(refused, portName, name);
                depth.Set(waiting, portName, name);
                guaranteed.Set(classes[c].GuaranteedBitsPerSecond * workers.Count / 8, portName, name);
            }

            rate.Set(first.For(port)!.Settings.RateBitsPerSecond * workers.Count / 8, portName);
        }
    }
}
