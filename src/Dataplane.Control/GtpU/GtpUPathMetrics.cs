using Dataplane.Control.Metrics;

namespace Dataplane.Control.GtpU;

/// <summary>
/// Publishes GTP-U path supervision on /metrics once a second: <c>dataplane_gtpu_peer_up{local,peer}</c> (1 up,
/// 0 down, -1 not answered yet), <c>dataplane_gtpu_peer_restarts_total{local,peer}</c>, and the supervisor's
/// <c>dataplane_gtpu_echo_requests_total</c>, <c>dataplane_gtpu_echo_responses_total</c> and
/// <c>dataplane_gtpu_echo_responses_unmatched_total</c>.
/// </summary>
public sealed class GtpUPathMetrics(GtpUPathSupervisor supervisor, ControlPlaneMetrics metrics) : PeriodicMetricsPublisher
{
    private readonly MetricFamily up = metrics.Gauge("dataplane_gtpu_peer_up", "GTP-U path state by Echo Requests: 1 up, 0 down, -1 not answered yet", "local", "peer");
    private readonly MetricFamily restarts = metrics.Counter("dataplane_gtpu_peer_restarts_total", "Changes of the peer's restart counter seen in Echo Responses", "local", "peer");
    private readonly MetricFamily requests = metrics.Counter("dataplane_gtpu_echo_requests_total", "GTP-U Echo Requests sent to the tunnels' peers");
    private readonly MetricFamily responses = metrics.Counter("dataplane_gtpu_echo_responses_total", "GTP-U Echo Responses that answered an outstanding request");
    private readonly MetricFamily unmatched = metrics.Counter("dataplane_gtpu_echo_responses_unmatched_total", "GTP-U Echo Responses to us that answered no outstanding request");

    protected override void Publish()
    {
        foreach (var peer in supervisor.Peers)
        {
            string local = peer.Local.ToString(), remote = peer.Peer.ToString();
            up.Set(peer.State switch { GtpUPeerState.Up => 1, GtpUPeerState.Down => 0, _ => -1 }, local, remote);
            restarts.Set(peer.Restarts, local, remote);
        }

        requests.Set(supervisor.EchoesSent);
        responses.Set(supervisor.EchoesAnswered);
        unmatched.Set(supervisor.EchoesUnmatched);
    }
}
