using Dataplane.Control.Metrics;

namespace Dataplane.Control.Lisp;

/// <summary>
/// Publishes the LISP control plane's counters on /metrics once a second, from the control thread (where they are
/// written, so the pending and registration counts are read without locks):
/// <c>dataplane_lisp_control_events_total{event}</c> (messages in and out by type, refusals by reason),
/// <c>dataplane_lisp_map_requests_pending</c>, <c>dataplane_lisp_registrations</c> (map-server).
/// </summary>
public sealed class LispControlMetrics(LispControlPlane lisp, ControlPlaneMetrics metrics) : PeriodicMetricsPublisher
{
    private readonly MetricFamily events = metrics.Counter("dataplane_lisp_control_events_total",
        "LISP control messages received and sent by type, and refused by reason", "event");
    private readonly MetricFamily pending = metrics.Gauge("dataplane_lisp_map_requests_pending", "Destinations waiting for a Map-Reply");
    private readonly MetricFamily registrations = metrics.Gauge("dataplane_lisp_registrations", "EID prefixes registered with this map-server");

    protected override void Publish()
    {
        foreach (var (name, count) in lisp.Counters.Snapshot())
        {
            events.Set(count, name);
        }

        pending.Set(lisp.Resolver?.PendingCount ?? 0);
        registrations.Set(lisp.MappingSystem?.Registrations.Count ?? 0);
    }
}
