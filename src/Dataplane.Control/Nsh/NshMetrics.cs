using Dataplane.Control.Metrics;
using Dataplane.Forwarding.Nsh;

namespace Dataplane.Control.Nsh;

/// <summary>
/// Publishes each NSH service path's counters on /metrics once a second, from the control thread:
/// <c>dataplane_nsh_path_packets_total{spi}</c> and <c>dataplane_nsh_path_bytes_total{spi}</c> (sent to a function of
/// the path, outer headers included), <c>dataplane_nsh_path_ended_total{spi}</c> (reached the end of the path).
/// </summary>
public sealed class NshMetrics(NshFeature nsh, ControlPlaneMetrics metrics) : PeriodicMetricsPublisher
{
    private readonly MetricFamily packets = metrics.Counter("dataplane_nsh_path_packets_total", "Packets sent to a service function of the NSH path", "spi");
    private readonly MetricFamily bytes = metrics.Counter("dataplane_nsh_path_bytes_total", "Bytes sent to a service function of the NSH path", "spi");
    private readonly MetricFamily ended = metrics.Counter("dataplane_nsh_path_ended_total", "Packets that reached the end of the NSH path", "spi");

    protected override void Publish()
    {
        foreach (var path in nsh.Tables.Paths.Values)
        {
            string spi = path.Spi.ToString(System.Globalization.CultureInfo.InvariantCulture);
            packets.Set(path.Counters.Packets, spi);
            bytes.Set(path.Counters.Bytes, spi);
            ended.Set(path.Counters.Ended, spi);
        }
    }
}
