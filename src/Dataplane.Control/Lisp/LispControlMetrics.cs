using Dataplane.Control.Metrics;

namespace Dataplane.Control.Lisp;

/// <summary>
/// Publishes the LISP control plane's counters on /metrics once a second, from the control thread (where they are
/// written, so the pending and registration counts are read without locks):
/// <c>dataplane_lisp_control_events_total{event}</c> (messages in and out by type, refusals by reason),
/// <c>dataplane_lisp_map_requests_pending</c>, <c>dataplane_lisp_registrations</c> (map-server), each map-resolver's
/// state as the ITR sees it, and with RLOC
/// probing the state, round trip and jitter of each remote locator. Those are labelled by RLOC only, not by EID
/// prefix: the prober measures a locator once for every prefix it serves, and a map-cache of a million prefixes
/// behind a few hundred xTRs must not become a million series.
/// </summary>
public sealed class LispControlMetrics(LispControlPlane lisp, ControlPlaneMetrics metrics) : PeriodicMetricsPublisher
{
    private readonly MetricFamily events = metrics.Counter("dataplane_lisp_control_events_total",
        "LISP control messages received and sent by type, and refused by reason", "event");
    private readonly MetricFamily pending = metrics.Gauge("dataplane_lisp_map_requests_pending", "Destinations waiting for a Map-Reply");
    private readonly MetricFamily registrations = metrics.Gauge("dataplane_lisp_registrations", "EID prefixes registered with this map-server");
    private readonly MetricFamily? resolverUp = lisp.Resolver is not { Resolvers.Count: > 0 } ? null
        : metrics.Gauge("dataplane_lisp_map_resolver_up", "Map-resolver state seen by the ITR: 1 answering, 0 marked down", "resolver");
    private readonly MetricFamily? rlocUp = lisp.Prober is null ? null
        : metrics.Gauge("dataplane_lisp_rloc_up", "Remote locator state by RLOC probing: 1 up, 0 down", "rloc");
    private readonly MetricFamily? rlocRtt = lisp.Prober is null ? null
        : metrics.Gauge("dataplane_lisp_rloc_rtt_seconds", "Smoothed round trip of RLOC probes (gain 1/8), once one was answered", "rloc");
    private readonly MetricFamily? rlocJitter = lisp.Prober is null ? null
        : metrics.Gauge("dataplane_lisp_rloc_jitter_seconds", "Mean deviation between successive probe round trips (RFC 3550 gain 1/16)", "rloc");
    private readonly MetricFamily? probesSent = lisp.Prober is null ? null
        : metrics.Counter("dataplane_lisp_rloc_probes_sent_total", "RLOC probes sent to a locator", "rloc");
    private readonly MetricFamily? probesLost = lisp.Prober is null ? null
        : metrics.Counter("dataplane_lisp_rloc_probes_lost_total", "RLOC probes not answered within the timeout", "rloc");

    protected override void Publish()
    {
        foreach (var (name, count) in lisp.Counters.Snapshot())
        {
            events.Set(count, name);
        }

        pending.Set(lisp.Resolver?.PendingCount ?? 0);
        registrations.Set(lisp.MappingSystem?.Registrations.Count ?? 0);
        foreach (var resolver in lisp.Resolver?.Resolvers ?? [])
        {
            resolverUp!.Set(resolver.Up ? 1 : 0, resolver.Address.ToString());
        }

        if (lisp.Prober is { } prober)
        {
            PublishRlocs(prober);
        }
    }

    private void PublishRlocs(RlocProber prober)
    {
        foreach (var (address, health) in prober.Health)
        {
            string rloc = address.ToString();
            rlocUp!.Set(health.Up ? 1 : 0, rloc);
            probesSent!.Set(health.Sent, rloc);
            probesLost!.Set(health.Lost, rloc);
            if (health.LastRttMilliseconds is not null)
            {
                rlocRtt!.Set(health.SmoothedRttMilliseconds / 1000, rloc);
                rlocJitter!.Set(health.JitterMilliseconds / 1000, rloc);
            }
        }
    }
}
