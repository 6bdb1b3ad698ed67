using Dataplane.Control.Metrics;
using Dataplane.Forwarding.Tof;

namespace Dataplane.Control.Tof;

/// <summary>
/// Publishes the TOF's per-service counters and tunnel count on /metrics once a second, from the control thread:
/// <c>dataplane_tof_service_packets_total{service,direction}</c>, <c>dataplane_tof_service_bytes_total{service,direction}</c>
/// (uplink = offloaded toward the application, downlink = replies back into the tunnel), <c>dataplane_tof_tunnels</c>.
/// </summary>
public sealed class TofMetrics(TofFeature tof, ControlPlaneMetrics metrics) : PeriodicMetricsPublisher
{
    private readonly MetricFamily packets = metrics.Counter("dataplane_tof_service_packets_total", "Packets offloaded (uplink) and returned (downlink) per service", "service", "direction");
    private readonly MetricFamily bytes = metrics.Counter("dataplane_tof_service_bytes_total", "Bytes offloaded (uplink) and returned (downlink) per service", "service", "direction");
    private readonly MetricFamily tunnels = metrics.Gauge("dataplane_tof_tunnels", "UEs with a learned tunnel");

    protected override void Publish()
    {
        foreach (var (service, counters) in tof.AllCounters)
        {
            packets.Set(counters.UplinkPackets, service, "uplink");
            packets.Set(counters.DownlinkPackets, service, "downlink");
            bytes.Set(counters.UplinkBytes, service, "uplink");
            bytes.Set(counters.DownlinkBytes, service, "downlink");
        }

        tunnels.Set(tof.ListTunnels().Count);
    }
}
